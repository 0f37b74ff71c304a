"""Every route of app.url_map × (anonymous, password only, assistant, praticien, the caisse's agent and
médecin conseil) (SECURITY.md 9, 15).

Each endpoint must be classified below: a new route that nobody classified fails this test.
"""

import pytest
from sqlalchemy import select

from app.demo.seed import DEMO_PRATICIENS
from app.extensions import db
from app.models import Compte
from tests.conftest import AuthActions, csrf_from

PUBLIC = "public"              # anyone
PENDING = "pending"            # only between the password step and the code step
SIGNED_IN = "signed_in"        # praticien or assistant
PRATICIEN = "praticien"        # the praticien only: an assistant gets 403
PRESCRIBER = "prescriber"      # a form of « Formulaires »: the praticien whose profession writes it
ANYONE_SIGNED_IN = "anyone"    # any signed-in account, the caisse's staff included
STAFF = "staff"                # the caisse's back office: its agents and médecin conseil; a practice gets 403
CONSEIL = "conseil"            # the médecin conseil alone (the forms' medical elements): an agent gets 403 too
AGENT = "agent"                # the caisse's agents alone (accounts, registry, tariffs, FSE): the médecin conseil gets 403

CLASSES = {
    "static": PUBLIC,
    "main.index": PUBLIC,
    "main.health": PUBLIC,
    "auth.login": PUBLIC,
    "auth.activate": PUBLIC,  # needs a valid one-time token: 404 otherwise
    "auth.code": PENDING,
    "auth.enrol": PENDING,
    "auth.enrol_qr": PENDING,
    "auth.logout": PUBLIC,  # harmless when not signed in
    "auth.change_password": ANYONE_SIGNED_IN,
    "abonnement.page": PUBLIC,  # « Demande d'abonnement »: anyone, signed in or not
    "abonnement.submit": PUBLIC,
    "abonnement.sent": PUBLIC,  # the reference this browser just sent, else back to the form
    "profile.page": SIGNED_IN,
    "profile.reauthenticate": PRATICIEN,
    "profile.add_assistant": PRATICIEN,
    "profile.assistant_qr": PRATICIEN,
    "profile.change_validity": PRATICIEN,
    "profile.remove": PRATICIEN,
    "profile.journal": PRATICIEN,
    "fse.page": SIGNED_IN,
    "fse.identify": SIGNED_IN,
    "fse.choose": SIGNED_IN,
    "fse.conditions": SIGNED_IN,
    "fse.add_ngap": SIGNED_IN,
    "fse.add_ccam": SIGNED_IN,
    "fse.search_ccam": SIGNED_IN,
    "fse.remove_line": SIGNED_IN,
    "fse.add_favourite": SIGNED_IN,
    "fse.use_favourite": SIGNED_IN,
    "fse.billing": SIGNED_IN,
    "fse.validate": SIGNED_IN,
    "fse.transmit": SIGNED_IN,
    "fse.acknowledgment": SIGNED_IN,
    "fse.reset": SIGNED_IN,
    "fse.acknowledge_rejections": SIGNED_IN,  # « J'ai pris connaissance »: without the notice's instant, 400
    "history.page": SIGNED_IN,
    "history.apply_filters": SIGNED_IN,
    "history.reset_filters": SIGNED_IN,
    "history.export": SIGNED_IN,
    "history.detail": SIGNED_IN,  # another praticien's FSE: 404
    "history.delete": SIGNED_IN,
    "hnp.page": SIGNED_IN,
    "hnp.decompte": SIGNED_IN,  # another praticien's ordiposte: 404
    "precoded.page": SIGNED_IN,
    "precoded.detail": SIGNED_IN,
    "precoded.rename": SIGNED_IN,
    "precoded.delete": SIGNED_IN,
    "precoded.save": SIGNED_IN,
    "precoded.apply": SIGNED_IN,
    # « Formulaires »: the practice's documents for the praticien and his assistants (another
    # practice's document: 404); filling, saving and transmitting a form: the praticien alone.
    "formulaires.page": SIGNED_IN,
    "formulaires.history": SIGNED_IN,
    "formulaires.filter_history": SIGNED_IN,
    "formulaires.reset_history": SIGNED_IN,
    "formulaires.document": SIGNED_IN,
    "formulaires.employer_copy": SIGNED_IN,
    "formulaires.edit": PRESCRIBER,
    "formulaires.submit": PRESCRIBER,
    "formulaires.autosave": PRESCRIBER,
    "caisse.page": STAFF,
    "caisse.formulaires": CONSEIL,
    "caisse.formulaire": CONSEIL,  # an unknown document: 404
    "caisse.decide": CONSEIL,
    "caisse.fses": AGENT,  # « FSE reçues »: a wrong filter is a 422
    "caisse.fse": AGENT,  # an unknown FSE or a draft: 404
    "caisse.reject_fse": AGENT,
    "caisse.create_ordiposte": AGENT,  # nothing ticked: 422
    "caisse.ordiposte": AGENT,
    "caisse.decompte": AGENT,
    # « Demandes d'abonnement » and « Praticiens » (an unknown request or praticien: 404)
    "caisse.demandes": AGENT,
    "caisse.demande": AGENT,
    "caisse.approve_demande": AGENT,
    "caisse.refuse_demande": AGENT,
    "caisse.praticiens": AGENT,
    "caisse.praticien": AGENT,
    "caisse.suspend": AGENT,
    "caisse.reactivate": AGENT,
    "caisse.new_activation_link": AGENT,
    # « Registre »: a POST without a file is a 422
    "caisse.registre": AGENT,
    "caisse.registre_exemple": AGENT,
    "caisse.import_registre": AGENT,
    "caisse.referentiel": AGENT,
    "caisse.preview_tarifs": AGENT,  # no file: 422
    "caisse.import_tarifs": AGENT,  # no previewed file: 422
    "caisse.change_regle": AGENT,  # an empty form: 422
    "caisse.cancel_regle": AGENT,  # an unknown change: 303 with its message
}

ROLES = ["anonyme", "mot_de_passe_seul", "assistant", "praticien", "agent", "medecin_conseil"]
STAFF_ROLES = ("agent", "medecin_conseil")


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(CLASSES), endpoints ^ set(CLASSES)


@pytest.fixture
def as_role(app, demo_accounts, totp_clock):
    def make(role):
        client = app.test_client()
        actions = AuthActions(client, totp_clock)
        if role == "mot_de_passe_seul":
            assert actions.password("medecin.demo").status_code == 302
        elif role == "assistant":
            actions.login("assistant.demo", "Assistant-FSE-2026")
        elif role == "praticien":
            actions.login("medecin.demo")
            assert actions.reauthenticate(DEMO_PRATICIENS[0].totp_secret).status_code == 302
        elif role in STAFF_ROLES:
            actions.login("agent.demo" if role == "agent" else "conseil.demo")
        return client
    return make


def token_of(client):
    """A CSRF token from a page this client can see."""
    page = client.get("/profil")
    if page.status_code != 200:
        page = client.get("/caisse")
    if page.status_code != 200:
        page = client.get("/connexion")
    return csrf_from(page.get_data(as_text=True))


def expected(kind, role, method):
    """The answers allowed for a class of route, a role and a method."""
    signed_in = role in ("assistant", "praticien")
    if kind == STAFF:
        return {200} if role in STAFF_ROLES else {403} if signed_in else {302}
    if kind == CONSEIL:
        if role == "medecin_conseil":
            return {200, 404} if method == "GET" else {404, 422}
        return {403} if signed_in or role in STAFF_ROLES else {302}
    if kind == AGENT:
        if role == "agent":
            return {200, 404} if method == "GET" else {200, 302, 303, 400, 404, 409, 422}
        return {403} if signed_in or role in STAFF_ROLES else {302}
    if kind == ANYONE_SIGNED_IN:
        return {200, 302, 400, 422} if signed_in or role in STAFF_ROLES else {302}
    if role in STAFF_ROLES and kind in (SIGNED_IN, PRATICIEN, PRESCRIBER):
        return {403}  # the caisse's staff act for no practice
    if kind == PUBLIC:
        return {200, 302, 404} if method == "GET" else {200, 302, 404, 422}
    if kind == PENDING:
        # the code page answers the pending state (a wrong code: 422); the first-activation pages
        # belong to another stage of it and send it back (302/404); nobody else gets in
        return {200, 302, 404, 422} if role == "mot_de_passe_seul" else {302, 404}
    if kind == SIGNED_IN:
        # 303: a form's history's filters, applied then shown by a GET (post/redirect/get)
        return {200, 302, 303, 400, 404, 422} if signed_in else {302}
    if kind == PRATICIEN:
        if role == "assistant":
            return {403}
        return {200, 302, 404, 422} if role == "praticien" else {302}
    if kind == PRESCRIBER:
        if role == "assistant":
            return {403}
        # A form posted empty: its draft's version is missing (409), an autosave without the page's
        # token keeps nothing (204) — answers of a route that let the praticien in.
        return {200, 204, 302, 409, 422} if role == "praticien" else {302}
    raise AssertionError(kind)


def url_for_rule(rule, assistant_id):
    values = {name: assistant_id for name in rule.arguments if name == "assistant_id"}
    values.update({name: 999999 for name in rule.arguments
                   if name in ("line_id", "favori_id", "fse_id", "precodee_id", "ordiposte_id")})
    values.update({name: "jeton-invalide" for name in rule.arguments if name == "token"})
    values.update({name: 999999 for name in rule.arguments if name == "document_id"})
    values.update({name: 999999 for name in rule.arguments if name in ("demande_id", "praticien_id")})
    values.update({name: "it" for name in rule.arguments if name == "kind"})
    values.update({name: 999999 for name in rule.arguments if name == "regle_id"})
    values.update({name: "rose" for name in rule.arguments if name == "couleur"})
    return rule.build(values)[1] if rule.arguments else rule.rule


@pytest.mark.parametrize("role", ROLES)
def test_each_route_answers_each_role_as_classified(app, as_role, role):
    client = as_role(role)
    assistant_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == "assistant.demo"))
    token = token_of(client)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.logout"):
            continue
        path = url_for_rule(rule, assistant_id)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"csrf_token": token} if method == "POST" else None)
            kind = CLASSES[rule.endpoint]
            allowed = expected(kind, role, method)
            if response.status_code not in allowed:
                failures.append(f"{method} {path} as {role}: {response.status_code}, expected {sorted(allowed)}")
            refused = kind in (SIGNED_IN, PRATICIEN, PRESCRIBER, STAFF, CONSEIL, AGENT, ANYONE_SIGNED_IN) \
                and role in ("anonyme", "mot_de_passe_seul")
            if refused and not response.headers.get("Location", "").endswith("/connexion"):
                failures.append(f"{method} {path} as {role}: not sent to the login page")
            if kind in (PRATICIEN, PRESCRIBER) and role == "praticien" and method == "GET" \
                    and response.status_code != 200 \
                    and rule.endpoint != "profile.remove":
                failures.append(f"GET {path} as praticien: {response.status_code}, the praticien must reach it")
    assert not failures, "\n".join(failures)


def test_logout_works_for_every_role(as_role):
    for role in ROLES:
        client = as_role(role)
        token = token_of(client)
        assert client.post("/deconnexion", data={"csrf_token": token}).status_code == 302

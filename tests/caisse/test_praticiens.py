"""The agent's « Praticiens »: the search (accents and case ignored), a practice's accounts, the
suspension (contract article 5) that signs out the praticien AND his assistants at once and refuses
their sign-in after a correct password only, the reactivation, and a new activation link."""

import re

import pytest
from sqlalchemy import select

from app.caisse import praticiens_services as services
from app.demo.seed import DEMO_PRATICIENS
from app.extensions import db
from app.models import Activation, Compte, ConnexionEnAttente, JournalAudit, Praticien, SessionOuverte
from app.models.types import utcnow
from tests.caisse.accounts_helpers import HX, SUSPENDED, audit, body, demande, post, signed_in, text
from tests.caisse.test_demandes import approve
from tests.conftest import AuthActions, csrf_from


@pytest.fixture
def agent(app, totp_clock, demo_accounts):
    """agent.demo signed in, in a client of his own."""
    client = app.test_client()
    signed_in(client, totp_clock)
    return client


def praticien_id(identifiant: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Compte.praticien_id).where(Compte.identifiant == identifiant))


def praticien(identifiant: str) -> Praticien:
    return db.session.get(Praticien, praticien_id(identifiant))


def suspend(client, pid, motif="Non-respect de l'article 5 du contrat.", headers=None):
    return post(client, f"/caisse/praticiens/{pid}/suspension", {"motif": motif},
                page=f"/caisse/praticiens/{pid}", headers=headers)


def reactivate(client, pid):
    return post(client, f"/caisse/praticiens/{pid}/reactivation", page=f"/caisse/praticiens/{pid}")


def new_link(client, pid):
    return post(client, f"/caisse/praticiens/{pid}/lien-activation", page=f"/caisse/praticiens/{pid}")


def never_activated(nom="Sangiorgio", prenom="Hélène", identifiant="helene.sangiorgio") -> tuple[int, str]:
    """A praticien whose account has no password yet, with a first activation link: (id, link)."""
    from app.auth.cli import create_with_activation_link

    p = Praticien(profession="medecin", specialite="Médecin", nom=nom, prenom=prenom,
                  email=f"{identifiant}@exemple.mc", rpps="10009321455")
    link = create_with_activation_link(Compte(identifiant=identifiant, password_hash=None, role="praticien",
                                              praticien=p, nom=nom, prenom=prenom))
    return p.id, link


def listed(client, query: str = "", **params) -> list[str]:
    """The names in the list's rows."""
    response = client.get("/caisse/praticiens", query_string={"q": query, **params})
    assert response.status_code == 200
    return re.findall(r'data-praticien="\d+">\s*<td data-label="Praticien"><a [^>]*>([^<]+)</a>', body(response))


# --- The list and the search --------------------------------------------------------------------

def test_the_list_shows_every_praticien_by_name_with_his_status(agent, app_ctx):
    pid, _ = never_activated()
    kine = praticien("kine.demo")
    kine.suspendu_le, kine.motif_suspension = utcnow(), "Impayés"
    db.session.commit()
    names = listed(agent)
    assert names == ["Fautrier Sophie", "Lorenzi Claire", "Passeron Marc", "Raimbert Luc", "Sangiorgio Hélène",
                     "Vatrican Nicolas"]
    page = text(body(agent.get("/caisse/praticiens")))
    assert "6 praticiens" in page and "Suspendu" in page and "Jamais activé" in page and "Actif" in page
    assert listed(agent, statut="suspendu") == ["Raimbert Luc"]
    assert listed(agent, statut="jamais_active") == ["Sangiorgio Hélène"]
    assert len(listed(agent, statut="actif")) == 4


@pytest.mark.parametrize(("query", "expected"), [
    ("LORENZI", ["Lorenzi Claire"]),
    ("claire lorenzi", ["Lorenzi Claire"]),
    ("helene", ["Sangiorgio Hélène"]),
    ("HÉLÈNE sangiorgio", ["Sangiorgio Hélène"]),
    ("medecin.demo", ["Lorenzi Claire"]),
    ("10009812347", ["Lorenzi Claire"]),
    ("100 0981 2347", ["Lorenzi Claire"]),
    ("986012345", ["Fautrier Sophie"]),
    ("kine.demo@exemple", ["Raimbert Luc"]),
    ("kinésithérapeute", ["Raimbert Luc"]),
    ("infirmiere", ["Fautrier Sophie"]),
    ("médecin", ["Lorenzi Claire", "Sangiorgio Hélène", "Vatrican Nicolas"]),
    ("lorenzi passeron", []),
    ("<script>", []),
])
def test_the_search_ignores_accents_and_case(agent, app_ctx, query, expected):
    never_activated()
    assert listed(agent, query) == expected


def test_the_search_is_paginated_and_keeps_its_words(agent, app_ctx):
    for n in range(30):
        db.session.add(Praticien(profession="kine", specialite="Masseur-kinésithérapeute", nom=f"Testa{n:02d}",
                                 prenom="Marco", email=f"m{n}@exemple.mc"))
    db.session.commit()
    first = listed(agent, "testa")
    assert len(first) == 25 and first[0] == "Testa00 Marco"
    html = body(agent.get("/caisse/praticiens?q=testa&page=2"))
    assert "Page 2 sur 2" in html and "Testa29 Marco" in html and "Testa00 Marco" not in html
    assert "/caisse/praticiens?page=1&amp;q=testa" in html  # the previous page keeps the search
    fragment = agent.get("/caisse/praticiens?q=testa&page=2", headers=HX)
    assert body(fragment).lstrip().startswith('<div id="praticiens-liste"') and "HX-Request" in fragment.headers["Vary"]


# --- A practice's page --------------------------------------------------------------------------

def test_the_practice_page_shows_the_accounts(agent, client, totp_clock, app_ctx):
    pid = praticien_id("medecin.demo")
    page = text(body(agent.get(f"/caisse/praticiens/{pid}")))
    assert "Claire Lorenzi" in page and "10009812347" in page and "medecin.demo@exemple.mc" in page
    assert "assistant.demo" in page and "du 01/01/2026, sans date de fin" in page
    assert "Assistant(e)" in page and "Activée" in page
    assert "Jamais" in page  # nobody signed in yet
    assert "Suspendre l'accès" in page and "Nouveau lien d'activation" not in page
    signed_in(client, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    row, = [r for r in body(agent.get(f"/caisse/praticiens/{pid}")).split("</tr>") if "assistant.demo" in r]
    assert "Jamais" not in text(row)  # his last sign-in: now


def test_the_practice_page_shows_removed_and_expired_assistants(agent, app_ctx):
    from datetime import date

    pid = praticien_id("medecin.demo")
    ended = Compte(identifiant="ancien.assistant", password_hash=None, role="assistant", praticien_id=pid,
                   nom="Ancien", prenom="Paul", valide_du=date(2025, 1, 1), valide_au=date(2025, 12, 31))
    removed = Compte(identifiant="retire.assistant", password_hash=None, role="assistant", praticien_id=pid,
                     nom="Retiré", prenom="Léa", valide_du=date(2025, 1, 1), supprime_le=utcnow())
    db.session.add_all([ended, removed])
    db.session.commit()
    ended_id, removed_id = ended.id, removed.id
    rows = {r.split('data-compte="')[1].split('"')[0]: text(r)
            for r in body(agent.get(f"/caisse/praticiens/{pid}")).split("</tr>") if 'data-compte="' in r}
    assert "du 01/01/2025 au 31/12/2025 (hors validité)" in rows[str(ended_id)]
    assert "Supprimé(e) le" in rows[str(removed_id)] and "Non activée" in rows[str(removed_id)]


def test_the_navigation_marks_the_section(agent, app_ctx):
    html = body(agent.get(f"/caisse/praticiens/{praticien_id('medecin.demo')}"))
    assert re.search(r'href="/caisse/praticiens" aria-current="page"', html)
    assert not re.search(r'href="/caisse" aria-current="page"', html)
    home = body(agent.get("/caisse"))
    assert re.search(r'href="/caisse" aria-current="page"', home)
    assert not re.search(r'href="/caisse/praticiens" aria-current="page"', home)


def test_an_unknown_praticien_is_404(agent):
    assert agent.get("/caisse/praticiens/999999").status_code == 404
    for path in ("suspension", "reactivation", "lien-activation"):
        assert post(agent, f"/caisse/praticiens/999999/{path}", {"motif": "x"}).status_code == 404


# --- Suspension ---------------------------------------------------------------------------------

def test_a_suspension_needs_a_reason(agent, app_ctx):
    pid = praticien_id("medecin.demo")
    response = suspend(agent, pid, "  ")
    assert response.status_code == 422
    assert "Écrivez le motif de la suspension" in body(response) and 'id="motif-erreur"' in body(response)
    assert not praticien("medecin.demo").suspendu and not audit("caisse.praticien.suspension")
    fragment = suspend(agent, pid, "", headers=HX)
    assert fragment.status_code == 422 and body(fragment).lstrip().startswith('<section id="praticien-acces"')


def test_a_suspension_signs_out_the_praticien_and_his_assistants_at_once(app, agent, totp_clock, app_ctx):
    medecin, assistant, waiting = app.test_client(), app.test_client(), app.test_client()
    signed_in(medecin, totp_clock, "medecin.demo")
    signed_in(assistant, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    assert AuthActions(waiting, totp_clock).password("medecin.demo").headers["Location"].endswith("/connexion/code")
    other = app.test_client()
    signed_in(other, totp_clock, "dentiste.demo")  # another practice: untouched
    for c in (medecin, assistant, other):
        assert c.get("/profil").status_code == 200

    pid = praticien_id("medecin.demo")
    response = suspend(agent, pid, "  Fraude constatée (article 5).  ")
    assert response.status_code == 303
    page = text(body(agent.get(response.headers["Location"])))
    assert "Accès suspendu : 2 sessions ouvertes ont été fermées." in page
    assert "Motif : Fraude constatée (article 5)." in page and "par Marie Cellario" in page
    assert "Rétablir l'accès" in page

    for c in (medecin, assistant):
        answer = c.get("/profil")
        assert answer.status_code == 302 and answer.headers["Location"].endswith("/connexion")
        assert SUSPENDED in text(body(c.get("/connexion")))
    assert other.get("/profil").status_code == 200
    # the sign-in waiting for its code is over too
    assert waiting.get("/connexion/code").headers["Location"].endswith("/connexion")
    db.session.expire_all()
    reasons = db.session.scalars(select(SessionOuverte.raison_fermeture).join(Compte)
                                 .where(Compte.praticien_id == pid)).all()
    assert reasons and set(reasons) == {"acces_suspendu"}
    assert not db.session.scalars(select(ConnexionEnAttente)).all()
    p = praticien("medecin.demo")
    assert p.suspendu and p.motif_suspension == "Fraude constatée (article 5)."
    row, = audit("caisse.praticien.suspension")
    agent_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == "agent.demo"))
    assert (row.compte_id, row.praticien_id, row.objet_id, row.details) == \
        (agent_id, pid, str(pid), "Fraude constatée (article 5).")


def test_a_suspended_practice_cannot_sign_in_and_only_a_correct_password_says_why(agent, client, totp_clock, app_ctx):
    suspend(agent, praticien_id("medecin.demo"))
    actions = AuthActions(client, totp_clock)
    for identifiant, password in (("medecin.demo", "Demo-FSE-2026"), ("assistant.demo", "Assistant-FSE-2026")):
        refused = actions.password(identifiant, password)
        assert refused.status_code == 403 and SUSPENDED in text(body(refused))
        wrong = actions.password(identifiant, "mauvais-mot-de-passe")
        assert wrong.status_code == 422 and "suspendu" not in body(wrong)
        assert "Identifiant ou mot de passe incorrect." in body(wrong)
    assert client.get("/profil").status_code == 302
    rows = audit("connexion.suspendue")
    assert len(rows) == 2 and {r.resultat for r in rows} == {"refus"}


def test_a_second_suspension_changes_nothing(agent, app_ctx):
    pid = praticien_id("medecin.demo")
    suspend(agent, pid, "Premier motif")
    again = suspend(agent, pid, "Second motif")
    assert again.status_code == 303
    assert "Cet accès est déjà suspendu" in text(body(agent.get(again.headers["Location"])))
    assert praticien("medecin.demo").motif_suspension == "Premier motif"
    assert len(audit("caisse.praticien.suspension")) == 1


def test_a_session_of_a_practice_suspended_meanwhile_ends_at_its_next_request(app, client, totp_clock, demo_accounts):
    """Even a session the suspension's UPDATE did not see (opened at the same instant) ends."""
    signed_in(client, totp_clock, "medecin.demo")
    p = praticien("medecin.demo")
    p.suspendu_le, p.motif_suspension = utcnow(), "Contrôle"
    db.session.commit()
    response = client.get("/profil")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    assert SUSPENDED in text(body(client.get("/connexion")))
    expired = audit("session.expiree")
    assert expired[-1].details == "acces_suspendu"
    htmx = client.get("/profil", headers=HX)  # the closed session's cookie, again: to the login page
    assert htmx.headers.get("HX-Redirect", "").endswith("/connexion")


# --- Reactivation -------------------------------------------------------------------------------

def test_reactivation_lets_them_sign_in_again_and_the_praticien_sees_it_in_his_journal(agent, client, totp_clock, app_ctx):
    pid = praticien_id("medecin.demo")
    suspend(agent, pid)
    response = reactivate(agent, pid)
    assert response.status_code == 303
    assert "Accès rétabli" in body(agent.get(response.headers["Location"]))
    p = praticien("medecin.demo")
    assert p.suspendu_le is None and p.motif_suspension is None
    row, = audit("caisse.praticien.reactivation")
    assert row.praticien_id == pid
    again = reactivate(agent, pid)
    assert "Cet accès n'est pas suspendu" in text(body(agent.get(again.headers["Location"])))
    assert len(audit("caisse.praticien.reactivation")) == 1

    actions = signed_in(client, totp_clock, "medecin.demo")
    actions.reauthenticate(DEMO_PRATICIENS[0].totp_secret)
    journal = text(body(client.get("/profil/journal")))
    assert "Accès au portail suspendu par la caisse" in journal and "Accès au portail rétabli par la caisse" in journal
    assert "la caisse" in journal and "Marie Cellario" not in journal and "Non-respect" not in journal


def test_reactivation_with_htmx_redirects(agent, app_ctx):
    pid = praticien_id("medecin.demo")
    suspend(agent, pid)
    response = post(agent, f"/caisse/praticiens/{pid}/reactivation", headers=HX)
    assert response.headers["HX-Redirect"].endswith(f"/caisse/praticiens/{pid}")


# --- A new activation link ----------------------------------------------------------------------

def test_a_new_activation_link_replaces_the_old_ones(agent, app, app_ctx):
    pid, old_link = never_activated()
    page = text(body(agent.get(f"/caisse/praticiens/{pid}")))
    assert "Jamais activé" in page and "Un lien d'activation est valable jusqu'au" in page
    response = new_link(agent, pid)
    assert response.status_code == 200
    html = body(response)
    assert "Nouveau lien d'activation pour Hélène Sangiorgio" in text(html)
    assert "les liens précédents ne sont plus valables" in text(html)
    link = re.search(r'data-lien class="link-text">([^<]+)<', html).group(1)
    browser = app.test_client()
    assert browser.get("/activation/" + old_link.rsplit("/", 1)[1]).status_code == 404
    assert browser.get("/activation/" + link.rsplit("/", 1)[1]).status_code == 200
    db.session.expire_all()
    assert len(db.session.scalars(select(Activation)).all()) == 1
    row, = audit("caisse.praticien.lien_activation")
    assert row.praticien_id == pid and row.objet_type == "compte"


def test_no_new_link_for_an_activated_account(agent, app_ctx):
    pid = praticien_id("medecin.demo")
    response = new_link(agent, pid)
    assert response.status_code == 303
    assert "a déjà activé son compte" in text(body(agent.get(response.headers["Location"])))
    assert not db.session.scalars(select(Activation)).all() and not audit("caisse.praticien.lien_activation")


def test_a_link_is_not_made_for_an_account_activated_meanwhile(agent, app_ctx):
    pid, _ = never_activated()
    compte = db.session.scalar(select(Compte).where(Compte.praticien_id == pid))
    compte.password_hash = "activé entre-temps"
    db.session.commit()
    agent_compte = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    assert services.renew_activation(pid, agent_compte) is None
    assert len(db.session.scalars(select(Activation)).all()) == 1  # the first one, untouched


def test_an_approved_request_appears_never_activated_then_active(agent, client, app_ctx):
    response = approve(agent, demande().id)
    link = re.search(r'data-lien class="link-text">([^<]+)<', body(response)).group(1)
    assert listed(agent, "bianchi", statut="jamais_active") == ["Bianchi Laura"]
    token = link.rsplit("/", 1)[1]
    page = body(client.get(f"/activation/{token}"))
    assert client.post(f"/activation/{token}", data={
        "csrf_token": csrf_from(page), "nouveau": "le phare de Fontvieille",
        "confirmation": "le phare de Fontvieille"}).status_code == 302
    assert listed(agent, "bianchi", statut="actif") == ["Bianchi Laura"]


# --- Who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("identifiant", "password", "page"), [
    ("conseil.demo", "Demo-FSE-2026", "/caisse"), ("medecin.demo", "Demo-FSE-2026", "/profil"),
    ("assistant.demo", "Assistant-FSE-2026", "/profil")])
def test_only_an_agent_reaches_the_praticiens(client, totp_clock, demo_accounts, identifiant, password, page):
    signed_in(client, totp_clock, identifiant, password)
    pid = praticien_id("dentiste.demo")
    for path in ("/caisse/praticiens", f"/caisse/praticiens/{pid}"):
        assert client.get(path).status_code == 403
    for path in ("suspension", "reactivation", "lien-activation"):
        assert post(client, f"/caisse/praticiens/{pid}/{path}", {"motif": "x"}, page=page).status_code == 403
    assert not praticien("dentiste.demo").suspendu
    refused = set(db.session.scalars(select(JournalAudit.objet_id).where(JournalAudit.action == "acces.refuse")))
    assert {"caisse.praticiens", "caisse.praticien", "caisse.suspend", "caisse.reactivate",
            "caisse.new_activation_link"} <= refused


# --- Suspension and the pages around it (review) --------------------------------------------------

def test_after_reactivation_an_old_cookie_brings_no_stale_suspension_message(app, agent, client, totp_clock, app_ctx):
    signed_in(client, totp_clock, "medecin.demo")
    pid = praticien_id("medecin.demo")
    suspend(agent, pid)
    reactivate(agent, pid)
    response = client.get("/profil")  # the session closed by the suspension, its cookie still here
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    assert SUSPENDED not in text(body(client.get("/connexion")))


def test_an_activation_link_waits_while_the_practice_is_suspended(agent, app, app_ctx):
    pid, link = never_activated()
    token = link.rsplit("/", 1)[1]
    suspend(agent, pid)
    assert "ne servira qu'une fois l'accès rétabli" in text(body(agent.get(f"/caisse/praticiens/{pid}")))
    browser = app.test_client()
    page = browser.get("/activation/" + token)
    assert page.status_code == 403 and SUSPENDED in text(body(page))
    assert 'name="nouveau"' not in body(page)
    token_csrf = csrf_from(browser.get("/connexion").get_data(as_text=True))
    refused = browser.post("/activation/" + token, data={"csrf_token": token_csrf, "nouveau": "Une phrase assez longue",
                                                          "confirmation": "Une phrase assez longue"})
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.scalar(select(Activation).where(Activation.utilisee_le.is_not(None))) is None
    assert db.session.get(Praticien, pid).comptes[0].password_hash is None
    reactivate(agent, pid)
    assert browser.get("/activation/" + token).status_code == 200  # the same link, now usable

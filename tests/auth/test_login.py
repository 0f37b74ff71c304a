"""« Connexion » through the real pages (SECURITY.md 2-9): password, code, throttling, enrolment."""

import threading
import time
from datetime import timedelta
from concurrent.futures import ThreadPoolExecutor

import pyotp
import pytest
from sqlalchemy import func, select

from app.demo.seed import DEMO_PRATICIENS
from app.domain.totp import code_at, time_step
from app.extensions import db
from app.models import AppareilTotp, Compte, JournalAudit, SessionOuverte, TentativeConnexion
from app.models.types import utcnow
from app.security.crypto import decrypt_secret
from tests.conftest import AuthActions, csrf_from, make_app

MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret


def audit_actions(**filters):
    query = select(JournalAudit.action, JournalAudit.resultat).order_by(JournalAudit.numero)
    for name, value in filters.items():
        query = query.where(getattr(JournalAudit, name) == value)
    return [tuple(row) for row in db.session.execute(query)]


def test_login_page_in_french_with_the_seed_words(client):
    html = client.get("/connexion").get_data(as_text=True)
    for words in ("Connexion", "Identifiant", "Mot de passe", "Activer la double authentification"):
        assert words in html


def test_password_then_code_signs_in_with_a_new_session(auth, client, totp_clock):
    first = auth.password("medecin.demo")
    assert first.status_code == 302 and first.headers["Location"].endswith("/connexion/code")
    assert client.get("/profil").status_code == 302  # nothing but the code page between the two steps
    response = auth.code(totp_clock.code(MEDECIN_SECRET))
    assert response.status_code == 302
    page = client.get("/profil")
    assert page.status_code == 200 and "Lorenzi" in page.get_data(as_text=True)
    sessions = list(db.session.scalars(select(SessionOuverte)))
    assert len(sessions) == 1 and sessions[0].double_authentification
    assert ("connexion.mot_de_passe", "succes") in audit_actions() and ("connexion", "succes") in audit_actions()


def test_unknown_identifiant_and_wrong_password_answer_alike(auth):
    unknown = auth.password("personne.inconnue", "Demo-FSE-2026")
    wrong = auth.password("medecin.demo", "pas-le-bon-mot-de-passe")
    assert unknown.status_code == wrong.status_code == 422
    for response in (unknown, wrong):
        assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    strip = lambda r: r.get_data(as_text=True).replace(csrf_from(r.get_data(as_text=True)), "")  # noqa: E731
    assert strip(unknown).replace("personne.inconnue", "X") == strip(wrong).replace("medecin.demo", "X")


def test_unknown_identifiant_costs_a_password_hash_too(auth, app):
    from app.security import passwords

    calls = []
    original = passwords.PasswordHasher.verify
    passwords.PasswordHasher.verify = lambda self, *a: calls.append(1) or original(self, *a)
    try:
        auth.password("personne.inconnue")
        auth.password("medecin.demo", "mauvais-mot-de-passe")
    finally:
        passwords.PasswordHasher.verify = original
    assert len(calls) == 2


def test_wrong_and_replayed_codes_get_the_same_refusal(auth, totp_clock):
    auth.password("medecin.demo")
    code = totp_clock.code(MEDECIN_SECRET)
    assert auth.code(code).status_code == 302
    auth.logout()
    auth.password("medecin.demo")
    replay = auth.code(code)
    wrong = auth.code(f"{(int(code) + 1) % 1_000_000:06d}")
    assert replay.status_code == wrong.status_code == 422
    message = "Code incorrect. Saisissez le code affiché maintenant par votre application."
    assert message in replay.get_data(as_text=True) and message in wrong.get_data(as_text=True)


def test_a_code_two_steps_old_is_refused_the_previous_step_accepted(auth, totp_clock):
    auth.password("medecin.demo")
    totp_clock.now += 90
    step = time_step(totp_clock.now)
    assert auth.code(code_at(MEDECIN_SECRET, step - 2)).status_code == 422
    assert auth.code(code_at(MEDECIN_SECRET, step + 1)).status_code == 422
    assert auth.code(code_at(MEDECIN_SECRET, step - 1)).status_code == 302


def test_ten_simultaneous_submissions_of_one_code_let_exactly_one_in(app, demo_accounts, totp_clock, monkeypatch):
    # The throttle would refuse most of them before the code is even looked at: neutralised here,
    # so that the atomic UPDATE of the last step alone is what lets exactly one in.
    monkeypatch.setattr("app.auth.routes.begin_attempt", lambda key: False)
    clients = [app.test_client() for _ in range(10)]
    actions = [AuthActions(c, totp_clock) for c in clients]
    for action in actions:
        assert action.password("medecin.demo").status_code == 302
    code = totp_clock.code(MEDECIN_SECRET)
    tokens = [csrf_from(c.get("/connexion/code").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(10)

    def submit(index):
        barrier.wait()
        response = clients[index].post("/connexion/code", data={"code": code, "csrf_token": tokens[index]})
        if response.status_code == 302 and not response.headers["Location"].endswith("/connexion"):
            return "in"
        return "refused"

    with ThreadPoolExecutor(10) as pool:
        outcomes = list(pool.map(submit, range(10)))
    assert outcomes.count("in") == 1, outcomes
    assert sum(1 for c in clients if c.get("/profil").status_code == 200) == 1


def test_throttling_grows_and_holds_even_for_the_right_password(auth, db, totp_clock):
    for _ in range(5):
        assert auth.password("medecin.demo", "mauvais").status_code == 422
    blocked = auth.password("medecin.demo")  # the right password, during the delay
    assert blocked.status_code == 429
    assert "Trop de tentatives : réessayez dans 1 minute." in blocked.get_data(as_text=True)
    assert db.session.get(TentativeConnexion, "medecin.demo").echecs == 5
    assert ("connexion.limitee", "refus") in audit_actions()


def test_unknown_identifiants_are_throttled_like_real_ones(auth):
    for _ in range(5):
        auth.password("personne.inconnue", "mauvais")
    assert auth.password("personne.inconnue", "mauvais").status_code == 429


def test_code_failures_count_and_throttle_the_code_step(auth, totp_clock):
    auth.password("medecin.demo")  # attempt 1
    for _ in range(4):  # attempts 2 to 5: the free ones are used up
        assert auth.code("000000").status_code == 422
    right = auth.code(totp_clock.code(MEDECIN_SECRET))
    assert right.status_code == 429  # even the right code waits for the end of the delay


def test_success_resets_the_count(auth, db, totp_clock):
    for _ in range(3):
        auth.password("medecin.demo", "mauvais")
    auth.login("medecin.demo")
    db.session.expire_all()
    assert db.session.get(TentativeConnexion, "medecin.demo").echecs == 0


def test_locked_after_one_hundred_failures(auth, db):
    db.session.add(TentativeConnexion(identifiant="medecin.demo", echecs=99,
                                      dernier_echec=utcnow() - timedelta(hours=2)))
    db.session.commit()
    auth.password("medecin.demo", "mauvais")
    response = auth.password("medecin.demo")
    assert response.status_code == 429 and "accès est bloqué" in response.get_data(as_text=True)


def test_pending_state_expires(auth, client, monkeypatch, totp_clock):
    auth.password("medecin.demo")
    monkeypatch.setattr("app.auth.pending.utcnow", lambda: utcnow() + timedelta(minutes=5, seconds=1))
    response = auth.post("/connexion/code", {"code": totp_clock.code(MEDECIN_SECRET)}, get_path="/connexion")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")


def test_pending_state_holds_no_password(auth, client):
    auth.password("medecin.demo")
    with client.session_transaction() as session:
        assert set(session.keys()) <= {"attente", "csrf_token", "_flashes"}
        assert "Demo-FSE-2026" not in str(dict(session))
        assert "medecin" not in str(dict(session)) and "compte" not in str(dict(session))


def test_a_pending_cookie_copied_before_sign_in_is_worth_nothing_after(auth, client, app, totp_clock):
    auth.password("medecin.demo")
    copied = client.get_cookie("fse_session").value
    auth.code(totp_clock.code(MEDECIN_SECRET))
    auth.logout()
    thief = app.test_client()
    thief.set_cookie("fse_session", copied)
    assert thief.get("/connexion/code").status_code == 302
    assert thief.get("/connexion/activation").status_code == 302


def test_an_activated_phone_is_never_replaced_from_a_pending_sign_in(auth, client, app, totp_clock, db):
    auth.password("nouveau.demo", activer_double_authentification="y")
    copied = client.get_cookie("fse_session").value
    page = client.get("/connexion/activation").get_data(as_text=True)
    secret = page.split("data-secret>")[1].split("<")[0].replace(" ", "")
    assert auth.post("/connexion/activation", {"code": totp_clock.code(secret)}).status_code == 302
    thief = app.test_client()
    thief.set_cookie("fse_session", copied)
    assert thief.get("/connexion/activation").status_code == 302
    assert thief.get("/connexion/activation/qr.svg").status_code == 404
    compte = db.session.scalar(select(Compte).where(Compte.identifiant == "nouveau.demo"))
    assert decrypt_secret(compte.appareil.secret_chiffre) == secret


def test_codes_in_other_scripts_digits_are_refused_not_a_crash(auth):
    auth.password("medecin.demo")
    assert auth.code("١٢٣٤٥٦").status_code == 422


def test_a_password_typed_as_identifiant_is_not_kept_in_the_audit(auth, db):
    auth.password("Mon Mot De Passe!", "x")
    assert not db.session.scalars(select(JournalAudit).where(JournalAudit.identifiant_saisi.is_not(None))).all()


def test_parallel_wrong_passwords_cannot_slip_past_the_throttle(app, demo_accounts, totp_clock):
    clients = [app.test_client() for _ in range(12)]
    tokens = [csrf_from(c.get("/connexion").get_data(as_text=True)) for c in clients]
    barrier = threading.Barrier(12)

    def attempt(index):
        barrier.wait()
        return clients[index].post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "mauvais",
                                                      "csrf_token": tokens[index]}).status_code

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert statuses.count(422) == 5 and statuses.count(429) == 7, statuses


def test_unknown_identifiant_does_not_hash_on_the_request_path(auth, app):
    from app.security import passwords

    auth.password("personne.inconnue")  # the dummy hash is made once, here at the latest
    hashed = []
    original = passwords.PasswordHasher.hash
    passwords.PasswordHasher.hash = lambda self, *a, **k: hashed.append(1) or original(self, *a, **k)
    try:
        auth.password("autre.inconnu")
        auth.password("medecin.demo", "mauvais")
    finally:
        passwords.PasswordHasher.hash = original
    assert hashed == []


def test_first_activation_with_the_opt_in_box(auth, client, db, totp_clock):
    response = auth.password("nouveau.demo", activer_double_authentification="y")
    assert response.headers["Location"].endswith("/connexion/activation")
    page = client.get("/connexion/activation").get_data(as_text=True)
    assert 'src="/connexion/activation/qr.svg"' in page
    secret = page.split("data-secret>")[1].split("<")[0].replace(" ", "")
    qr = client.get("/connexion/activation/qr.svg")
    assert qr.headers["Content-Type"] == "image/svg+xml" and qr.headers["Cache-Control"] == "no-store"
    assert qr.data.startswith(b"<?xml") and b"<svg" in qr.data

    wrong = auth.post("/connexion/activation", {"code": "000000"})
    assert wrong.status_code == 422
    again = client.get("/connexion/activation").get_data(as_text=True)
    assert again.split("data-secret>")[1].split("<")[0].replace(" ", "") == secret  # same pending secret

    done = auth.post("/connexion/activation", {"code": totp_clock.code(secret)})
    assert done.status_code == 302
    compte = db.session.scalar(select(Compte).where(Compte.identifiant == "nouveau.demo"))
    assert compte.a_double_authentification
    assert secret.encode() not in compte.appareil.secret_chiffre
    assert ("enrolement", "succes") in audit_actions()


def test_without_the_box_before_the_deadline_password_only(auth, client, db):
    response = auth.password("nouveau.demo")
    assert response.status_code == 302 and not response.headers["Location"].startswith("/connexion")
    row = db.session.scalar(select(SessionOuverte))
    assert not row.double_authentification
    page = client.get("/profil").get_data(as_text=True)
    assert "activez d'abord votre double authentification" in page.lower()
    assert client.get("/profil/assistants/ajouter").status_code == 302


def test_after_the_deadline_two_factor_is_mandatory(demo_accounts, totp_clock):
    from datetime import date

    late = make_app(FSE_TOTP_MANDATORY_FROM=date(2020, 1, 1))
    client = late.test_client()
    action = AuthActions(client, totp_clock)
    page = client.get("/connexion").get_data(as_text=True)
    assert "Activer la double authentification" not in page
    response = action.password("nouveau.demo")
    assert response.headers["Location"].endswith("/connexion/activation")


def test_no_remember_me_cookie(auth, client):
    response = auth.login("medecin.demo")
    cookies = response.headers.getlist("Set-Cookie")
    assert not any("remember_token" in c for c in cookies)
    session_cookie = next(c for c in cookies if c.startswith("fse_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Expires" not in session_cookie  # a browser-session cookie, never a long-lived one


def test_session_cookie_is_secure_unless_configured_for_local_http(app):
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client().get("/connexion")
    assert "Secure" in secure.headers["Set-Cookie"]
    local = app.test_client().get("/connexion")  # the tests run on plain http, like make run
    assert "Secure" not in local.headers["Set-Cookie"]


def test_activation_page_is_not_stored(runner, client):
    import re as regex

    result = runner.invoke(args=["praticien", "create", "--profession", "kine", "--nom", "Curti", "--prenom",
                                 "Marc", "--email", "m@exemple.mc", "--identifiant", "kine.curti"])
    link = regex.search(r"(/activation/[\w-]+)", result.output).group(1)
    assert client.get(link).headers["Cache-Control"] == "no-store"


def test_field_messages_are_french(auth, client):
    response = auth.password("x" * 70, "y")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "64 caractères au plus." in html and "Field cannot" not in html

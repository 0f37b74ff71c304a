"""Sessions (SECURITY.md 11-14, 20): new identity, server-side invalidation, timeouts, htmx, headers."""

from datetime import timedelta

from sqlalchemy import select, update

from app.demo.seed import DEMO_PRATICIENS
from app.extensions import db
from app.models import JournalAudit, SessionOuverte
from app.models.types import utcnow
from tests.conftest import make_app


def session_cookie(client):
    cookie = client.get_cookie("fse_session")
    return cookie.value if cookie else None


def test_new_session_identity_after_the_second_factor(auth, client, app, totp_clock):
    auth.password("medecin.demo")
    before_login = session_cookie(client)  # captured between the two steps
    auth.code(totp_clock.code(DEMO_PRATICIENS[0].totp_secret))
    assert session_cookie(client) != before_login
    thief = app.test_client()
    thief.set_cookie("fse_session", before_login)
    assert thief.get("/profil").headers["Location"].endswith("/connexion")  # worth nothing
    assert thief.get("/connexion/code").headers["Location"].endswith("/connexion")


def test_logout_invalidates_the_session_on_the_server(auth, client, app):
    auth.login("medecin.demo")
    stolen = session_cookie(client)
    response = auth.logout()
    assert response.status_code == 302 and "/connexion?deconnecte=1" in response.headers["Location"]
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    replay = app.test_client()
    replay.set_cookie("fse_session", stolen)
    assert replay.get("/profil").status_code == 302
    row = db.session.scalar(select(SessionOuverte))
    assert row.fermee_le is not None and row.raison_fermeture == "deconnexion"
    assert "Vous êtes déconnecté(e)." in client.get("/connexion?deconnecte=1").get_data(as_text=True)


def age_session(**columns):
    db.session.execute(update(SessionOuverte).values(**columns))
    db.session.commit()


def test_idle_timeout_is_enforced_on_the_server(auth, client):
    auth.login("medecin.demo")
    age_session(derniere_activite=utcnow() - timedelta(minutes=15, seconds=5))
    response = client.get("/profil")
    assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")
    assert db.session.scalar(select(SessionOuverte)).raison_fermeture == "inactivite"
    assert db.session.scalar(select(JournalAudit.details).where(JournalAudit.action == "session.expiree")) == "inactivite"
    page = client.get("/connexion").get_data(as_text=True)
    assert "Votre session a expiré" in page


def test_activity_keeps_the_session_alive(auth, client):
    auth.login("medecin.demo")
    age_session(derniere_activite=utcnow() - timedelta(minutes=14))
    assert client.get("/profil").status_code == 200
    db.session.expire_all()
    assert utcnow() - db.session.scalar(select(SessionOuverte)).derniere_activite < timedelta(seconds=5)


def test_absolute_timeout_after_twelve_hours(auth, client):
    auth.login("medecin.demo")
    age_session(cree_le=utcnow() - timedelta(hours=12, minutes=1))
    assert client.get("/profil").status_code == 302
    assert db.session.scalar(select(SessionOuverte)).raison_fermeture == "duree_maximale"


def test_idle_timeout_is_configurable(demo_accounts, totp_clock):
    from tests.conftest import AuthActions

    short = make_app(FSE_IDLE_TIMEOUT=timedelta(minutes=2))
    client = short.test_client()
    AuthActions(client, totp_clock).login("medecin.demo")
    age_session(derniere_activite=utcnow() - timedelta(minutes=3))
    assert client.get("/profil").status_code == 302


def test_htmx_request_on_an_expired_session_gets_hx_redirect(auth, client):
    auth.login("medecin.demo")
    age_session(derniere_activite=utcnow() - timedelta(hours=1))
    response = client.get("/profil", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/connexion"
    assert response.get_data() == b""  # no login form swapped into a fragment


def test_authenticated_and_pending_pages_are_not_stored(auth, client):
    assert client.get("/connexion").headers["Cache-Control"] == "no-store"  # every sign-in page
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")  # the public front page
    auth.password("medecin.demo")
    assert client.get("/connexion/code").headers["Cache-Control"] == "no-store"
    auth.code(auth.clock.code(DEMO_PRATICIENS[0].totp_secret))
    response = client.get("/profil")
    assert response.headers["Cache-Control"] == "no-store"
    assert client.get("/pas-une-page").headers["Cache-Control"] == "no-store"  # errors too, when signed in


def test_security_headers_on_pages_errors_and_files(auth, client):
    auth.login("medecin.demo")
    for response in (client.get("/profil"), client.get("/introuvable"), client.get("/static/css/app.css"),
                     client.post("/deconnexion")):  # the last one has no CSRF token: 400
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_only_on_https(client):
    assert "Strict-Transport-Security" not in client.get("/connexion").headers
    secure = client.get("/connexion", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_post_without_csrf_token_is_refused(auth, client):
    auth.login("medecin.demo")
    response = client.post("/deconnexion")
    assert response.status_code == 400
    assert client.get("/profil").status_code == 200  # still signed in


def test_password_only_state_reaches_nothing_else(auth, client):
    auth.password("medecin.demo")
    for path in ("/profil", "/profil/assistants/ajouter", "/mot-de-passe", "/profil/confirmation"):
        assert client.get(path).status_code == 302, path
    assert client.get("/profil", headers={"HX-Request": "true"}).headers["HX-Redirect"] == "/connexion"


def test_changing_the_password_ends_the_other_sessions(auth, client, app, totp_clock):
    from tests.conftest import AuthActions

    other = AuthActions(app.test_client(), totp_clock)
    other.login("medecin.demo")
    auth.login("medecin.demo")
    response = auth.post("/mot-de-passe", {"actuel": "Demo-FSE-2026", "nouveau": "une nouvelle phrase sûre",
                                           "confirmation": "une nouvelle phrase sûre"})
    assert response.status_code == 302
    assert client.get("/profil").status_code == 200
    assert other.client.get("/profil").headers["Location"].endswith("/connexion")


def test_password_change_form_is_throttled_and_audited(auth, client):
    auth.login("medecin.demo")
    statuses = [auth.post("/mot-de-passe", {"actuel": f"faux-{i}", "nouveau": "une nouvelle phrase sûre",
                                            "confirmation": "une nouvelle phrase sûre"}).status_code for i in range(6)]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429
    failures = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "mot_de_passe.changement",
                                                             JournalAudit.resultat == "echec")).all()
    assert len(failures) == 5


def test_behind_a_proxy_the_client_address_and_https_are_known(demo_accounts):
    proxied = make_app(FSE_PROXY_COUNT=1)
    response = proxied.test_client().get("/connexion", headers={"X-Forwarded-For": "203.0.113.7",
                                                                "X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    direct = make_app().test_client().get("/connexion", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in direct.headers  # forwarded headers ignored without a proxy

"""Assistants on the « Profil » screen (SECURITY.md 8, 10, 15, 16), through the real pages."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.demo.seed import ASSISTANT_SECRET, DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import Compte, JournalAudit, SessionOuverte
from app.models.types import utcnow
from tests.conftest import AuthActions

MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret
DENTISTE_SECRET = DEMO_PRATICIENS[1].totp_secret


def add_assistant(auth, client, nom="Martin", prenom="Élodie", debut=None, fin=""):
    """Through the pages: re-authenticate, read the secret beside the QR code, confirm with a code."""
    assert auth.reauthenticate(MEDECIN_SECRET).status_code == 302
    page = client.get("/profil/assistants/ajouter").get_data(as_text=True)
    secret = re.search(r"data-secret>([^<]+)<", page).group(1).replace(" ", "")
    response = auth.post("/profil/assistants/ajouter", {
        "nom": nom, "prenom": prenom, "valide_du": (debut or today_in_monaco()).isoformat(), "valide_au": fin,
        "code": auth.clock.code(secret),
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    identifiant = re.search(r"data-identifiant>([^<]+)<", html).group(1)
    password = re.search(r"data-mot-de-passe>([^<]+)<", html).group(1)
    return identifiant, password, secret


def test_praticien_adds_an_assistant_who_signs_in_with_his_own_phone(auth, client, app):
    auth.login("medecin.demo")
    identifiant, password, secret = add_assistant(auth, client)
    assert identifiant == "elodie.martin"
    assert "Élodie Martin" in client.get("/profil").get_data(as_text=True)
    actions = [a for (a,) in db.session.execute(select(JournalAudit.action))]
    assert "assistant.ajout" in actions and "reauthentification" in actions

    other = AuthActions(app.test_client(), auth.clock)
    response = other.password(identifiant, password)
    assert response.headers["Location"].endswith("/connexion/code")
    assert other.code(auth.clock.code(secret)).status_code == 302
    # a one-time password must be changed first: every other page leads there
    assert other.client.get("/profil").headers["Location"].endswith("/mot-de-passe")
    changed = other.post("/mot-de-passe", {"actuel": password, "nouveau": "ma phrase de passe secrete",
                                           "confirmation": "ma phrase de passe secrete"})
    assert changed.status_code == 302
    profile = other.client.get("/profil")
    assert profile.status_code == 200
    html = profile.get_data(as_text=True)
    assert "Assistant(e)s autorisé(e)s" not in html and "Ajouter un(e) assistant(e)" not in html


def test_wrong_phone_code_keeps_the_same_secret_and_the_input(auth, client):
    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    page = client.get("/profil/assistants/ajouter").get_data(as_text=True)
    secret = re.search(r"data-secret>([^<]+)<", page).group(1)
    response = auth.post("/profil/assistants/ajouter", {"nom": "Roux", "prenom": "Paul",
                                                       "valide_du": "2026-01-01", "code": "000000"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Code incorrect" in html and 'value="Roux"' in html and 'value="Paul"' in html
    assert re.search(r"data-secret>([^<]+)<", html).group(1) == secret
    assert db.session.scalar(select(Compte).where(Compte.nom == "Roux")) is None


def test_end_date_before_start_is_refused_next_to_the_field(auth, client):
    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    client.get("/profil/assistants/ajouter")
    response = auth.post("/profil/assistants/ajouter", {"nom": "Roux", "prenom": "Paul", "valide_du": "2026-05-01",
                                                       "valide_au": "2026-04-01", "code": "123456"})
    assert response.status_code == 422
    assert "La date de fin ne peut pas précéder la date de début." in response.get_data(as_text=True)


def test_assistant_management_requires_a_recent_reauthentication(auth, client, db):
    auth.login("medecin.demo")
    response = client.get("/profil/assistants/ajouter")
    assert response.status_code == 302 and "/profil/confirmation?suite=ajouter" in response.headers["Location"]
    wrong = auth.post("/profil/confirmation", {"mot_de_passe": "Demo-FSE-2026", "code": "000000"})
    assert wrong.status_code == 422
    assert auth.reauthenticate(MEDECIN_SECRET).status_code == 302
    assert client.get("/profil/assistants/ajouter").status_code == 200
    from sqlalchemy import update

    db.session.execute(update(SessionOuverte).values(reauthentifie_le=utcnow() - timedelta(minutes=5, seconds=1)))
    db.session.commit()
    assert client.get("/profil/assistants/ajouter").status_code == 302


def test_assistant_gets_403_on_assistant_management_and_it_is_logged(auth, client, db):
    auth.login("assistant.demo", "Assistant-FSE-2026")
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    for method, path in [("get", "/profil/assistants/ajouter"), ("get", "/profil/confirmation"),
                         ("get", "/profil/assistants/qr.svg"), ("post", f"/profil/assistants/{assistant.id}/supprimer"),
                         ("post", f"/profil/assistants/{assistant.id}/validite")]:
        if method == "get":
            response = client.get(path)
        else:
            response = auth.post(path, {"valide_au": ""}, get_path="/profil")
        assert response.status_code == 403, path
    refusals = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "acces.refuse")).all()
    assert len(refusals) == 5 and all(r.compte_id == assistant.id and r.resultat == "refus" for r in refusals)


def test_ending_or_removing_an_assistant_ends_his_sessions_at_once(auth, client, app, db):
    auth.login("medecin.demo")
    identifiant, password, secret = add_assistant(auth, client, nom="Blanc", prenom="Lucie",
                                                  debut=today_in_monaco() - timedelta(days=10))
    other = AuthActions(app.test_client(), auth.clock)
    other.password(identifiant, password)
    other.code(auth.clock.code(secret))
    other.post("/mot-de-passe", {"actuel": password, "nouveau": "une autre phrase solide",
                                 "confirmation": "une autre phrase solide"})
    assert other.client.get("/profil").status_code == 200
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))

    yesterday = (today_in_monaco() - timedelta(days=1)).isoformat()
    response = auth.post(f"/profil/assistants/{assistant.id}/validite", {"valide_au": yesterday}, get_path="/profil")
    assert response.status_code == 302
    assert other.client.get("/profil").status_code == 302  # his open session ended at once
    refused = other.password(identifiant, "une autre phrase solide")
    assert refused.status_code == 403
    assert "n'est pas valide à cette date" in refused.get_data(as_text=True).replace("&#39;", "'")

    response = auth.post(f"/profil/assistants/{assistant.id}/supprimer", {}, get_path="/profil")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Compte, assistant.id).supprime_le is not None
    assistants_section = client.get("/profil").get_data(as_text=True).split("Connexions récentes")[0]
    assert "<td>Lucie Blanc</td>" not in assistants_section and "a plus accès au portail" in assistants_section
    assert other.password(identifiant, "une autre phrase solide").status_code == 422  # unknown now


def test_removing_ends_open_sessions(auth, client, app, db):
    other = AuthActions(app.test_client(), auth.clock)
    other.login("assistant.demo", "Assistant-FSE-2026")
    assert other.client.get("/profil").status_code == 200
    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    auth.post(f"/profil/assistants/{assistant.id}/supprimer", {}, get_path="/profil")
    assert other.client.get("/profil").status_code == 302
    assert db.session.scalar(select(SessionOuverte.raison_fermeture).where(
        SessionOuverte.compte_id == assistant.id)) == "assistant_supprime"


@pytest.mark.parametrize(("offset_start", "offset_end", "allowed"), [
    (1, None, False),     # starts tomorrow
    (0, None, True),      # starts today
    (-10, 0, True),       # ends today: valid until midnight, Monaco time
    (-10, -1, False),     # ended yesterday
])
def test_assistant_refused_outside_his_dates(auth, db, offset_start, offset_end, allowed):
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    today = today_in_monaco()
    assistant.valide_du = today + timedelta(days=offset_start)
    assistant.valide_au = None if offset_end is None else today + timedelta(days=offset_end)
    db.session.commit()
    response = auth.password("assistant.demo", "Assistant-FSE-2026")
    assert (response.status_code == 302) is allowed
    if not allowed:
        assert response.status_code == 403


def test_validity_days_are_monaco_days(monkeypatch):
    from datetime import UTC, datetime

    # 23:30 UTC on 31 May is already 1 June in Monaco (UTC+2 in summer)
    assert today_in_monaco(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == date(2026, 6, 1)
    assert today_in_monaco(datetime(2026, 12, 31, 22, 59, tzinfo=UTC)) == date(2026, 12, 31)
    assert today_in_monaco(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == date(2027, 1, 1)


def test_a_praticien_never_reaches_another_praticiens_assistant(auth, client, db):
    auth.login("dentiste.demo")
    auth.reauthenticate(DENTISTE_SECRET)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    for path in (f"/profil/assistants/{assistant.id}/validite", f"/profil/assistants/{assistant.id}/supprimer",
                 "/profil/assistants/999999/supprimer"):
        assert auth.post(path, {"valide_au": "2026-01-02"}, get_path="/profil").status_code == 404
    db.session.expire_all()
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    assert assistant.valide_au is None and assistant.supprime_le is None
    assert "assistant.demo" not in client.get("/profil").get_data(as_text=True)


def test_praticien_without_two_factor_cannot_add_assistants(auth, client):
    auth.password("nouveau.demo")
    response = client.get("/profil/assistants/ajouter", follow_redirects=True)
    assert "Activez d'abord votre double authentification" in response.get_data(as_text=True).replace("&#39;", "'")


def test_profile_shows_recent_sign_ins_of_the_praticien_and_his_assistants(auth, client, app):
    AuthActions(app.test_client(), auth.clock).login("assistant.demo", "Assistant-FSE-2026")
    auth.password("medecin.demo", "mauvais")
    auth.login("medecin.demo")
    html = client.get("/profil").get_data(as_text=True)
    section = html.split("Connexions récentes")[1]
    assert "Camille Rey" in section and "Claire Lorenzi" in section
    assert "échec" in section and "réussie" in section


def test_removal_asks_for_confirmation_first(auth, client, db):
    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    page = client.get(f"/profil/assistants/{assistant.id}/supprimer")
    assert page.status_code == 200 and "Confirmer la suppression" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Compte, assistant.id).supprime_le is None


def test_an_expired_reauthentication_says_the_change_was_not_saved(auth, client, db):
    from sqlalchemy import update

    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    db.session.execute(update(SessionOuverte).values(reauthentifie_le=utcnow() - timedelta(minutes=6)))
    db.session.commit()
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    response = auth.post(f"/profil/assistants/{assistant.id}/validite", {"valide_au": "2026-12-31"},
                         get_path="/profil")
    assert "/profil/confirmation" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "n&#39;a pas été enregistrée" in page or "n'a pas été enregistrée" in page
    db.session.expire_all()
    assert db.session.get(Compte, assistant.id).valide_au is None


def test_an_assistant_ended_between_the_two_steps_is_not_let_in(auth, db, totp_clock):
    auth.password("assistant.demo", "Assistant-FSE-2026")
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    assistant.valide_au = today_in_monaco() - timedelta(days=1)
    db.session.commit()
    assert auth.client.get("/connexion/code").headers["Location"].endswith("/connexion")
    assert db.session.scalar(select(SessionOuverte)) is None


def test_dates_typed_by_hand_in_french_are_accepted(auth, client, db):
    auth.login("medecin.demo")
    auth.reauthenticate(MEDECIN_SECRET)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    auth.post(f"/profil/assistants/{assistant.id}/validite", {"valide_au": "31/12/2030"}, get_path="/profil")
    db.session.expire_all()
    assert db.session.get(Compte, assistant.id).valide_au == date(2030, 12, 31)

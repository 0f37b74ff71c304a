"""The caisse's staff (agent, médecin conseil): created with an activation link, signed in with their
own password and phone like a praticien, working under /caisse only — and a practice kept out of it."""

import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.domain.access import account_valid_on, two_factor_required
from app.extensions import db
from app.models import Compte, JournalAudit, Praticien
from tests.conftest import AuthActions


def refusals(identifiant: str) -> list[str]:
    compte_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == identifiant))
    return list(db.session.scalars(select(JournalAudit.objet_id).where(
        JournalAudit.action == "acces.refuse", JournalAudit.compte_id == compte_id)))


@pytest.mark.parametrize("identifiant, role", [("agent.demo", "Agent de la caisse"), ("conseil.demo", "Médecin conseil")])
def test_staff_sign_in_with_their_phone_and_land_in_the_back_office(auth, identifiant, role):
    response = auth.login(identifiant)
    assert response.headers["Location"].endswith("/caisse")
    page = auth.client.get("/caisse").get_data(as_text=True)
    assert role in page and "Espace caisse" in page
    assert "Élaborer une FSE" not in page and "Historique FSE" not in page  # no practice in their menu


@pytest.mark.parametrize("path", ["/fse", "/historique", "/fse-precodees", "/hnp", "/formulaires", "/profil",
                                  "/formulaires/it"])
def test_staff_get_403_on_a_practice_page_and_the_attempt_is_logged(auth, path):
    auth.login("agent.demo")
    response = auth.client.get(path)
    assert response.status_code == 403 and "Accès refusé" in response.get_data(as_text=True)
    assert refusals("agent.demo")


@pytest.mark.parametrize("identifiant, password", [("medecin.demo", "Demo-FSE-2026"),
                                                   ("assistant.demo", "Assistant-FSE-2026")])
def test_a_practice_gets_403_in_the_back_office_and_the_attempt_is_logged(auth, identifiant, password):
    auth.login(identifiant, password)
    assert auth.client.get("/caisse").status_code == 403
    assert refusals(identifiant) == ["caisse.page"]


def test_staff_always_sign_in_with_the_second_factor():
    from datetime import date

    for role in ("agent", "medecin_conseil"):
        assert two_factor_required(False, False, role, date(2026, 1, 1), date(2027, 1, 1))
        assert account_valid_on(role, None, None, False, date(2026, 11, 23))
        assert not account_valid_on(role, None, None, True, date(2026, 11, 23))


def test_create_agent_prints_a_link_that_activates_the_account(runner, client, app, totp_clock, demo_accounts):
    result = runner.invoke(args=["caisse", "create-agent", "--role", "medecin_conseil", "--nom", "Rossi",
                                 "--prenom", "Hélène", "--identifiant", "h.rossi"])
    assert result.exit_code == 0, result.output
    assert "médecin conseil" in result.output
    link = re.search(r"(/activation/[\w-]+)", result.output).group(1)
    with app.app_context():
        compte = db.session.scalar(select(Compte).where(Compte.identifiant == "h.rossi"))
        assert (compte.role, compte.praticien_id, compte.password_hash) == ("medecin_conseil", None, None)
    actions = AuthActions(client, totp_clock)
    done = actions.post(link, {"nouveau": "une phrase solide", "confirmation": "une phrase solide"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/connexion/activation")
    page = client.get("/connexion/activation").get_data(as_text=True)
    secret = re.search(r"data-secret>([^<]+)<", page).group(1).replace(" ", "")
    enrolled = actions.post("/connexion/activation", {"code": totp_clock.code(secret)})
    assert enrolled.status_code == 302 and enrolled.headers["Location"].endswith("/caisse")
    assert "Médecin conseil" in client.get("/caisse").get_data(as_text=True)
    again = runner.invoke(args=["caisse", "create-agent", "--role", "agent", "--nom", "X", "--prenom", "Y",
                                "--identifiant", "h.rossi"])
    assert again.exit_code != 0 and "déjà pris" in again.output


def test_the_database_keeps_staff_without_a_praticien_and_a_practice_with_one(db, demo_accounts):
    praticien_id = db.session.scalar(select(Praticien.id))
    db.session.add(Compte(identifiant="agent.x", role="agent", praticien_id=praticien_id, nom="X", prenom="Y"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(Compte(identifiant="assistant.x", role="assistant", praticien_id=None, nom="X", prenom="Y"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE compte SET role = 'directeur' WHERE identifiant = 'agent.demo'"))
    db.session.rollback()


def test_the_back_office_home_says_what_waits_for_each_role(auth, demo_accounts):
    auth.login("agent.demo")
    page = auth.client.get("/caisse").get_data(as_text=True)
    assert re.findall(r"<strong class=\"caisse-waiting\" data-waiting>([^<]*)</strong>", page) == [
        "2 demandes en attente", "0 FSE HNP/RDD à payer"]  # the demo's two pending requests
    auth.logout()
    auth.login("conseil.demo")
    page = auth.client.get("/caisse").get_data(as_text=True)
    assert "0 demande à décider" in page


def test_an_expired_staff_session_is_told_in_its_own_words(auth, client, demo_accounts):
    from datetime import timedelta

    from sqlalchemy import update

    from app.models import SessionOuverte
    from app.models.types import utcnow

    auth.login("agent.demo")
    db.session.execute(update(SessionOuverte).values(derniere_activite=utcnow() - timedelta(minutes=16)))
    db.session.commit()
    assert client.get("/caisse/fses").headers["Location"].endswith("/connexion")
    page = client.get("/connexion").get_data(as_text=True)
    assert "Votre session a expiré" in page and "refaites-la" in page and "La FSE en cours" not in page

"""`flask praticien create` and its activation link; `flask audit verify` on the demo database."""

import re

from sqlalchemy import select, text

from app.extensions import db
from app.models import Compte
from tests.conftest import AuthActions


def create(runner, identifiant="dr.nouvelle"):
    return runner.invoke(args=["praticien", "create", "--profession", "medecin", "--nom", "Gramaglia",
                               "--prenom", "Anne", "--email", "anne@exemple.mc", "--identifiant", identifiant])


def test_create_prints_a_one_time_activation_link(runner, client, app, totp_clock):
    result = create(runner)
    assert result.exit_code == 0, result.output
    link = re.search(r"(http://127\.0\.0\.1:5000)?(/activation/[\w-]+)", result.output).group(2)
    with app.app_context():
        compte = db.session.scalar(select(Compte).where(Compte.identifiant == "dr.nouvelle"))
        assert compte.password_hash is None and not compte.a_double_authentification
        assert link.rsplit("/", 1)[1] not in str(db.session.execute(text("SELECT * FROM activation")).all())

    actions = AuthActions(client, totp_clock)
    weak = actions.post(link, {"nouveau": "azerty123", "confirmation": "azerty123"})
    assert weak.status_code == 422 and "trop courant" in weak.get_data(as_text=True)
    mismatch = actions.post(link, {"nouveau": "une phrase solide", "confirmation": "une autre phrase"})
    assert "Les deux saisies ne sont pas identiques." in mismatch.get_data(as_text=True)
    done = actions.post(link, {"nouveau": "une phrase solide", "confirmation": "une phrase solide"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/connexion/activation")
    page = client.get("/connexion/activation").get_data(as_text=True)
    secret = re.search(r"data-secret>([^<]+)<", page).group(1).replace(" ", "")
    assert actions.post("/connexion/activation", {"code": totp_clock.code(secret)}).status_code == 302
    assert client.get("/profil").status_code == 200
    assert client.get(link).status_code == 404  # used once


def test_create_refuses_a_taken_identifiant(runner, demo_accounts):
    result = create(runner, "medecin.demo")
    assert result.exit_code != 0 and "déjà pris" in result.output


def test_audit_verify_passes_on_the_demo_database_and_fails_after_an_edit(runner, auth, app):
    auth.password("medecin.demo", "mauvais")
    auth.login("medecin.demo")
    auth.logout()
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "Journal d'audit intègre" in ok.output
    with app.app_context():
        db.session.execute(text("UPDATE journal_audit SET resultat = 'succes' WHERE numero = 1"))
        db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1
    assert "Journal d'audit altéré" in broken.output and "numéro 1" in broken.output


def test_unlock_an_identifiant_locked_after_too_many_attempts(runner, auth, app):
    from datetime import timedelta

    from app.models import TentativeConnexion
    from app.models.types import utcnow

    with app.app_context():
        db.session.add(TentativeConnexion(identifiant="medecin.demo", echecs=100, dernier_echec=utcnow()))
        db.session.commit()
    assert auth.password("medecin.demo").status_code == 429
    result = runner.invoke(args=["compte", "debloquer", "medecin.demo"])
    assert result.exit_code == 0 and "débloqué" in result.output
    assert auth.password("medecin.demo").status_code == 302
    assert runner.invoke(args=["compte", "debloquer", "personne"]).exit_code != 0

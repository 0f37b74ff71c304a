"""`flask demo seed` and `flask demo totp` through the CLI, on the run's database."""

import pyotp
from sqlalchemy import func, select

from datetime import date

from app.demo.seed import ASSISTANT_IDENTIFIANT, ASSISTANT_PASSWORD, ASSISTANT_SECRET, DEMO_PASSWORD, DEMO_PRATICIENS, DEMO_STAFF
from app.extensions import db
from app.models import AppareilTotp, Beneficiaire, Compte, Exoneration, Foyer
from app.security.crypto import decrypt_secret
from app.security.passwords import verify_password
from tests.conftest import make_app


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_seed_loads_registry_and_accounts_then_keeps_them(runner, app_ctx):
    result = runner.invoke(args=["demo", "seed", "--foyers", "40", "--sans-activite"])
    assert result.exit_code == 0, result.output
    assert "45 foyers de démonstration chargés" in result.output
    households, members = count(Foyer), count(Beneficiaire)
    assert households == 45 and members >= 45
    card = db.session.scalar(select(Foyer).where(Foyer.matricule == "100004"))
    assert card.code_fse == "E2T6" and card.beneficiaires[0].exonerations[0].nature.code_court == "LIS"
    assert count(Exoneration) >= 1

    again = runner.invoke(args=["demo", "seed", "--foyers", "40", "--sans-activite"])
    assert again.exit_code == 0
    assert "Registre déjà chargé : données existantes conservées." in again.output
    assert (count(Foyer), count(Beneficiaire)) == (households, members)
    assert count(Compte) == len(DEMO_PRATICIENS) + 2 + len(DEMO_STAFF)  # + nouveau, assistant, agent, conseil


def test_demo_accounts_have_the_documented_password_and_secrets(runner, app_ctx):
    runner.invoke(args=["demo", "seed", "--foyers", "0", "--sans-activite"])
    for demo in DEMO_PRATICIENS:
        compte = db.session.scalar(select(Compte).where(Compte.identifiant == demo.identifiant))
        assert compte.role == "praticien" and compte.praticien.profession == demo.profession
        assert compte.password_hash.startswith("$argon2id$")
        assert verify_password(compte.password_hash, DEMO_PASSWORD)
        assert not verify_password(compte.password_hash, "demo-fse-2026")
        assert decrypt_secret(compte.appareil.secret_chiffre) == demo.totp_secret
        assert demo.totp_secret.encode() not in compte.appareil.secret_chiffre  # encrypted at rest


def test_nouveau_and_assistant_demo(runner, app_ctx):
    runner.invoke(args=["demo", "seed", "--foyers", "0", "--sans-activite"])
    nouveau = db.session.scalar(select(Compte).where(Compte.identifiant == "nouveau.demo"))
    assert nouveau.role == "praticien" and not nouveau.a_double_authentification
    assert verify_password(nouveau.password_hash, DEMO_PASSWORD)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == ASSISTANT_IDENTIFIANT))
    medecin = db.session.scalar(select(Compte).where(Compte.identifiant == "medecin.demo"))
    assert assistant.role == "assistant" and assistant.praticien_id == medecin.praticien_id
    assert (assistant.valide_du, assistant.valide_au) == (date(2026, 1, 1), None)
    assert verify_password(assistant.password_hash, ASSISTANT_PASSWORD)
    assert decrypt_secret(assistant.appareil.secret_chiffre) == ASSISTANT_SECRET
    result = runner.invoke(args=["demo", "totp", "assistant.demo"])
    assert pyotp.TOTP(ASSISTANT_SECRET).verify(result.output.split()[0], valid_window=1)


def test_totp_command_prints_the_current_code(runner, app_ctx):
    runner.invoke(args=["demo", "seed", "--foyers", "0", "--sans-activite"])
    result = runner.invoke(args=["demo", "totp", "medecin.demo"])
    assert result.exit_code == 0
    code = result.output.split()[0]
    totp = pyotp.TOTP(DEMO_PRATICIENS[0].totp_secret)
    assert totp.verify(code, valid_window=1)
    unknown = runner.invoke(args=["demo", "totp", "personne"])
    assert unknown.exit_code != 0 and "aucun appareil" in unknown.output


def test_demo_data_is_refused_in_production(app):
    from tests.production.settings import PRODUCTION_SETTINGS

    production = make_app(**PRODUCTION_SETTINGS)
    result = production.test_cli_runner().invoke(args=["demo", "seed", "--foyers", "5", "--sans-activite"])
    assert result.exit_code != 0, (result.output, result.exception)
    assert "refusées en production" in result.output
    with app.app_context():
        assert count(Foyer) == 0 and count(AppareilTotp) == 0

"""Secrets (SECURITY.md 1, 7, 22): strong argon2id, unique salts, encrypted TOTP seeds, none in the audit."""

from sqlalchemy import select, text

from app.config import Config
from app.demo.seed import DEMO_PRATICIENS
from app.extensions import db
from app.models import AppareilTotp, JournalAudit
from app.security.passwords import hash_password, needs_rehash, verify_password
from tests.conftest import make_app


def test_production_argon2id_parameters_are_strong():
    assert (Config.ARGON2_TIME_COST, Config.ARGON2_MEMORY_COST_KIB, Config.ARGON2_PARALLELISM) == (3, 65536, 4)
    strong = make_app(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST_KIB=65536, ARGON2_PARALLELISM=4)
    with strong.app_context():
        hashed = hash_password("une phrase de passe")
        assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
        assert verify_password(hashed, "une phrase de passe")


def test_each_hash_has_its_own_salt_and_weak_hashes_are_flagged(app_ctx):
    first, second = hash_password("même mot de passe"), hash_password("même mot de passe")
    assert first != second
    strong = make_app(ARGON2_TIME_COST=3, ARGON2_MEMORY_COST_KIB=65536, ARGON2_PARALLELISM=4)
    with strong.app_context():
        assert needs_rehash(first)  # made with the light test parameters


def test_totp_secrets_are_encrypted_with_the_configured_key(demo_accounts, db):
    raw = db.session.execute(text("SELECT secret_chiffre FROM appareil_totp")).scalars().all()
    assert raw and all(DEMO_PRATICIENS[0].totp_secret.encode() not in bytes(r) for r in raw)
    other_key = make_app(FSE_ENCRYPTION_KEYS="T2ZmaWNpYWwtdGVzdC1rZXktb2YtMzItYnl0ZXMtISE=")
    with other_key.app_context():
        from app.security.crypto import SecretKeyError, decrypt_secret

        device = db.session.scalars(select(AppareilTotp)).first()
        try:
            decrypt_secret(device.secret_chiffre)
        except SecretKeyError:
            pass
        else:
            raise AssertionError("un secret s'est déchiffré avec une autre clé")


def test_audit_rows_hold_no_password_nor_code(auth, totp_clock, db):
    auth.password("medecin.demo", "mon-mot-de-passe-faux")
    auth.password("medecin.demo")
    code = totp_clock.code(DEMO_PRATICIENS[0].totp_secret)
    auth.code("000000")
    auth.code(code)
    rows = db.session.scalars(select(JournalAudit)).all()
    assert len(rows) >= 4
    columns = [c.key for c in JournalAudit.__table__.columns if c.key not in ("hash", "hash_precedent")]
    text_of_rows = " ".join(str([getattr(r, c) for c in columns]) for r in rows)
    for secret in ("mon-mot-de-passe-faux", "Demo-FSE-2026", code, "000000", DEMO_PRATICIENS[0].totp_secret):
        assert secret not in text_of_rows
    failure = next(r for r in rows if r.action == "connexion.mot_de_passe" and r.resultat == "echec")
    assert failure.compte_id and failure.praticien_id and failure.ip == "127.0.0.1"
    assert failure.horodatage.tzinfo is not None


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(demo_accounts, totp_clock):
    from app.models import Compte
    from tests.conftest import AuthActions

    strong = make_app(ARGON2_TIME_COST=2, ARGON2_MEMORY_COST_KIB=2048, ARGON2_PARALLELISM=1)
    AuthActions(strong.test_client(), totp_clock).password("medecin.demo")
    with strong.app_context():
        stored = db.session.scalar(select(Compte.password_hash).where(Compte.identifiant == "medecin.demo"))
        assert "$m=2048,t=2,p=1$" in stored and verify_password(stored, "Demo-FSE-2026")

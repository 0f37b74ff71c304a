"""The database: migrations equal the models, SQLite pragmas, constraints that hold in the database."""

from datetime import date
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Beneficiaire, Foyer, Tarif


def test_migrations_produce_exactly_the_models_schema(db):
    """No pending autogenerate diff between the migrated database and the models."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_sqlite_pragmas(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite seulement")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_foreign_keys_are_enforced(db):
    db.session.add(Beneficiaire(foyer_id=999999, rang=1, qualite="assure", nom="X", prenom="Y",
                                date_naissance=date(1980, 1, 1), droits_debut=date(2000, 1, 1)))
    with pytest.raises(IntegrityError):
        db.session.flush()


@pytest.mark.parametrize(
    "values",
    [
        {"type": "NGAP", "montant": Decimal("-1.00"), "pourcentage": None},
        {"type": "NGAP", "montant": None, "pourcentage": Decimal("10")},
        {"type": "MOD", "montant": Decimal("1.00"), "pourcentage": Decimal("10")},
        {"type": "XX", "montant": Decimal("1.00"), "pourcentage": None},
    ],
)
def test_tariff_checks_hold_in_the_database(db, values):
    db.session.add(Tarif(code="ZZ", profession="medecin", date_effet=date(2025, 1, 1), libelle="x", **values))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_card_colour_and_caisse_are_checked(db):
    db.session.add(Foyer(matricule="999999", code_fse="A2B3", caisse="CCSS", couleur_carte="orange"))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_money_is_exact_to_the_cent(db):
    tarif = Tarif(type="NGAP", code="ZZ", profession="medecin", date_effet=date(2025, 1, 1), libelle="x",
                  montant=Decimal("0.10") + Decimal("0.20"))
    db.session.add(tarif)
    db.session.flush()
    db.session.expire(tarif)
    assert tarif.montant == Decimal("0.30")
    db.session.rollback()
    with pytest.raises(Exception, match="décimales"):
        db.session.add(Tarif(type="NGAP", code="ZY", profession="medecin", date_effet=date(2025, 1, 1),
                             libelle="x", montant=Decimal("1.005")))
        db.session.flush()

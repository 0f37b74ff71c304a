"""The subscription request's constraints hold in the database itself (SECURITY.md 28), whatever
the page checked: a card and a number or no card and none, the contract accepted, known statuses
and professions, the numbers' lengths, a unique reference and token."""

from datetime import date

import pytest
from sqlalchemy.exc import IntegrityError

from app.models import DemandeAbonnement


def demande(**overrides) -> DemandeAbonnement:
    values = {"reference": "AB-20261123-7KQ3MX", "jeton": "j" * 32, "profession": "medecin", "nom": "Rossi",
              "prenom": "Anne", "rpps": "10003456786", "sans_carte_cps": False, "email": "anne@exemple.mc",
              "fait_a": "Monaco", "fait_le": date(2026, 11, 23), "contrat_accepte": True}
    values.update(overrides)
    return DemandeAbonnement(**values)


def test_a_valid_row_is_pending_by_default(db):
    row = demande()
    db.session.add(row)
    db.session.flush()
    assert row.statut == "en_attente" and row.cree_le is not None


@pytest.mark.parametrize("overrides", [
    {"rpps": None},  # a card without a number
    {"sans_carte_cps": True},  # no card, but a number
    {"sans_carte_cps": True, "adeli": "061234567", "rpps": None},
    {"contrat_accepte": False},
    {"statut": "en_cours"},
    {"profession": "veterinaire"},
    {"adeli": "12345678"},
    {"rpps": "1000345678"},
    {"email": None},
    {"fait_le": None},
])
def test_constraints_hold_in_the_database(db, overrides):
    db.session.add(demande(**overrides))
    with pytest.raises(IntegrityError):
        db.session.flush()


def test_no_card_and_no_number_is_allowed(db):
    db.session.add(demande(sans_carte_cps=True, rpps=None))
    db.session.flush()


@pytest.mark.parametrize("same", ["reference", "jeton"])
def test_reference_and_token_are_unique(db, same):
    db.session.add(demande())
    db.session.flush()
    other = {"reference": "AB-20261123-22222A", "jeton": "k" * 32}
    other.pop(same)
    db.session.add(demande(**other))
    with pytest.raises(IntegrityError):
        db.session.flush()

"""Fixtures of the audit tests: two praticiens, the first with an assistant."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.models import Compte, Praticien


def _praticien(db, nom: str) -> Praticien:
    praticien = Praticien(profession="medecin", specialite="médecine générale", nom=nom, prenom="Claire",
                          email=f"{nom.lower()}@example.mc")
    db.session.add(praticien)
    db.session.flush()
    return praticien


def _compte(db, praticien: Praticien, identifiant: str, role: str) -> Compte:
    compte = Compte(identifiant=identifiant, role=role, praticien_id=praticien.id, nom=praticien.nom,
                    prenom="Test")
    db.session.add(compte)
    db.session.flush()
    return compte


@pytest.fixture
def people(db):
    """Praticien A (his account and an assistant's) and praticien B (his account), committed."""
    a, b = _praticien(db, "Lorenzi"), _praticien(db, "Passeron")
    people = SimpleNamespace(
        praticien_a=a, praticien_b=b,
        medecin_a=_compte(db, a, "lorenzi", "praticien"),
        assistant_a=_compte(db, a, "assistante.lorenzi", "assistant"),
        medecin_b=_compte(db, b, "passeron", "praticien"),
    )
    db.session.commit()
    return people

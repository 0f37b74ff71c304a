"""`flask audit verify`: intact on a fresh chain, altered (exit 1, numero named) after raw SQL edits."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.audit.services import record


@pytest.fixture
def chain(db):
    """A committed chain of four rows."""
    for action in ("connexion.mot_de_passe", "connexion.code", "patient.recherche", "deconnexion"):
        record(action, "succes", details="essai")
    db.session.commit()


def _verify(runner):
    return runner.invoke(args=["audit", "verify"])


def test_empty_journal_is_intact(runner, db):
    result = _verify(runner)
    assert result.exit_code == 0
    assert "Journal d'audit intègre : 0 ligne vérifiée." in result.output


def test_fresh_chain_is_intact(runner, chain):
    result = _verify(runner)
    assert result.exit_code == 0, result.output
    assert "Journal d'audit intègre : 4 lignes vérifiées." in result.output


@pytest.mark.parametrize(
    ("statement", "numero"),
    [
        ("UPDATE journal_audit SET resultat = 'echec' WHERE numero = 2", 2),
        ("UPDATE journal_audit SET details = 'effacé' WHERE numero = 3", 3),
        ("DELETE FROM journal_audit WHERE numero = 2", 2),
        ("DELETE FROM journal_audit WHERE numero = 4", 4),
        ("UPDATE audit_tete SET dernier_hash = '" + "a" * 64 + "'", 4),
        ("UPDATE audit_tete SET numero = 3", 3),
        ("DELETE FROM audit_tete", 4),
    ],
    ids=["resultat", "details", "ligne-supprimee", "derniere-ligne-supprimee", "tete-hash", "tete-numero",
         "tete-supprimee"],
)
def test_raw_sql_tampering_is_detected(runner, db, chain, statement, numero):
    db.session.execute(text(statement))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "Journal d'audit altéré" in result.output
    assert f"(ligne numéro {numero})" in result.output

"""Recording audit rows: who, what, from where; the caller's transaction; append-only; recent sign-ins."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, update

from app.audit.services import recent_sign_ins, record, verify_chain
from app.domain.audit_chain import GENESIS_HASH, chain_hash
from app.models import AuditTete, Foyer, JournalAudit


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_rows_are_chained_from_the_genesis(db, people):
    first = record("connexion.mot_de_passe", "succes", compte=people.medecin_a)
    second = record("patient.recherche", "echec", compte=people.assistant_a, objet_type="foyer", objet_id=100001)
    db.session.commit()
    assert (first.numero, second.numero) == (1, 2)
    assert first.hash_precedent == GENESIS_HASH and second.hash_precedent == first.hash
    assert second.hash == chain_hash(first.hash, {c: getattr(second, c) for c in JournalAudit.__table__.c.keys()})
    assert (second.compte_id, second.praticien_id, second.objet_id) == (
        people.assistant_a.id, people.praticien_a.id, "100001")
    head = db.session.get(AuditTete, 1)
    assert (head.numero, head.dernier_hash) == (2, second.hash)
    assert verify_chain() == (True, 2, "Journal d'audit intègre : 2 lignes vérifiées.")


def test_who_acts_for_whom_and_unknown_identifiant(db, people):
    acting = record("acces.refuse", "refus", compte=people.assistant_a, praticien_id=people.praticien_b.id)
    unknown = record("connexion.mot_de_passe", "echec", identifiant="in\x00connu" + "x" * 100)
    db.session.commit()
    assert (acting.compte_id, acting.praticien_id) == (people.assistant_a.id, people.praticien_b.id)
    assert (unknown.compte_id, unknown.praticien_id) == (None, None)
    assert unknown.identifiant_saisi.startswith("inconnu") and len(unknown.identifiant_saisi) == 64
    assert unknown.ip is None and unknown.user_agent is None


def test_ip_and_user_agent_come_from_the_request(app, db):
    with app.test_request_context("/", headers={"User-Agent": "Tablette/" + "z" * 400},
                                  environ_base={"REMOTE_ADDR": "203.0.113.7"}):
        row = record("deconnexion", "succes", details="fin de session")
    db.session.commit()
    assert row.ip == "203.0.113.7"
    assert row.user_agent.startswith("Tablette/") and len(row.user_agent) == 256
    assert verify_chain()[0]


def test_invalid_result_or_action_is_a_programming_error(db):
    with pytest.raises(ValueError):
        record("connexion.code", "ok")
    with pytest.raises(ValueError):
        record("x" * 41, "succes")
    assert _count(db, JournalAudit) == 0


def test_audit_row_rolls_back_and_commits_with_the_callers_work(db):
    db.session.add(Foyer(matricule="900001", code_fse="A2B3", caisse="CCSS", couleur_carte="verte"))
    record("fse.creation", "succes", objet_type="foyer", objet_id="900001")
    db.session.rollback()
    assert (_count(db, Foyer), _count(db, JournalAudit)) == (0, 0)

    db.session.add(Foyer(matricule="900001", code_fse="A2B3", caisse="CCSS", couleur_carte="verte"))
    row = record("fse.creation", "succes", objet_type="foyer", objet_id="900001")
    db.session.commit()
    assert (_count(db, Foyer), _count(db, JournalAudit)) == (1, 1)
    # The rolled-back row left no gap in the numbering.
    assert row.numero == 1 and verify_chain()[0]


def test_orm_refuses_to_update_a_row(db):
    row = record("enrolement", "succes")
    db.session.commit()
    row.details = "réécrit"
    with pytest.raises(RuntimeError, match="ajout seul"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="ajout seul"):
        db.session.execute(update(JournalAudit).values(resultat="echec"))


def test_orm_refuses_to_delete_a_row(db):
    row = record("enrolement", "succes")
    db.session.commit()
    db.session.delete(row)
    with pytest.raises(RuntimeError, match="ajout seul"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(RuntimeError, match="ajout seul"):
        db.session.execute(delete(JournalAudit))
    db.session.rollback()
    assert _count(db, JournalAudit) == 1 and verify_chain()[0]


def test_recent_sign_ins_of_a_praticien_and_his_assistants(db, people):
    record("connexion.mot_de_passe", "succes", compte=people.medecin_a)
    record("patient.recherche", "succes", compte=people.medecin_a)
    record("deconnexion", "succes", compte=people.medecin_a)
    record("connexion.code", "echec", compte=people.assistant_a, details="code rejoué")
    record("connexion.mot_de_passe", "succes", compte=people.medecin_b)
    record("connexion.throttle", "refus", compte=people.assistant_a)
    db.session.commit()
    rows = recent_sign_ins(people.praticien_a.id)
    assert [(r.action, r.compte_id) for r in rows] == [
        ("connexion.throttle", people.assistant_a.id),
        ("connexion.code", people.assistant_a.id),
        ("connexion.mot_de_passe", people.medecin_a.id),
    ]
    assert [r.numero for r in recent_sign_ins(people.praticien_a.id, limit=1)] == [6]

"""Concurrent writers (threads standing for gunicorn workers) build one contiguous, valid chain."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from app.audit.services import record, verify_chain
from app.extensions import db as _db
from app.models import JournalAudit

THREADS, EVENTS = 8, 10


def test_concurrent_writers_keep_the_chain_contiguous(app, db):
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        with app.app_context():
            try:
                start.wait()
                for event in range(EVENTS):
                    record("patient.recherche", "succes", objet_id=f"{index}-{event}")
                    _db.session.commit()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                _db.session.rollback()
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    numeros = list(db.session.scalars(select(JournalAudit.numero).order_by(JournalAudit.numero)))
    assert numeros == list(range(1, THREADS * EVENTS + 1))
    assert db.session.scalar(select(func.count(func.distinct(JournalAudit.objet_id)))) == THREADS * EVENTS
    assert verify_chain() == (True, 80, "Journal d'audit intègre : 80 lignes vérifiées.")

"""Per-identifiant attempt counts in the database, shared by every worker and host (SECURITY 3).

An attempt is counted *before* the password or code is checked, under a row lock, in its own short
transaction: parallel requests cannot all slip in before the count grows. A success resets it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.throttle import blocked_until
from app.extensions import db
from app.models import TentativeConnexion
from app.models.types import utcnow


def _wait(row: TentativeConnexion | None, now: datetime, policy=blocked_until) -> timedelta | None | bool:
    if row is None or row.dernier_echec is None:
        return False
    until = policy(row.echecs, row.dernier_echec)
    if until is None or until <= now:
        return False
    return None if until.year == datetime.max.year else until - now


def begin_attempt(key: str, policy=blocked_until) -> timedelta | None | bool:
    """Count one attempt unless the key is throttled; returns False when it may go on, else the wait
    (None when locked). Commits at once, so the lock is not held during the password hash.
    `policy(count, last)` gives until when the key waits (the sign-in's by default)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TentativeConnexion)
    db.session.execute(insert.values(identifiant=key, echecs=0).on_conflict_do_nothing())
    # Take the row's lock (the write lock on SQLite) before reading it.
    db.session.execute(update(TentativeConnexion).where(TentativeConnexion.identifiant == key)
                       .values(echecs=TentativeConnexion.echecs))
    row = db.session.scalar(select(TentativeConnexion).where(TentativeConnexion.identifiant == key)
                            .execution_options(populate_existing=True))
    now = utcnow()
    wait = _wait(row, now, policy)
    if wait is False:
        row.echecs += 1
        row.dernier_echec = now
    db.session.commit()
    return wait


def reset_failures(key: str) -> None:
    """A full success clears the count (in the caller's transaction)."""
    db.session.execute(
        update(TentativeConnexion).where(TentativeConnexion.identifiant == key).values(echecs=0, dernier_echec=None)
    )


def unlock(key: str) -> bool:
    """An administrator unlocks an identifiant (`flask compte debloquer`)."""
    result = db.session.execute(
        update(TentativeConnexion).where(TentativeConnexion.identifiant == key).values(echecs=0, dernier_echec=None)
    )
    return result.rowcount == 1


# --- Lookups that cost nothing to check (a patient's card): checked first, failures counted after ---

def wait_before(key: str, policy=blocked_until) -> tuple[timedelta | None | bool, int]:
    """One read: (the wait as `begin_attempt` gives it, the failures counted so far). Unlike
    `begin_attempt`, nothing is counted or locked: for checks as cheap as a card lookup, where a burst
    of parallel requests can slip at most one guess each past the limit (the sign-in, whose check
    costs a password hash, counts first)."""
    row = db.session.get(TentativeConnexion, key, populate_existing=True)
    return _wait(row, utcnow(), policy), (row.echecs if row is not None else 0)


def count_failure(key: str) -> None:
    """One failure more, in one atomic statement (in the caller's transaction)."""
    now = utcnow()
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TentativeConnexion)
    db.session.execute(insert.values(identifiant=key, echecs=1, dernier_echec=now).on_conflict_do_update(
        index_elements=[TentativeConnexion.identifiant],
        set_={"echecs": TentativeConnexion.echecs + 1, "dernier_echec": now}))

"""Per-identifiant failure counts in the database, shared by every worker and host (SECURITY 3)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.throttle import blocked_until
from app.extensions import db
from app.models import TentativeConnexion
from app.models.types import utcnow


def remaining_wait(identifiant: str, now: datetime | None = None) -> timedelta | None | bool:
    """False when the identifiant may try now; else the time left (None when locked for good)."""
    row = db.session.get(TentativeConnexion, identifiant)
    if row is None or row.dernier_echec is None:
        return False
    until = blocked_until(row.echecs, row.dernier_echec)
    now = now or utcnow()
    if until is None or until <= now:
        return False
    if until.year == datetime.max.year:
        return None
    return until - now


def record_failure(identifiant: str) -> None:
    """Count one more failure, atomically (two workers failing at once both count)."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(TentativeConnexion)
    db.session.execute(insert.values(identifiant=identifiant, echecs=0).on_conflict_do_nothing())
    db.session.execute(
        update(TentativeConnexion)
        .where(TentativeConnexion.identifiant == identifiant)
        .values(echecs=TentativeConnexion.echecs + 1, dernier_echec=utcnow())
    )


def reset_failures(identifiant: str) -> None:
    """A full success clears the count."""
    db.session.execute(
        update(TentativeConnexion)
        .where(TentativeConnexion.identifiant == identifiant)
        .values(echecs=0, dernier_echec=None)
    )

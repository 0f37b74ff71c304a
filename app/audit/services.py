"""Named actions of the audit trail: append a row in the caller's transaction, verify the chain."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from flask import has_request_context, request
from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.domain.audit_chain import GENESIS_HASH, ChainCheck, chain_hash
from app.extensions import db, once
from app.models import AuditTete, JournalAudit
from app.models.types import utcnow

RESULTATS = ("succes", "echec", "refus")
DETAILS_MAX_CHARS = 500
_BATCH = 1000
_HEAD = AuditTete.__table__
_JOURNAL = JournalAudit.__table__


def record(
    action: str,
    resultat: str,
    *,
    compte: Any = None,
    praticien_id: int | None = None,
    identifiant: str | None = None,
    objet_type: str | None = None,
    objet_id: Any = None,
    details: str | None = None,
    horodatage: datetime | None = None,
    origine: tuple[str, str] | None = None,
) -> JournalAudit:
    """Append one row to the journal in the caller's transaction; the caller commits or rolls back.

    `horodatage` and `origine` (IP, user agent) are for events written after the fact (the demo's
    year of practice); a request's own events take the current instant and the request's origin.

    The head's lock is held until that commit, so call this last, just before committing: every
    writer of the portal waits for it, and taking it after other row locks keeps a single lock order.
    """
    if resultat not in RESULTATS:
        raise ValueError(f"résultat d'audit inconnu : {resultat!r}")
    if not action or len(action) > 40 or (objet_type is not None and len(objet_type) > 30):
        raise ValueError(f"action ou type d'objet d'audit invalide : {action!r}, {objet_type!r}")
    numero, previous_hash = _advance_head()
    fields = {
        "numero": numero,
        "horodatage": horodatage or utcnow(),
        "compte_id": compte.id if compte is not None else None,
        "praticien_id": praticien_id if praticien_id is not None else getattr(compte, "praticien_id", None),
        "identifiant_saisi": _clean(identifiant, 64),
        "action": action,
        "objet_type": objet_type,
        "objet_id": _clean(None if objet_id is None else str(objet_id), 40),
        "resultat": resultat,
        "ip": _clean(_origin(origine)[0], 45),
        "user_agent": _clean(_origin(origine)[1], 256),
        "details": _clean(details, DETAILS_MAX_CHARS),
    }
    row_hash = chain_hash(previous_hash, fields)
    row = JournalAudit(**fields, hash_precedent=previous_hash, hash=row_hash)
    db.session.add(row)
    db.session.flush()
    db.session.execute(_head_hash(), {"hash": row_hash})
    return row


def _origin(origine: tuple[str, str] | None) -> tuple[str | None, str | None]:
    if origine is not None:
        return origine
    if has_request_context():
        return request.remote_addr, request.headers.get("User-Agent")
    return None, None


def _clean(value: str | None, limit: int) -> str | None:
    """Typed or sent by the client: PostgreSQL refuses NUL in text, and the column has a length."""
    if value is None:
        return None
    return value.replace("\x00", "")[:limit] or None


@once
def _head_bump():
    return (update(_HEAD).where(_HEAD.c.id == 1).values(numero=_HEAD.c.numero + 1)
            .returning(_HEAD.c.numero, _HEAD.c.dernier_hash))


@once
def _head_hash():
    return update(_HEAD).where(_HEAD.c.id == 1).values(dernier_hash=bindparam("hash"))


def _advance_head() -> tuple[int, str]:
    """Move the head on first, which locks it, then read it: writers of the chain queue here."""
    head = db.session.execute(_head_bump()).one_or_none()
    if head is None:
        _create_head()
        head = db.session.execute(_head_bump()).one()
    return head.numero, head.dernier_hash


def _create_head() -> None:
    """Create the head at the genesis; when another writer races us, its row is the one we use."""
    try:
        with db.session.begin_nested():
            db.session.execute(insert(_HEAD).values(id=1, numero=0, dernier_hash=GENESIS_HASH))
    except IntegrityError:
        pass


def verify_chain(session: Any = None) -> tuple[bool, int, str]:
    """Check the whole journal against its hashes and its head: (intact, rows checked, message).

    `session` defaults to the portal's; `flask restore` passes one bound to the copy it checks."""
    session = session if session is not None else db.session
    head = _read_head(session)
    check = ChainCheck()
    for row in _rows_in_order(session, up_to=head.numero if head else None):
        if not check.add(row):
            return False, check.checked, _altered(check.reason, check.broken_numero)
    if head is None:
        if check.checked:
            return False, check.checked, _altered("tête du journal absente", check.checked)
    elif check.checked < head.numero:
        return False, check.checked, _altered("ligne manquante", check.next_numero)
    elif check.previous_hash != head.dernier_hash:
        return False, check.checked, _altered("tête du journal différente de la dernière ligne", head.numero)
    else:
        beyond = _row_beyond_head(session, head.numero)
        if beyond is not None:
            return False, check.checked, _altered("ligne au-delà de la tête du journal", beyond)
    plural = "s" if check.checked > 1 else ""
    return True, check.checked, f"Journal d'audit intègre : {check.checked} ligne{plural} vérifiée{plural}."


def _altered(reason: str | None, numero: int | None) -> str:
    return f"Journal d'audit altéré : {reason} (ligne numéro {numero})"


def _read_head(session):
    return session.execute(select(_HEAD.c.numero, _HEAD.c.dernier_hash).where(_HEAD.c.id == 1)).one_or_none()


def _rows_in_order(session, up_to: int | None) -> Iterator[Mapping[str, Any]]:
    """Rows in numero order, read in keyset batches so that a long journal never sits in memory."""
    after = 0
    while True:
        query = select(_JOURNAL).where(_JOURNAL.c.numero > after).order_by(_JOURNAL.c.numero).limit(_BATCH)
        if up_to is not None:
            query = query.where(_JOURNAL.c.numero <= up_to)
        batch = session.execute(query).mappings().all()
        yield from batch
        if len(batch) < _BATCH:
            return
        after = batch[-1]["numero"]


def _row_beyond_head(session, head_numero: int) -> int | None:
    """A row past the head that no writer accounts for (writers commit row and head together)."""
    last = session.scalar(select(func.max(_JOURNAL.c.numero)).where(_JOURNAL.c.numero > head_numero))
    if last is None:
        return None
    # Rows committed since the head was first read come with a head that has moved on as far.
    current = _read_head(session)
    return last if current is None or current.numero < last else None


def recent_sign_ins(praticien_id: int, limit: int = 20) -> list[JournalAudit]:
    """The latest sign-in events of a praticien's account and his assistants', newest first."""
    query = (
        select(JournalAudit)
        .where(JournalAudit.praticien_id == praticien_id, JournalAudit.action.startswith("connexion"))
        .order_by(JournalAudit.numero.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))

"""The state between the password step and the code step (SECURITY.md 9): on the server, single-use,
a few minutes long, holding no password and granting nothing but the code or enrolment page."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import session
from sqlalchemy import delete

from app.auth.sessions import practice_suspended
from app.domain.access import account_valid_on
from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import Compte, ConnexionEnAttente
from app.models.types import utcnow

PENDING_LIFETIME = timedelta(minutes=5)
CODE = "code"
ENROL = "activation"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def set_pending(compte: Compte, stage: str) -> None:
    """Remember, on the server, who passed the password step; the cookie gets a fresh random token."""
    session.clear()
    purge_expired()
    token = secrets.token_urlsafe(32)
    db.session.add(ConnexionEnAttente(empreinte=_digest(token), compte_id=compte.id, etape=stage,
                                      expire_le=utcnow() + PENDING_LIFETIME))
    session["attente"] = token


def pending_account(stage: str) -> Compte | None:
    """The account waiting at this stage, or None (no token, expired, used, other stage, or the
    account no longer allowed in: removed, or an assistant outside his dates)."""
    token = session.get("attente")
    if not isinstance(token, str):
        return None
    row = db.session.get(ConnexionEnAttente, _digest(token))
    if row is None or row.etape != stage or row.expire_le < utcnow():
        return None
    compte = db.session.get(Compte, row.compte_id)
    if compte is None or not account_valid_on(compte.role, compte.valide_du, compte.valide_au,
                                              compte.supprime_le is not None, today_in_monaco()):
        return None
    if practice_suspended(compte):
        return None
    return compte


def end_pending(compte_id: int) -> None:
    """Every pending sign-in of the account ends (at sign-in, logout, or a new password)."""
    db.session.execute(delete(ConnexionEnAttente).where(ConnexionEnAttente.compte_id == compte_id))
    session.pop("attente", None)


def is_pending() -> bool:
    return "attente" in session


def purge_expired() -> None:
    db.session.execute(delete(ConnexionEnAttente).where(ConnexionEnAttente.expire_le < utcnow()))

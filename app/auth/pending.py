"""The state between the password step and the code step: short-lived, no password, no rights (SECURITY 9)."""

from __future__ import annotations

import time

from flask import session

from app.extensions import db
from app.models import Compte

PENDING_SECONDS = 300
CODE = "code"
ENROL = "activation"


def now_unix() -> float:
    return time.time()


def set_pending(compte: Compte, stage: str) -> None:
    """Remember who passed the password step, for a few minutes; the cookie is renewed."""
    session.clear()
    session["attente"] = {"compte_id": compte.id, "etape": stage, "expire": int(now_unix()) + PENDING_SECONDS}


def pending_account(stage: str) -> Compte | None:
    """The account waiting at this stage, or None when there is none or it expired."""
    data = session.get("attente")
    if not data or data.get("etape") != stage or data.get("expire", 0) < now_unix():
        return None
    compte = db.session.get(Compte, data["compte_id"])
    if compte is None or compte.supprime_le is not None:
        return None
    return compte


def clear_pending() -> None:
    session.pop("attente", None)


def is_pending() -> bool:
    return "attente" in session

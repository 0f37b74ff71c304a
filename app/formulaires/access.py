"""Who may open the forms' pages: the praticien himself for the kinds his profession writes (the
forms); his whole practice, assistants included, for the documents and histories — when the
profession writes any form at all. Anyone else gets 403, and the attempt is logged (SECURITY.md 15)."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required

from app.audit.services import record
from app.domain.formulaires import kinds_for, may_fill
from app.extensions import db


def refuse():
    """403, with its audit row."""
    record("acces.refuse", "refus", compte=current_user.compte, objet_type="route", objet_id=request.endpoint)
    db.session.commit()
    abort(403)


def prescriber_required(view):
    """The praticien himself, for a kind his profession writes; anyone else gets 403 (logged)."""
    @wraps(view)
    def wrapped(kind: str, *args, **kwargs):
        if not current_user.est_praticien or not may_fill(current_user.praticien.profession, kind):
            return refuse()
        return view(kind, *args, **kwargs)
    return login_required(wrapped)


def practice_prescribes(view):
    """A page of a practice whose praticien writes at least one kind of form (assistants included)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not kinds_for(current_user.praticien.profession):
            return refuse()
        return view(*args, **kwargs)
    return login_required(wrapped)

"""Who may open the back office: the caisse's staff, each route naming the roles it admits (checked
in the view, SECURITY.md 15). A praticien or an assistant gets 403 there, and the caisse's staff get
403 on the practices' pages (app/caisse/hooks.py); every refusal is logged."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from app.audit.services import record
from app.domain.access import STAFF_ROLES
from app.domain.praticiens import clean_text, motif_problem
from app.extensions import db


def refuse():
    """403, with its audit row."""
    record("acces.refuse", "refus", compte=current_user.compte, objet_type="route", objet_id=request.endpoint)
    db.session.commit()
    abort(403)


def staff_required(*roles: str):
    """The view admits these roles of the caisse's staff (all of them when none is named)."""
    admitted = frozenset(roles) or STAFF_ROLES

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if current_user.compte.role not in admitted:
                return refuse()
            return view(*args, **kwargs)
        return login_required(wrapped)
    return decorate


class ReasonForm(FlaskForm):
    """A back-office action that says why: a subclass names its field's label and the words of a
    missing reason (mandatory, 500 characters at most, spaces tidied)."""

    NO_REASON = "Écrivez le motif."
    motif = TextAreaField("Motif", render_kw={"rows": 3})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.motif.data = clean_text(self.motif.data)
        if problem := motif_problem(self.motif.data, self.NO_REASON):
            self.motif.errors = [*self.motif.errors, problem]
            ok = False
        return ok

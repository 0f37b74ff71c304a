"""The notice « La caisse a rejeté N FSE » on the practice's home page (the FSE page, where a
praticien or an assistant lands after sign-in): the rejections of the praticien's FSE that this
account has not acknowledged yet, until « J'ai pris connaissance ». Each account acknowledges for
itself: an assistant's acknowledgement hides nothing from the praticien.

The page's template asks for the notice (`rejection_notice()`), so that every full rendering of the
FSE page shows it, a 422 without JavaScript included; its fragments never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import bindparam, func, or_, select, update

from app.audit.services import record
from app.domain.caisse_fses import acknowledged_until, rejections_unseen_since
from app.domain.lifecycle import REJETEE
from app.extensions import db, once
from app.fse.routes import bp
from app.models import Compte, Fse
from app.models.types import utcnow
from app.web.fields import EmptyForm
from app.web.htmx import wants_fragment

NOTICE_MAX_ROWS = 10  # the notice lists the newest ones; the history has them all


@dataclass(frozen=True)
class RejectionNotice:
    """The rejections this account has not acknowledged: how many, the newest few, up to when."""

    count: int
    rows: list[Fse]
    newest: datetime


def unseen_rejections(compte: Compte) -> RejectionNotice | None:
    """The praticien's FSE rejected since this account last acknowledged them; None when there are none."""
    if compte.praticien_id is None:
        return None
    values = {"praticien_id": compte.praticien_id,
              "since": rejections_unseen_since(compte.rejets_vus_le, compte.cree_le)}
    # Columns, not objects: run by the session's connection, without the ORM's steps (half the time).
    count, newest = db.session.connection().execute(_count_query(), values).one()
    if not count:
        return None
    rows = list(db.session.scalars(_rows_query(), values))
    return RejectionNotice(count=count, rows=rows, newest=newest)  # max() keeps the column's type: UTC-aware


def _unseen():
    return (Fse.praticien_id == bindparam("praticien_id"), Fse.statut == REJETEE,
            Fse.statut_change_le > bindparam("since"))


@once
def _count_query():
    """How many, up to when: every FSE page runs it."""
    return select(func.count(), func.max(Fse.statut_change_le)).where(*_unseen())


@once
def _rows_query():
    return select(Fse).where(*_unseen()).order_by(Fse.statut_change_le.desc(), Fse.id.desc()).limit(NOTICE_MAX_ROWS)


@bp.app_template_global()
def rejection_notice() -> RejectionNotice | None:
    """The notice for the signed-in practice account (the FSE page's template calls it)."""
    return unseen_rejections(current_user.compte) if current_user.is_authenticated else None


@bp.post("/rejets-vus")
@login_required
def acknowledge_rejections():
    """« J'ai pris connaissance »: this account has seen the rejections up to the newest one the notice
    showed (one that came after the page was drawn stays in the notice); back to the FSE page."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    shown_until = _instant(request.form.get("jusqu_au"))
    if shown_until is None:
        abort(400)
    compte = current_user.compte
    target = acknowledged_until(compte.rejets_vus_le, shown_until, utcnow())
    if target is not None:
        changed = db.session.execute(
            update(Compte).where(Compte.id == compte.id,
                                 or_(Compte.rejets_vus_le.is_(None), Compte.rejets_vus_le < target))
            .values(rejets_vus_le=target).execution_options(synchronize_session=False)).rowcount
        if changed:
            record("fse.rejets_vus", "succes", compte=compte)
        db.session.commit()
    if wants_fragment():
        return "", 200, {"Vary": "HX-Request"}
    return redirect(url_for("fse.page"), code=303)


def _instant(text: str | None) -> datetime | None:
    """An aware instant written by the notice's form (ISO 8601), or None."""
    try:
        instant = datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None

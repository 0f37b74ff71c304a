"""The médecin conseil's « Formulaires »: the documents the praticiens transmitted, their medical
elements opened for him alone (each reading audited), and his decision on ETM and invalidity
requests (accordé / refusé, with a comment to the praticien). An agent gets 403 here: he never sees
a medical element."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.audit.services import record
from app.caisse.access import staff_required
from app.caisse.routes import bp
from app.domain.access import MEDECIN_CONSEIL
from app.domain.formulaires import ETM, INVALIDITE, KINDS, LONG_TITLES, SORTIES, STATUTS, TITLES, duration_days
from app.extensions import db
from app.formulaires import medical
from app.models import Formulaire
from app.models.types import utcnow
from app.web.fields import choices

PAGE_SIZE = 50
DECIDED_KINDS = (ETM, INVALIDITE)  # an IT is a prescription: nothing to decide


class DecisionForm(FlaskForm):
    """The médecin conseil's decision on a request."""

    decision = RadioField("Décision", choices=choices([("accorde", "Accordé"), ("refuse", "Refusé")]),
                          validators=[DataRequired("Choisissez « Accordé » ou « Refusé ».")])
    commentaire = TextAreaField("Commentaire au praticien", validators=[
        Optional(), Length(max=2000, message="2000 caractères au plus.")], render_kw={"rows": 4})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.decision.data == "refuse" and not (self.commentaire.data or "").strip():
            self.commentaire.errors = [*self.commentaire.errors, "Un refus s'explique : écrivez au praticien la raison."]
            ok = False
        return ok


def _sent():
    return select(Formulaire).where(Formulaire.statut != "brouillon")


@bp.get("/formulaires")
@staff_required(MEDECIN_CONSEIL)
def formulaires():
    """The transmitted documents, the requests still to decide first, newest first; by kind."""
    kind = request.args.get("type", "")
    kind = kind if kind in KINDS else ""
    query = _sent().options(selectinload(Formulaire.praticien))
    count = select(func.count()).select_from(Formulaire).where(Formulaire.statut != "brouillon")
    if kind:
        query, count = query.where(Formulaire.type == kind), count.where(Formulaire.type == kind)
    page = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(count)
    pending_first = (Formulaire.statut == "transmis") & Formulaire.type.in_(DECIDED_KINDS)
    rows = db.session.scalars(query.order_by(pending_first.desc(), Formulaire.transmis_le.desc(), Formulaire.id.desc())
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("caisse/formulaires.html", rows=rows, kind=kind, titles=TITLES, statuts=STATUTS,
                           page=page, pages=max(1, -(-total // PAGE_SIZE)), total=total,
                           decided_kinds=DECIDED_KINDS)


@bp.get("/formulaires/<int:document_id>")
@staff_required(MEDECIN_CONSEIL)
def formulaire(document_id: int):
    """A document with its medical elements, opened for the médecin conseil; the reading is audited."""
    document = db.session.scalar(_sent().where(Formulaire.id == document_id))
    if document is None:
        abort(404)
    record("formulaire.lecture", "succes", compte=current_user.compte, objet_type="formulaire",
           objet_id=document.id)
    db.session.commit()
    return _detail(document, DecisionForm(formdata=None))


def _detail(document, form, status: int = 200):
    return render_template(
        "caisse/formulaire.html", document=document, form=form, elements=medical.unseal(document.elements_medicaux),
        labels=medical.LABELS, title=TITLES[document.type], long_title=LONG_TITLES[document.type],
        statuts=STATUTS, sorties=SORTIES, duration_days=duration_days,
        decidable=document.type in DECIDED_KINDS and document.statut == "transmis"), status


@bp.post("/formulaires/<int:document_id>/decision")
@staff_required(MEDECIN_CONSEIL)
def decide(document_id: int):
    """« Accordé » or « Refusé », once: the status, the decision's author, date and comment, and its
    audit row in one transaction; a request already decided (another tab, a colleague) is not changed."""
    document = db.session.scalar(_sent().where(Formulaire.id == document_id))
    if document is None or document.type not in DECIDED_KINDS:
        abort(404)
    form = DecisionForm()
    if not form.validate():
        return _detail(document, form, 422)
    changed = db.session.execute(
        update(Formulaire).where(Formulaire.id == document.id, Formulaire.statut == "transmis")
        .values(statut=form.decision.data, decision_le=utcnow(), decision_par_id=current_user.compte.id,
                decision_commentaire=(form.commentaire.data or "").strip() or None,
                version=Formulaire.version + 1)  # the ORM's version counter, kept in step
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        flash("Cette demande a déjà été décidée : voici sa décision.", "warning")
        return redirect(url_for("caisse.formulaire", document_id=document.id), code=303)
    record("formulaire.decision", "succes", compte=current_user.compte, objet_type="formulaire",
           objet_id=document.id, details=form.decision.data)
    db.session.commit()
    flash(f"Décision enregistrée : {STATUTS[form.decision.data].lower()}.", "success")
    return redirect(url_for("caisse.formulaire", document_id=document.id), code=303)

"""The documents a practice transmitted: the last ones of each kind, a document's page (never its
medical elements), and each kind's history. The praticien and his assistants see them alike."""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask_login import current_user
from sqlalchemy import select

from app.audit.services import record
from app.domain.calendar import today_in_monaco
from app.domain.formulaires import IT, LONG_TITLES, SORTIES, STATUTS, TITLES, duration_days
from app.extensions import db
from app.formulaires import services
from app.formulaires.pdf import employer_copy_pdf
from app.formulaires.routes import bp, practice_prescribes
from app.models import Formulaire


def latest_documents(praticien_id: int, kind: str, limit: int = 5) -> list[Formulaire]:
    """The last documents of this kind the practice transmitted, newest first."""
    return list(db.session.scalars(
        select(Formulaire).where(Formulaire.praticien_id == praticien_id, Formulaire.type == kind,
                                 Formulaire.statut != "brouillon")
        .order_by(Formulaire.transmis_le.desc(), Formulaire.id.desc()).limit(limit)))


@bp.get("/document/<int:document_id>")
@practice_prescribes
def document(document_id: int):
    """A transmitted document: patient, dates, reference, status — its medical elements are the
    médecin conseil's alone and never shown here. Another practice's document is a 404."""
    found = services.document_of(current_user.praticien_id, document_id)
    if found is None:
        abort(404)
    return render_template("formulaires/document.html", document=found, title=TITLES[found.type],
                           long_title=LONG_TITLES[found.type], statuts=STATUTS, sorties=SORTIES,
                           duration_days=duration_days)


@bp.get("/document/<int:document_id>/copie-employeur.pdf")
@practice_prescribes
def employer_copy(document_id: int):
    """The employer's copy of a transmitted IT of this practice (no medical element), audited."""
    found = services.document_of(current_user.praticien_id, document_id)
    if found is None or found.type != IT:
        abort(404)
    content = employer_copy_pdf(found, today_in_monaco())
    record("formulaire.copie_employeur", "succes", compte=current_user.compte, objet_type="formulaire",
           objet_id=found.id)
    db.session.commit()
    response = make_response(content)
    response.mimetype = "application/pdf"
    # Inline: the tablet's PDF viewer opens it, ready to print.
    response.headers["Content-Disposition"] = f'inline; filename="arret-de-travail-{found.reference}.pdf"'
    response.headers["Cache-Control"] = "no-store"
    return response

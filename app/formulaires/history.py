"""The documents a practice transmitted: a document's page (never its medical elements), the IT's
employer copy, and each kind's history. The praticien and his assistants see them alike."""

from __future__ import annotations

from flask import abort, make_response, render_template, request, url_for
from flask_login import current_user

from app.audit.services import record
from app.domain.calendar import today_in_monaco
from app.domain.formulaires import IT, LONG_TITLES, SORTIES, STATUTS, TITLES, duration_days, may_fill
from app.extensions import db
from app.formulaires import services
from app.formulaires.access import practice_prescribes, refuse
from app.formulaires.forms import FormHistoryFilterForm
from app.formulaires.history_services import FormHistoryFilters, history_page
from app.formulaires.pdf import employer_copy_pdf
from app.formulaires.views import KIND, bp
from app.web.expired import MESSAGE as EXPIRED_MESSAGE
from app.web.expired import rerenders_expired
from app.web.htmx import wants_fragment
from app.web.pdf import pdf_response


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
    # Inline: the tablet's PDF viewer opens it, ready to print.
    return pdf_response(content, f"arret-de-travail-{found.reference}.pdf", inline=True)


@bp.route(f"/{KIND}/historique", methods=["GET", "POST"])
@practice_prescribes
def history(kind: str):
    """A kind's transmitted documents, newest first (no medical element). The filters and the page
    number are posted by one form, so neither a patient nor a session state is needed between pages;
    a kind the profession does not write is refused (403, logged), as on the forms."""
    if not may_fill(current_user.praticien.profession, kind):
        return refuse()
    if request.method == "GET":
        return _history_response(kind, FormHistoryFilterForm(formdata=None), FormHistoryFilters(), 1)
    form = FormHistoryFilterForm()
    if not form.validate():
        return _history_response(kind, form, None, 1, status=422)
    return _history_response(kind, form, form.filters(), request.form.get("page", 1, type=int))


def _history_response(kind: str, form, filters: FormHistoryFilters | None, page: int, status: int = 200,
                      expired: str | None = None):
    """The results region for htmx, else the whole page; no list while the filters are in error."""
    result = history_page(current_user.praticien_id, kind, filters, page) if filters is not None else None
    context = {"kind": kind, "title": TITLES[kind], "long_title": LONG_TITLES[kind], "form": form,
               "filters": filters, "result": result, "statuts": STATUTS, "expired": expired,
               "history_url": url_for("formulaires.history", kind=kind)}
    template = "formulaires/_history_results.html" if wants_fragment() else "formulaires/history.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


@rerenders_expired("formulaires.history")
def _history_expired():
    """Expired filters: the form again as typed, with a fresh token and the message; nothing listed."""
    kind = request.view_args.get("kind") if request.view_args else None
    if kind is None or not current_user.is_authenticated or not may_fill(current_user.praticien.profession, kind):
        return None
    return _history_response(kind, FormHistoryFilterForm(), None, 1, status=422 if wants_fragment() else 400,
                             expired=EXPIRED_MESSAGE)

"""The documents a practice transmitted: a document's page (never its medical elements), the IT's
employer copy, and each kind's history. The praticien and his assistants see them alike."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, request, url_for
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
from app.web import filter_state
from app.web.expired import MESSAGE as EXPIRED_MESSAGE
from app.web.expired import rerenders_expired
from app.web.fields import EmptyForm
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
    page = request.args.get("page", 1, type=int)  # the history's page it was opened from, a number only
    return render_template("formulaires/document.html", document=found, title=TITLES[found.type],
                           long_title=LONG_TITLES[found.type], statuts=STATUTS, sorties=SORTIES,
                           duration_days=duration_days, page=page if page > 1 else None)


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


def _state_key(kind: str) -> str:
    """Each kind's history keeps its own filters for the signed-in session."""
    return f"formulaires:{kind}"


@bp.get(f"/{KIND}/historique")
@practice_prescribes
def history(kind: str):
    """A kind's transmitted documents, newest first (no medical element), with the filters this
    signed-in session last applied (app/web/filter_state.py); `?page=N` is the only thing in the URL.
    A kind the profession does not write is refused (403, logged), as on the forms."""
    if not may_fill(current_user.praticien.profession, kind):
        return refuse()
    filters = filter_state.load(current_user, _state_key(kind), FormHistoryFilters)
    form = FormHistoryFilterForm(formdata=None)
    form.fill(filters)
    return _history_response(kind, form, filters, filters, request.args.get("page", 1, type=int))


@bp.post(f"/{KIND}/historique")
@practice_prescribes
def filter_history(kind: str):
    """« Filtrer »: valid filters are kept for the session, then the region for htmx (the address set
    back to the history's) or, without JavaScript, a redirect to the history (so Back never meets a
    posted page); filters in error: 422, the messages next to the fields, the input kept, no list."""
    if not may_fill(current_user.praticien.profession, kind):
        return refuse()
    form = FormHistoryFilterForm()
    key = _state_key(kind)
    if not form.validate():
        return _history_response(kind, form, filter_state.load(current_user, key, FormHistoryFilters), None, 1,
                                 status=422)
    filters = form.filters()
    filter_state.save(current_user, key, filters)
    if wants_fragment():
        return _history_response(kind, form, filters, filters, 1)
    return redirect(url_for("formulaires.history", kind=kind), 303)


@bp.post(f"/{KIND}/historique/reinitialiser")
@practice_prescribes
def reset_history(kind: str):
    """« Réinitialiser les filtres »: every document of the kind again."""
    if not may_fill(current_user.praticien.profession, kind):
        return refuse()
    if not EmptyForm().validate_on_submit():
        abort(400)
    filter_state.clear(_state_key(kind))
    if wants_fragment():
        return _history_response(kind, FormHistoryFilterForm(formdata=None), FormHistoryFilters(),
                                 FormHistoryFilters(), 1)
    return redirect(url_for("formulaires.history", kind=kind), 303)


def _history_response(kind: str, form, kept: FormHistoryFilters, filters: FormHistoryFilters | None, page: int,
                      status: int = 200, expired: str | None = None):
    """The results region for htmx, else the whole page; no list while the filters are in error.

    `kept` are the session's filters (they enable « Réinitialiser les filtres »), `filters` those
    listed (None: nothing listed). An htmx answer to a POST also sets the address to the history's:
    a page number pushed by the pagination must not outlive the selection it belonged to."""
    result = history_page(current_user.praticien_id, kind, filters, page) if filters is not None else None
    context = {"kind": kind, "title": TITLES[kind], "long_title": LONG_TITLES[kind], "form": form,
               "kept": kept, "filters": filters, "result": result, "statuts": STATUTS, "expired": expired,
               "history_url": url_for("formulaires.history", kind=kind)}
    template = "formulaires/_history_results.html" if wants_fragment() else "formulaires/history.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if wants_fragment() and request.method == "POST":
        response.headers["HX-Replace-Url"] = url_for("formulaires.history", kind=kind)
    return response


@rerenders_expired("formulaires.filter_history")
@rerenders_expired("formulaires.reset_history")
def _history_expired():
    """An expired filter or reset form (SECURITY.md 18): nothing done, the form again with a fresh
    token and the message — the filters as typed and nothing listed, or for the reset the kept filters
    and their list; the region (422) for htmx, the page (400) without JavaScript."""
    kind = request.view_args.get("kind") if request.view_args else None
    if kind is None or not current_user.is_authenticated or not may_fill(current_user.praticien.profession, kind):
        return None
    kept = filter_state.load(current_user, _state_key(kind), FormHistoryFilters)
    status = 422 if wants_fragment() else 400
    if request.endpoint == "formulaires.reset_history":
        form = FormHistoryFilterForm(formdata=None)
        form.fill(kept)
        return _history_response(kind, form, kept, kept, 1, status=status, expired=EXPIRED_MESSAGE)
    return _history_response(kind, FormHistoryFilterForm(), kept, None, 1, status=status, expired=EXPIRED_MESSAGE)

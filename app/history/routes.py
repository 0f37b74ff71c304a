"""« Historique FSE »: the list with its filters, totals and month chart, an FSE's summary, « Exporter »
(CSV) and « Supprimer » (the same day, before 22:00).

The filters are posted, never put in a URL, and kept server-side for the session (app/history/state.py);
the list's region is one partial, the htmx response on its own and included by the page.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit.services import record
from app.domain.lifecycle import can_delete, deletion_refusal
from app.domain.professions import display_name, hnp_label
from app.extensions import db
from app.history import services, state
from app.history.chart import month_chart
from app.history.export import csv_rows, export_count, export_ids
from app.history.forms import HistoryFilterForm
from app.profile.services import person_choices, practice_accounts
from app.web.fields import choices
from app.web.expired import MESSAGE as EXPIRED, rerenders_expired
from app.web.fields import EmptyForm
from app.web.htmx import wants_fragment

bp = Blueprint("history", __name__, url_prefix="/historique")


def _form(accounts, formdata=None) -> HistoryFilterForm:
    form = HistoryFilterForm(formdata=formdata)
    form.personne.choices = choices(person_choices(accounts, current_user.compte.id))
    form.window = services.window(services.now())
    return form


def _names(accounts) -> dict[int, str]:
    return {compte.id: compte.nom_complet for compte in accounts}


def _page_arg() -> int | None:
    """The list's page a detail was opened from (`?page=N`, a number only), None for the first."""
    page = request.args.get("page", 1, type=int)
    return page if page > 1 else None


def _owner_words() -> str:
    """Whose FSE the history shows, right for the praticien and for an assistant."""
    if current_user.compte.role == "praticien":
        return "les vôtres et celles de vos assistant(e)s"
    praticien = current_user.praticien
    return f"celles de {display_name(praticien.profession, praticien.prenom, praticien.nom)} et de ses assistant(e)s"


def _render(form, filters, accounts, status: int = 200, page: int = 1, expired: str | None = None):
    """The results region as a fragment for htmx, or the whole page; a failed filter keeps the last list.

    A response to the filter or reset form also sets the address to /historique: a page number
    pushed by the pagination must not outlive the selection it belonged to."""
    at = services.now()
    praticien_id = current_user.praticien_id
    praticien = current_user.praticien  # his history's token keys the cached totals and chart
    result = services.history_page(praticien_id, filters, page, at, _names(accounts), praticien)
    chart = month_chart(services.month_series(praticien_id, filters, at, praticien))
    first, today = services.window(at)
    du, au = services.period(filters, at)
    context = dict(form=form, result=result, chart=chart, filters=filters, first=first, today=today, du=du, au=au,
                   hnp_word=hnp_label(current_user.praticien.profession), empty=EmptyForm(formdata=None),
                   status_label=services.status_label, acts_summary=services.acts_summary,
                   status_words=services.status_words, not_counted=filters.statut in services.NOT_COUNTED,
                   notice=services.period_notice(filters, at), expired=expired, owner_words=_owner_words())
    template = "history/_results.html" if wants_fragment() else "history/page.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if wants_fragment() and request.method == "POST":
        response.headers["HX-Replace-Url"] = url_for("history.page")
    return response


@bp.get("")
@login_required
def page():
    """The history with the filters kept for this session; `page` is the only thing in the URL."""
    accounts = practice_accounts(current_user.praticien_id)
    filters = state.load_filters(current_user)
    form = _form(accounts)
    form.fill(filters)
    return _render(form, filters, accounts, page=request.args.get("page", 1, type=int))


@bp.post("")
@login_required
def apply_filters():
    """Apply the posted filters (htmx: the region; without JavaScript: back to the page)."""
    accounts = practice_accounts(current_user.praticien_id)
    form = _form(accounts, request.form)
    if not form.validate_on_submit():
        return _render(form, state.load_filters(current_user), accounts, status=422)
    filters = form.filters()
    state.save_filters(current_user, filters)
    if wants_fragment():
        return _render(form, filters, accounts)
    return redirect(url_for("history.page"))


@bp.post("/reinitialiser")
@login_required
def reset_filters():
    """« Réinitialiser les filtres »: the whole 12 months again."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    state.clear_filters()
    if wants_fragment():
        accounts = practice_accounts(current_user.praticien_id)
        return _render(_form(accounts), services.HistoryFilters(), accounts)
    return redirect(url_for("history.page"))


@bp.post("/export")
@login_required
def export():
    """« Exporter »: the filtered list as CSV for a French Excel, streamed; the export is audited."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    at = services.now()
    praticien_id = current_user.praticien_id
    filters = state.load_filters(current_user)
    names = _names(practice_accounts(praticien_id))
    praticien = current_user.praticien
    count = export_count(praticien_id, filters, at, praticien)
    ids = export_ids(praticien_id, filters, at, count, praticien)
    record("fse.export", "succes", compte=current_user.compte, objet_type="historique",
           details=f"{count} FSE exportée{'s' if count > 1 else ''}")
    db.session.commit()
    hnp_word = hnp_label(current_user.praticien.profession)
    app = current_app._get_current_object()

    def body():
        # The rows are read after the view has returned: each chunk in a short app context (and
        # session) of its own, left before the chunk is handed to the server, so no context stays
        # pushed between two yields. Everything the request knew is passed in.
        chunks = csv_rows(praticien_id, filters, at, names, hnp_word, ids)
        while True:
            with app.app_context():
                chunk = next(chunks, None)
            if chunk is None:
                return
            yield chunk

    response = make_response(body())
    response.mimetype = "text/csv"
    response.charset = "utf-8"
    filename = f"historique-fse-{services.in_monaco(at):%Y%m%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _fse_or_404(fse_id: int):
    fse = services.fse_of(current_user.praticien_id, fse_id)
    if fse is None:
        abort(404)
    return fse


@bp.get("/<int:fse_id>")
@login_required
def detail(fse_id: int):
    """An FSE's summary: acts, amounts, dates, who made and transmitted it, status (another's: 404)."""
    fse = _fse_or_404(fse_id)
    at = services.now()
    names = _names(practice_accounts(current_user.praticien_id))
    return render_template("history/detail.html", fse=fse, names=names, page=_page_arg(),
                           can_delete=can_delete(fse.statut, fse.transmise_le, at),
                           refusal=deletion_refusal(fse.statut, fse.transmise_le, at),
                           status_label=services.status_label, hnp_word=hnp_label(current_user.praticien.profession))


@bp.route("/<int:fse_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete(fse_id: int):
    """« Supprimer »: a confirmation page, then the deletion (refused at 22:00 and for another day)."""
    fse = _fse_or_404(fse_id)
    form = EmptyForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    at = services.now()
    refusal = deletion_refusal(fse.statut, fse.transmise_le, at)
    if request.method == "GET":
        return render_template("history/confirm_delete.html", fse=fse, form=form, refusal=refusal, page=_page_arg())
    try:
        if refusal:
            raise services.HistoryError(refusal)
        services.delete_fse(current_user, fse, at)
    except services.HistoryError as error:
        db.session.rollback()
        record("fse.suppression", "refus", compte=current_user.compte, objet_type="fse", objet_id=fse_id)
        db.session.commit()
        fse = _fse_or_404(fse_id)
        return make_response(render_template("history/confirm_delete.html", fse=fse, form=form,
                                             refusal=str(error), page=_page_arg()), error.status)
    db.session.commit()
    flash(f"La FSE {fse.accuse_reception} a été supprimée.", "success")
    return redirect(url_for("history.detail", fse_id=fse_id, page=_page_arg()))


@rerenders_expired("history")
def history_expired():
    """A POST of the history whose CSRF token expired (SECURITY.md 18): nothing done, the form again
    with a fresh token and the message: the filters as typed (the region, 422, for htmx; the page,
    400, without JavaScript), or the deletion's confirmation (400; another's FSE: the plain 400)."""
    if not current_user.is_authenticated:
        return None
    if request.endpoint == "history.delete":
        fse = services.fse_of(current_user.praticien_id, request.view_args.get("fse_id", 0))
        if fse is None:
            return None
        refusal = deletion_refusal(fse.statut, fse.transmise_le, services.now())
        return render_template("history/confirm_delete.html", fse=fse, form=EmptyForm(formdata=None),
                               refusal=refusal, page=_page_arg(), expired=EXPIRED), 400
    accounts = practice_accounts(current_user.praticien_id)
    filters = state.load_filters(current_user)
    form = _form(accounts, request.form if request.endpoint == "history.apply_filters" else None)
    if request.endpoint != "history.apply_filters":
        form.fill(filters)
    return _render(form, filters, accounts, status=422 if wants_fragment() else 400, expired=EXPIRED)

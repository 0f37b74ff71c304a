"""The basket's controls on the FSE page: NGAP and CCAM lines, CCAM search, favourites, billing."""

from __future__ import annotations

from flask import abort, flash, make_response, render_template, request
from flask_login import current_user, login_required

from app.extensions import commit_keeping_state, db
from app.fse import catalogue, conflict, services
from app.fse.forms import BillingForm, CcamForm, NgapForm
from app.fse.services import FseError
from app.fse.state import build_state
from app.fse.views import bp, profession, respond
from app.web.fields import EmptyForm, choices
from app.web.htmx import wants_fragment

@bp.post("/ngap")
@login_required
def add_ngap():
    """Add an NGAP line: letter key, majorations, coefficient, divisor."""
    draft = services.current_draft(current_user, household="beneficiaire")
    if conflict.stale(draft):
        return conflict.response(draft)
    form = NgapForm()
    form.majorations.choices = choices(catalogue.options("MAJ", profession(), draft.date_soins))
    return _add_line(draft, form, "ngap", "lettre", lambda: services.add_ngap(
        draft, profession(), form.lettre.data.strip().upper(), form.coefficient.decimal,
        int(form.diviseur.data), list(form.majorations.data)))


@bp.post("/ccam")
@login_required
def add_ccam():
    """Add a CCAM line: code, activity, phase, modifiers, association code."""
    draft = services.current_draft(current_user, household="beneficiaire")
    if conflict.stale(draft):
        return conflict.response(draft)
    form = CcamForm()
    form.modificateurs.choices = choices(catalogue.options("MOD", profession(), draft.date_soins))
    return _add_line(draft, form, "ccam", "code", lambda: services.add_ccam(
        draft, profession(), form.code.data.strip().upper(), int(form.activite.data), int(form.phase.data),
        list(form.modificateurs.data), int(form.association.data)))


def _add_line(draft, form, name: str, default_field: str, add):
    """Add the entry line's act; the basket comes back with a fresh entry line, or the entry line
    comes back with its message and what was typed."""
    if form.validate_on_submit():
        try:
            add()
            commit_keeping_state()
            return respond(draft, "fse/_panier.html", entries_oob=True, focus=default_field)
        except FseError as error:
            db.session.rollback()
            draft = services.current_draft(current_user, household="beneficiaire")
            form[error.field if error.field in form else default_field].errors = [str(error)]
    return _entry_error(draft, f"fse/_{name}.html", focus=default_field, **{name: form})


def _entry_error(draft, fragment, focus=None, **form):
    """An entry line refused: its form comes back with the message and what was typed."""
    response = respond(draft, fragment, 422, focus=focus, **form)
    if wants_fragment():
        response.headers["HX-Retarget"] = "#" + fragment.split("_")[1].split(".")[0]
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.get("/ccam/recherche")
@login_required
def search_ccam():
    """Autocomplete on CCAM code and label (fragment for htmx, a page of results without JavaScript)."""
    query = (request.args.get("q") or request.args.get("code") or "").strip()
    results = catalogue.search_ccam(query) if len(query) >= 2 else []
    template = "fse/_ccam_suggestions.html" if wants_fragment() else "fse/ccam_search.html"
    response = make_response(render_template(template, results=results, query=query))
    response.vary.add("HX-Request")
    return response


@bp.post("/lignes/<int:line_id>/supprimer")
@login_required
def remove_line(line_id: int):
    """Remove a line from the basket; totals follow."""
    draft = services.current_draft(current_user, household="beneficiaire")
    if not EmptyForm().validate_on_submit():
        abort(400)
    if conflict.stale(draft):
        return conflict.response(draft)  # before the 404 of a line removed in the other tab
    try:
        services.remove_line(draft, line_id)
    except FseError:
        abort(404)
    commit_keeping_state()
    return respond(draft, "fse/_panier.html")


@bp.post("/lignes/<int:line_id>/favori")
@login_required
def add_favourite(line_id: int):
    """« Ajouter aux favoris »: keep this act, as entered, for one-tap reuse."""
    draft = services.current_draft(current_user, household="beneficiaire")
    line = next((line for line in draft.lignes if line.id == line_id), None)
    if line is None and conflict.stale(draft):
        return conflict.response(draft)  # the line was removed in another tab: show the basket as it is
    if line is None or not EmptyForm().validate_on_submit():
        abort(404)
    catalogue.add_favourite(current_user.praticien_id, line)
    commit_keeping_state()
    return respond(draft, "fse/_panier.html", favoris_oob=True)  # the new favourite shows at once


@bp.post("/favoris/<int:favori_id>")
@login_required
def use_favourite(favori_id: int):
    """One tap on a favourite adds its act to the basket."""
    draft = services.current_draft(current_user, household="beneficiaire")
    if conflict.stale(draft):
        return conflict.response(draft)
    favourite = catalogue.favourite_of(current_user.praticien_id, favori_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        catalogue.apply_favourite(draft, profession(), favourite)
    except FseError as error:
        db.session.rollback()
        draft = services.current_draft(current_user, household="beneficiaire")
        flash(str(error), "error")
        return respond(draft, "fse/_panier.html", 422)
    commit_keeping_state()
    return respond(draft, "fse/_panier.html")


@bp.post("/facturation")
@login_required
def billing():
    """Billed fee (amount or pondération, rose and bulle cards) and the HNP/RDD box."""
    draft = services.current_draft(current_user, household="beneficiaire")
    if conflict.stale(draft):
        return conflict.response(draft)
    form = BillingForm()
    if not form.validate_on_submit():
        return respond(draft, "fse/_panier.html", 422, billing=form)
    services.set_billing(draft, form.montant_facture.decimal, form.ponderation.decimal, form.hnp.data)
    state = build_state(draft, profession(), household=False)
    if state.billing_error:
        db.session.rollback()
        draft = services.current_draft(current_user, household="beneficiaire")
        field = "ponderation" if state.billing_error[0] == "ponderation" else "montant_facture"
        form[field].errors = [state.billing_error[1]]
        return respond(draft, "fse/_panier.html", 422, billing=form)
    if draft.hnp and not state.hnp_offered:
        draft.hnp = False
        state = None  # the box changed: the basket's state is computed again
    commit_keeping_state()
    return respond(draft, "fse/_panier.html", state=state)

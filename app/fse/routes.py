"""« Élaborer une FSE »: one page; each control is a real form, htmx swaps only the regions concerned."""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit.services import record
from app.extensions import db
from app.fse import catalogue, services
from app.fse.forms import (BillingForm, CcamForm, ConditionsForm, IdentificationForm, NgapForm, TransmitForm,
                           choices)
from app.web.fields import EmptyForm
from app.fse.services import FseError
from app.fse.state import build_state, transmission_problems
from app.models import Fse
from app.web.htmx import wants_fragment

bp = Blueprint("fse", __name__, url_prefix="/fse")


def _profession() -> str:
    return current_user.praticien.profession


def _forms(draft, state, **overrides) -> dict:
    """The page's forms, filled from the draft, with the one that failed kept as typed."""
    profession = _profession()
    conditions = ConditionsForm(obj=draft, formdata=None)
    billing = BillingForm(formdata=None)
    billing.montant_facture.data = str(draft.montant_facture_saisi).replace(".", ",") if draft.montant_facture_saisi else ""
    billing.ponderation.data = str(draft.ponderation).replace(".", ",") if draft.ponderation else ""
    billing.hnp.data = draft.hnp
    ngap, ccam = NgapForm(formdata=None), CcamForm(formdata=None)
    if request.args.get("ccam"):
        ccam.code.data = request.args["ccam"].strip().upper()[:7]
    forms = {"identification": IdentificationForm(formdata=None), "conditions": conditions, "ngap": ngap,
             "ccam": ccam, "billing": billing, "transmit": TransmitForm(formdata=None, jeton=draft.jeton),
             "empty": EmptyForm(formdata=None)}
    if draft.foyer is not None and "identification" not in overrides:
        forms["identification"].matricule.data = draft.foyer.matricule
        forms["identification"].caisse.data = draft.foyer.caisse
    forms.update(overrides)
    forms["ngap"].majorations.choices = choices(catalogue.options("MAJ", profession, draft.date_soins))
    forms["ccam"].modificateurs.choices = choices(catalogue.options("MOD", profession, draft.date_soins))
    return forms


def _context(draft, **overrides) -> dict:
    state = build_state(draft, _profession())
    return {"state": state, "forms": _forms(draft, state, **overrides),
            "lettres": catalogue.options("NGAP", _profession(), draft.date_soins),
            "favoris": catalogue.favourites(current_user.praticien_id),
            "problems": transmission_problems(state) if draft.lignes else []}


def _respond(draft, fragment: str, status: int = 200, entries_oob: bool = False, **overrides):
    """htmx: the region's fragment (with the basket out of band when it changed); else the page."""
    context = _context(draft, **overrides)
    context["entries_oob"] = entries_oob
    if wants_fragment():
        response = make_response(render_template(fragment, fragment_name=fragment, **context), status)
    elif status >= 400:
        response = make_response(render_template("fse/page.html", **context), status)
    else:
        response = redirect(url_for("fse.page"))
    response.vary.add("HX-Request")
    return response


@bp.get("")
@login_required
def page():
    """The FSE page, in the state of the stored draft."""
    draft = services.current_draft(current_user)
    db.session.commit()
    response = make_response(render_template("fse/page.html", **_context(draft)))
    response.vary.add("HX-Request")
    return response


@bp.post("/patient")
@login_required
def identify():
    """Identify the patient from the card: matricule, code FSE and caisse (never in the URL)."""
    draft = services.current_draft(current_user)
    form = IdentificationForm()
    if not form.validate_on_submit():
        return _respond(draft, "fse/_fse.html", 422, identification=form)
    try:
        services.identify(draft, current_user, form.matricule.data, form.code_fse.data, form.caisse.data)
    except FseError as error:
        form[error.field].errors = [str(error)]
        return _respond(draft, "fse/_fse.html", error.status, identification=form)
    db.session.commit()
    return _respond(draft, "fse/_fse.html", identification=form)


@bp.post("/beneficiaire")
@login_required
def choose():
    """One tap picks the beneficiary of the care."""
    draft = services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.choose_beneficiary(draft, request.form.get("beneficiaire_id", type=int) or 0)
    except FseError as error:
        if error.status == 404:
            abort(404)
        flash(str(error), "error")
        return _respond(draft, "fse/_fse.html", 422)
    db.session.commit()
    return _respond(draft, "fse/_fse.html")


@bp.post("/conditions")
@login_required
def conditions():
    """Conditions de prise en charge; a new date re-prices the basket."""
    draft = services.current_draft(current_user)
    form = ConditionsForm()
    if not form.validate_on_submit():
        return _respond(draft, "fse/_conditions.html", 422, conditions=form)
    values = {name: form[name].data for name in ("date_soins", "nature", "date_accident", "etm_appliquee", "serie",
                                                  "prescripteur", "date_prescription", "entente_numero",
                                                  "entente_date")}
    values["prescripteur"] = (values["prescripteur"] or "").strip() or None
    values["entente_numero"] = (values["entente_numero"] or "").strip() or None
    try:
        services.update_conditions(draft, _profession(), values)
    except FseError as error:
        db.session.rollback()
        draft = services.current_draft(current_user)
        form.date_soins.errors = [f"Date refusée : {error}"]
        return _respond(draft, "fse/_conditions.html", 422, conditions=form)
    db.session.commit()
    return _respond(draft, "fse/_conditions.html", conditions=form)


@bp.post("/ngap")
@login_required
def add_ngap():
    """Add an NGAP line: letter key, majorations, coefficient, divisor."""
    draft = services.current_draft(current_user)
    form = NgapForm()
    form.majorations.choices = choices(catalogue.options("MAJ", _profession(), draft.date_soins))
    return _add_line(draft, form, "ngap", "lettre", lambda: services.add_ngap(
        draft, _profession(), form.lettre.data.strip().upper(), form.coefficient.decimal,
        int(form.diviseur.data), list(form.majorations.data)))


@bp.post("/ccam")
@login_required
def add_ccam():
    """Add a CCAM line: code, activity, phase, modifiers, association code."""
    draft = services.current_draft(current_user)
    form = CcamForm()
    form.modificateurs.choices = choices(catalogue.options("MOD", _profession(), draft.date_soins))
    return _add_line(draft, form, "ccam", "code", lambda: services.add_ccam(
        draft, _profession(), form.code.data.strip().upper(), int(form.activite.data), int(form.phase.data),
        list(form.modificateurs.data), int(form.association.data)))


def _add_line(draft, form, name: str, default_field: str, add):
    """Add the entry line's act; the basket comes back with a fresh entry line, or the entry line
    comes back with its message and what was typed."""
    if form.validate_on_submit():
        try:
            add()
            db.session.commit()
            return _respond(draft, "fse/_panier.html", entries_oob=True)
        except FseError as error:
            db.session.rollback()
            draft = services.current_draft(current_user)
            form[error.field if error.field in form else default_field].errors = [str(error)]
    return _entry_error(draft, f"fse/_{name}.html", **{name: form})


def _entry_error(draft, fragment, **form):
    """An entry line refused: its form comes back with the message and what was typed."""
    response = _respond(draft, fragment, 422, **form)
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
    draft = services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        services.remove_line(draft, line_id)
    except FseError:
        abort(404)
    db.session.commit()
    return _respond(draft, "fse/_panier.html")


@bp.post("/lignes/<int:line_id>/favori")
@login_required
def add_favourite(line_id: int):
    """« Ajouter aux favoris »: keep this act, as entered, for one-tap reuse."""
    draft = services.current_draft(current_user)
    line = next((line for line in draft.lignes if line.id == line_id), None)
    if line is None or not EmptyForm().validate_on_submit():
        abort(404)
    catalogue.add_favourite(current_user.praticien_id, line)
    db.session.commit()
    return _respond(draft, "fse/_panier.html")


@bp.post("/favoris/<int:favori_id>")
@login_required
def use_favourite(favori_id: int):
    """One tap on a favourite adds its act to the basket."""
    draft = services.current_draft(current_user)
    favourite = catalogue.favourite_of(current_user.praticien_id, favori_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        catalogue.apply_favourite(draft, _profession(), favourite)
    except FseError as error:
        db.session.rollback()
        draft = services.current_draft(current_user)
        flash(str(error), "error")
        return _respond(draft, "fse/_panier.html", 422)
    db.session.commit()
    return _respond(draft, "fse/_panier.html")


@bp.post("/facturation")
@login_required
def billing():
    """Billed fee (amount or pondération, rose and bulle cards) and the HNP/RDD box."""
    draft = services.current_draft(current_user)
    form = BillingForm()
    if not form.validate_on_submit():
        return _respond(draft, "fse/_panier.html", 422, billing=form)
    services.set_billing(draft, form.montant_facture.decimal, form.ponderation.decimal, form.hnp.data)
    state = build_state(draft, _profession())
    if state.billing_error:
        db.session.rollback()
        draft = services.current_draft(current_user)
        field = "ponderation" if state.billing_error[0] == "ponderation" else "montant_facture"
        form[field].errors = [state.billing_error[1]]
        return _respond(draft, "fse/_panier.html", 422, billing=form)
    if draft.hnp and not state.hnp_offered:
        draft.hnp = False
    db.session.commit()
    return _respond(draft, "fse/_panier.html")


@bp.post("/valider")
@login_required
def validate():
    """« Valider »: the summary of the whole FSE, with « Transmettre » when nothing is missing."""
    draft = services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    context = _context(draft)
    context["problems"] = transmission_problems(context["state"])
    return render_template("fse/summary.html", **context), 422 if context["problems"] else 200


@bp.post("/transmettre")
@login_required
def transmit():
    """« Transmettre »: exactly once per FSE, whatever the taps, retries or tabs."""
    form = TransmitForm()
    if not form.validate_on_submit() or not form.jeton.data:
        abort(400)
    try:
        fse = services.transmit(current_user, form.jeton.data, _profession())
    except FseError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("fse.page"))
    db.session.commit()
    target = url_for("fse.acknowledgment", fse_id=fse.id)
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


@bp.get("/<int:fse_id>/accuse")
@login_required
def acknowledgment(fse_id: int):
    """The accusé de réception of a transmitted FSE (another praticien's: 404)."""
    fse = db.session.get(Fse, fse_id)
    if fse is None or fse.praticien_id != current_user.praticien_id or fse.statut != "transmise":
        abort(404)
    return render_template("fse/acknowledgment.html", fse=fse, state=build_state(fse, _profession()))


@bp.route("/reinitialiser", methods=["GET", "POST"])
@login_required
def reset():
    """« Réinitialiser », after a confirmation: an empty FSE."""
    draft = services.current_draft(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        db.session.commit()
        return render_template("fse/confirm_reset.html", form=form)
    services.reset(draft)
    record("fse.reinitialisation", "succes", compte=current_user.compte, objet_type="fse", objet_id=draft.id)
    db.session.commit()
    flash("La FSE a été réinitialisée.", "success")
    return redirect(url_for("fse.page"))

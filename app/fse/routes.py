"""« Élaborer une FSE »: the page, identification, beneficiary, conditions, summary, transmission, reset.

Each control is a real form; htmx swaps only the regions concerned (app/fse/views.py decides).
The basket's own controls (acts, favourites, billing) are in app/fse/basket.py.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.audit.services import record
from app.extensions import commit_keeping_state, db
from app.domain.lifecycle import STATUTS_TRANSMIS, TRANSMISE
from app.fse import conflict, services
from app.fse.forms import ConditionsForm, IdentificationForm, TransmitForm
from app.fse.services import FseError
from app.fse.state import build_state, transmission_problems
from app.fse.views import bp, page_context, profession, respond
from app.models import Fse
from app.web.fields import EmptyForm
from app.web.htmx import hx_redirect, wants_fragment

__all__ = ["bp"]

@bp.get("")
@login_required
def page():
    """The FSE page, in the state of the stored draft."""
    draft = services.current_draft(current_user)
    if services.just_created(draft):
        commit_keeping_state()  # else nothing was written: the page reads on in the same transaction
    # The field of the next action, left by the form just posted without JavaScript (or the code
    # field when a CCAM suggestion was picked).
    focus = "code" if request.args.get("ccam") else session.pop("fse_focus", None)
    response = make_response(render_template("fse/page.html", **page_context(draft, focus)))
    response.vary.add("HX-Request")
    return response


@bp.post("/patient")
@login_required
def identify():
    """Identify the patient from the card: matricule, code FSE and caisse (never in the URL)."""
    draft = services.current_draft(current_user, household=False)  # the card's household replaces it
    if conflict.stale(draft):
        return conflict.response(draft)
    form = IdentificationForm()
    status = 422
    if form.validate_on_submit():
        try:
            previous, kept = draft.foyer_id, len(draft.lignes)
            services.identify(draft, current_user, form.matricule.data, form.code_fse.data, form.caisse.data)
            commit_keeping_state()
            if kept and draft.foyer_id != previous:
                # The acts were typed before this patient's card: they must not go unnoticed.
                flash(f"Le panier garde {kept} acte{'s' if kept > 1 else ''} saisi{'s' if kept > 1 else ''} avant ce "
                      "changement de patient : vérifiez-les, retirez-les ou « Réinitialiser ».", "warning")
            return respond(draft, "fse/_fse.html", focus="membre", identification=form)
        except FseError as error:
            form[error.field].errors = [str(error)]
            # htmx swaps only 2xx and 422 (base.html): a throttled lookup's message must show too.
            status = 422 if wants_fragment() else error.status
    # Whatever refused the lookup, the previous household must not stay under the typed card.
    services.forget_household(draft)
    commit_keeping_state()
    return respond(draft, "fse/_fse.html", status, identification=form)


@bp.post("/beneficiaire")
@login_required
def choose():
    """One tap picks the beneficiary of the care."""
    draft = services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if conflict.stale(draft):
        return conflict.response(draft)
    try:
        services.choose_beneficiary(draft, request.form.get("beneficiaire_id", type=int) or 0)
    except FseError as error:
        if error.status == 404:
            abort(404)
        flash(str(error), "error")
        return respond(draft, "fse/_fse.html", 422)
    commit_keeping_state()
    return respond(draft, "fse/_fse.html")  # the focus goes to the entry line (views.focus_of)


@bp.post("/conditions")
@login_required
def conditions():
    """Conditions de prise en charge; a new date re-prices the basket."""
    draft = services.current_draft(current_user)
    if conflict.stale(draft):
        return conflict.response(draft)
    form = ConditionsForm()
    if not form.validate_on_submit():
        return respond(draft, "fse/_conditions.html", 422, conditions=form)
    values = {name: form[name].data for name in ("date_soins", "nature", "date_accident", "etm_appliquee", "serie",
                                                  "prescripteur", "date_prescription", "entente_numero",
                                                  "entente_date")}
    values["prescripteur"] = (values["prescripteur"] or "").strip() or None
    values["entente_numero"] = (values["entente_numero"] or "").strip() or None
    try:
        services.update_conditions(draft, profession(), values)
    except FseError as error:
        db.session.rollback()
        draft = services.current_draft(current_user)
        form.date_soins.errors = [f"Date refusée : {error}"]
        return respond(draft, "fse/_conditions.html", 422, conditions=form)
    commit_keeping_state()
    return respond(draft, "fse/_conditions.html", conditions=form)


@bp.post("/valider")
@login_required
def validate():
    """« Valider »: the summary of the whole FSE, with « Transmettre » when nothing is missing."""
    draft = services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if conflict.stale(draft):
        flash(services.CHANGED_ELSEWHERE, "warning")
        return redirect(url_for("fse.page"))
    context = page_context(draft)
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
        fse = services.transmit(current_user, form.jeton.data, profession(),
                                version=int(form.version.data) if (form.version.data or "").isdigit() else None)
    except FseError as error:
        db.session.rollback()
        flash(str(error), "error")
        # From the summary page, htmx must load the FSE page, not swap it into the summary's form.
        return hx_redirect(url_for("fse.page")) if wants_fragment() else redirect(url_for("fse.page"))
    commit_keeping_state()
    target = url_for("fse.acknowledgment", fse_id=fse.id)
    return hx_redirect(target) if wants_fragment() else redirect(target)


@bp.get("/<int:fse_id>/accuse")
@login_required
def acknowledgment(fse_id: int):
    """The accusé de réception of a transmitted FSE (another praticien's: 404); once deleted, rejected
    or paid (a retry of « Transmettre » finds it so), its record in the history says what became of it."""
    fse = db.session.get(Fse, fse_id)
    if fse is None or fse.praticien_id != current_user.praticien_id or fse.statut not in STATUTS_TRANSMIS:
        abort(404)
    if fse.statut != TRANSMISE:
        return redirect(url_for("history.detail", fse_id=fse.id))
    return render_template("fse/acknowledgment.html", fse=fse, state=build_state(fse, profession()))


@bp.route("/reinitialiser", methods=["GET", "POST"])
@login_required
def reset():
    """« Réinitialiser », after a confirmation: an empty FSE."""
    draft = services.current_draft(current_user)
    form = EmptyForm()
    if not form.validate_on_submit():
        commit_keeping_state()
        # The page's draft and version travel through the confirmation to the reset itself.
        shown = {name: request.args[name] for name in ("brouillon", "version") if request.args.get(name, "").isdigit()}
        return render_template("fse/confirm_reset.html", form=form, shown=shown)
    if conflict.stale(draft):
        return conflict.response(draft)
    services.reset(draft)
    record("fse.reinitialisation", "succes", compte=current_user.compte, objet_type="fse", objet_id=draft.id)
    commit_keeping_state()
    flash("La FSE a été réinitialisée.", "success")
    return redirect(url_for("fse.page"))

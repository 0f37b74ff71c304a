"""The FSE blueprint and what its views share: the page's forms and context, fragment or page."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from app.fse import catalogue
from app.fse.forms import (BillingForm, CcamForm, ConditionsForm, IdentificationForm, NgapForm, TransmitForm,
                           choices)
from app.fse.state import build_state, transmission_problems
from app.web.fields import EmptyForm
from app.web.htmx import wants_fragment

bp = Blueprint("fse", __name__, url_prefix="/fse")


def profession() -> str:
    """The profession of the praticien the current person acts for."""
    return current_user.praticien.profession


def page_forms(draft, state, **overrides) -> dict:
    """The page's forms, filled from the draft, with the one that failed kept as typed."""
    kind = profession()
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
    forms["ngap"].majorations.choices = choices(catalogue.options("MAJ", kind, draft.date_soins))
    forms["ccam"].modificateurs.choices = choices(catalogue.options("MOD", kind, draft.date_soins))
    return forms


def page_context(draft, **overrides) -> dict:
    """Everything the FSE page and its fragments render from."""
    state = build_state(draft, profession())
    return {"state": state, "forms": page_forms(draft, state, **overrides),
            "lettres": catalogue.options("NGAP", profession(), draft.date_soins),
            "favoris": catalogue.favourites(current_user.praticien_id),
            "problems": transmission_problems(state) if draft.lignes else []}


def respond(draft, fragment: str, status: int = 200, entries_oob: bool = False, **overrides):
    """htmx: the region's fragment (with the basket out of band when it changed); else the page."""
    context = page_context(draft, **overrides)
    context["entries_oob"] = entries_oob
    if wants_fragment():
        response = make_response(render_template(fragment, fragment_name=fragment, **context), status)
    elif status >= 400:
        response = make_response(render_template("fse/page.html", **context), status)
    else:
        response = redirect(url_for("fse.page"))
    response.vary.add("HX-Request")
    return response

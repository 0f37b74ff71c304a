"""The FSE blueprint and what its views share: the page's forms and context, fragment or page."""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.domain.money import plain_decimal
from app.fse import catalogue
from app.fse.forms import BillingForm, CcamForm, ConditionsForm, IdentificationForm, NgapForm, TransmitForm
from app.fse.state import build_state, transmission_problems
from app.precoded.forms import SaveBasketForm
from app.web.fields import EmptyForm, choices
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
    billing.montant_facture.data = plain_decimal(draft.montant_facture_saisi or None)
    billing.ponderation.data = plain_decimal(draft.ponderation or None, places=None)
    billing.hnp.data = draft.hnp
    ngap, ccam = NgapForm(formdata=None), CcamForm(formdata=None)
    if request.args.get("ccam"):
        ccam.code.data = request.args["ccam"].strip().upper()[:7]
    forms = {"identification": IdentificationForm(formdata=None), "conditions": conditions, "ngap": ngap,
             "ccam": ccam, "billing": billing, "transmit": TransmitForm(formdata=None, jeton=draft.jeton, version=draft.version),
             "empty": EmptyForm(formdata=None), "precodee": SaveBasketForm(formdata=None)}
    if draft.foyer is not None and "identification" not in overrides:
        forms["identification"].matricule.data = draft.foyer.matricule
        forms["identification"].caisse.data = draft.foyer.caisse
    forms.update(overrides)
    forms["ngap"].majorations.choices = choices(catalogue.options("MAJ", kind, draft.date_soins))
    forms["ccam"].modificateurs.choices = choices(catalogue.options("MOD", kind, draft.date_soins))
    return forms


def focus_of(state, forms: dict, wanted: str | None) -> str:
    """The id of the one element given `autofocus` (UX.md): the first field in error, else where
    the next action happens — the matricule, the first member who can be chosen, `wanted`, or the
    code field of the profession's usual entry line."""
    for form in forms.values():
        for f in form:
            if f.errors and f.type not in ("CSRFTokenField", "CheckboxList", "HiddenField"):
                return f.id
    if not state.members:
        return "matricule"
    if wanted == "membre" or state.beneficiaire is None:
        first = next((m for m in state.members if m.droits_ouverts), None)
        return f"membre-{first.id}" if first else "matricule"
    return wanted or ("code" if state.is_dentist else "lettre")  # a dentist's acts are mostly CCAM


def page_context(draft, focus: str | None = None, **overrides) -> dict:
    """Everything the FSE page and its fragments render from."""
    state = build_state(draft, profession())
    forms = page_forms(draft, state, **overrides)
    shortcuts = catalogue.Shortcuts(current_user.praticien_id)
    return {"state": state, "forms": forms, "autofocus_id": focus_of(state, forms, focus),
            "lettres": catalogue.options("NGAP", profession(), draft.date_soins),
            "favoris": shortcuts.favourites, "precodees": shortcuts.baskets,
            "problems": transmission_problems(state) if draft.lignes else []}


def respond(draft, fragment: str, status: int = 200, entries_oob: bool = False, focus: str | None = None,
            expired: str | None = None, favoris_oob: bool = False, **overrides):
    """htmx: the region's fragment (with the basket out of band when it changed); else the page.
    `focus` names the field of the next action; without JavaScript it survives the redirect."""
    context = page_context(draft, focus, **overrides)
    context["entries_oob"], context["expired"], context["favoris_oob"] = entries_oob, expired, favoris_oob
    if wants_fragment():
        response = make_response(render_template(fragment, fragment_name=fragment, **context), status)
    elif status >= 400:
        response = make_response(render_template("fse/page.html", **context), status)
    else:
        if focus:
            session["fse_focus"] = focus
        response = redirect(url_for("fse.page"))
    response.vary.add("HX-Request")
    return response

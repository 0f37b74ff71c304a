"""The FSE blueprint and what its views share: the page's forms and context, fragment or page."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.core import UnboundField

from app.domain.money import plain_decimal
from app.fse import catalogue
from app.fse.forms import BillingForm, CcamForm, ConditionsForm, IdentificationForm, NgapForm, TransmitForm
from app.fse.services import load_household
from app.fse.state import build_state, transmission_problems
from app.precoded.forms import SaveBasketForm
from app.web.fields import EmptyForm, choices
from app.web.htmx import wants_fragment

bp = Blueprint("fse", __name__, url_prefix="/fse")


def profession() -> str:
    """The profession of the praticien the current person acts for."""
    return current_user.praticien.profession


class PageForms(dict):
    """The page's forms by name, each built the first time a template asks for it: a basket fragment
    draws 3 of the page's 8 (WTForms builds a form in about 0.1 ms: a tenth of a billing tap)."""

    def __init__(self, makers: dict, overrides: dict, keys: dict | None = None):
        super().__init__(overrides)
        self._makers = makers
        self._given = frozenset(overrides)
        self._keys = keys or {}

    def __missing__(self, name: str):
        form = self[name] = self._makers[name]()
        return form

    def key(self, name: str):
        """What the form `name` shows when the page builds it, for a kept piece of the page
        (app/web/fragments.py): None for a form a view gave back (as typed, with its errors)."""
        if name in self._given or name not in self._keys:
            return None
        return self._keys[name]()


@cache
def field_names(form_class) -> tuple[str, ...]:
    """The names of a form class's fields, its parents' included."""
    return tuple(sorted({name for klass in form_class.__mro__ for name, value in vars(klass).items()
                         if isinstance(value, UnboundField)}))


def shown_values(form_class, obj) -> tuple:
    """The values a form built with `obj=` shows: the attribute of `obj` named by each field."""
    return tuple(getattr(obj, name, None) for name in field_names(form_class))


# The page's forms are built to be drawn, never to validate (a posted form is built by its view and
# passed in `overrides`): without their CSRF field, which the templates draw once per response
# (`csrf_input`, the same hidden field) — a form's own is built, processed and never drawn.
DRAWN = {"formdata": None, "meta": {"csrf": False}}


def page_forms(draft, state, **overrides) -> PageForms:
    """The page's forms, filled from the draft, with the one that failed kept as typed."""
    kind = profession()

    def identification():
        form = IdentificationForm(**DRAWN)
        if draft.foyer is not None:
            form.matricule.data, form.caisse.data = draft.foyer.matricule, draft.foyer.caisse
        return form

    def billing():
        form = BillingForm(**DRAWN)
        form.montant_facture.data = plain_decimal(draft.montant_facture_saisi or None)
        form.ponderation.data = plain_decimal(draft.ponderation or None, places=None)
        form.hnp.data = draft.hnp
        return form

    def ccam():
        form = CcamForm(**DRAWN)
        if request.args.get("ccam"):
            form.code.data = request.args["ccam"].strip().upper()[:7]
        return form

    def with_choices(form):  # the entry lines' options, the same for a built form and a kept one
        if isinstance(form, NgapForm):
            form.majorations.choices = choices(catalogue.options("MAJ", kind, draft.date_soins))
        elif isinstance(form, CcamForm):
            form.modificateurs.choices = choices(catalogue.options("MOD", kind, draft.date_soins))
        return form

    makers = {"identification": identification, "conditions": lambda: ConditionsForm(obj=draft, **DRAWN),
              "ngap": lambda: with_choices(NgapForm(**DRAWN)), "ccam": lambda: with_choices(ccam()),
              "billing": billing, "transmit": lambda: TransmitForm(jeton=draft.jeton, version=draft.version, **DRAWN),
              "empty": lambda: EmptyForm(**DRAWN), "precodee": lambda: SaveBasketForm(**DRAWN)}
    for form in overrides.values():
        with_choices(form)
    # What the kept entry forms are drawn from besides the reference data (app/web/fragments.py):
    # the option lists depend on the profession and the date of the care.
    keys = {"ngap": lambda: (kind, draft.date_soins),
            # A code brought from the CCAM search (?ccam=) is drawn, not kept: any text fits there.
            "ccam": lambda: None if request.args.get("ccam") else (kind, draft.date_soins),
            "conditions": lambda: (kind, shown_values(ConditionsForm, draft))}
    return PageForms(makers, overrides, keys)


def focus_of(state, forms: dict, wanted: str | None) -> str:
    """The id of the one element given `autofocus` (UX.md): the first field in error, else where
    the next action happens — the matricule, the first member who can be chosen, `wanted`, or the
    code field of the profession's usual entry line."""
    for form in forms.values():  # only a form given back (failed or kept) can hold errors
        for f in form:
            if f.errors and f.type not in ("CSRFTokenField", "CheckboxList", "HiddenField"):
                return f.id
    if not state.members:
        return "matricule"
    if wanted == "membre" or state.beneficiaire is None:
        first = next((m for m in state.members if m.droits_ouverts), None)
        return f"membre-{first.id}" if first else "matricule"
    return wanted or ("code" if state.is_dentist else "lettre")  # a dentist's acts are mostly CCAM


def draft_fields(draft) -> Markup:
    """The draft a form was drawn from and its version (SECURITY.md 27, app/fse/conflict.py), in
    every form of the page; with htmx, static/js/reseau.js keeps them equal to the FSE-Brouillon /
    FSE-Version headers of the last answer. Drawn once per response."""
    return Markup('<input type="hidden" name="brouillon" value="{}" data-fse="brouillon">'
                  '<input type="hidden" name="version" value="{}" data-fse="version">').format(draft.id, draft.version)


def page_context(draft, focus: str | None = None, household: bool = True, state=None, **overrides) -> dict:
    """Everything the FSE page and its fragments render from; `household=False` for a fragment that
    draws no household band (the basket's). `state`: the view's own `build_state(draft, profession(),
    household=False)` of the draft as it is now, when it has one (not computed twice)."""
    if household:
        load_household(draft)
    if state is None or household:
        state = build_state(draft, profession(), household=household)
    forms = page_forms(draft, state, **overrides)
    shortcuts = catalogue.Shortcuts(current_user.praticien_id)
    return {"state": state, "forms": forms, "autofocus_id": focus_of(state, forms, focus),
            "draft_fields": draft_fields(draft),
            "lettres": catalogue.options("NGAP", profession(), draft.date_soins),
            "favoris": shortcuts.favourites, "precodees": shortcuts.baskets,
            "ccam_offert": catalogue.ccam_offered(profession(), draft.date_soins),
            "problems": transmission_problems(state) if draft.lignes else []}


def respond(draft, fragment: str, status: int = 200, entries_oob: bool = False, focus: str | None = None,
            expired: str | None = None, favoris_oob: bool = False, state=None, **overrides):
    """htmx: the region's fragment (with the basket out of band when it changed); else the page.
    `focus` names the field of the next action; without JavaScript it survives the redirect.
    The household's members are read and drawn only when the answer shows them (`fse/_fse.html` or
    the page): a basket fragment reads the chosen beneficiary alone (services.current_draft)."""
    if not wants_fragment() and status < 400:
        # Without JavaScript a success goes back to the page (post/redirect/get): nothing to draw here.
        if focus:
            session["fse_focus"] = focus
        response = redirect(url_for("fse.page"))
        response.vary.add("HX-Request")
        return response
    household = fragment == "fse/_fse.html" or not wants_fragment()
    context = page_context(draft, focus, household=household, state=state, **overrides)
    context["entries_oob"], context["expired"], context["favoris_oob"] = entries_oob, expired, favoris_oob
    if wants_fragment():
        response = make_response(render_template(fragment, fragment_name=fragment, **context), status)
    else:  # a refusal without JavaScript: the whole page, with the message next to its field
        response = make_response(render_template("fse/page.html", **context), status)
    response.vary.add("HX-Request")
    return response

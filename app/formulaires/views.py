"""The forms' blueprint and what its views share: the kind's form filled from the draft or as
posted, the page's context, and the choice between the form's region (htmx) and the page."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for

from app.domain.formulaires import IDENTIFICATION_MODES, LONG_TITLES, TITLES
from app.formulaires import medical, services
from app.formulaires.forms import FORMS, REQUIRED, IdentificationForm
from app.web.htmx import hx_redirect, wants_fragment

bp = Blueprint("formulaires", __name__, url_prefix="/formulaires")

KIND = "<any(it, etm, invalidite):kind>"


def build_form(draft, formdata=None):
    """The kind's form: from the draft, or as posted (then validated, so its errors show)."""
    form_class = FORMS[draft.type]
    form = form_class() if formdata is not None else form_class(formdata=None, data=services.draft_values(draft))
    if draft.type == "etm":
        form.etm_nature_code.choices = [("", "Choisir la nature")] + services.etm_natures()
    if formdata is not None:
        form.validate()
    return form


def form_context(draft, form=None, identification=None, error: str | None = None, notice: str | None = None,
                 problems: dict | None = None, focus: str | None = None, confirm_erase: bool = False) -> dict:
    """Everything the form page and its region render from."""
    form = form or build_form(draft)
    identification = identification or IdentificationForm(formdata=None)
    problems = problems or {}
    for name, message in problems.items():
        target = form if name in form else identification if name in identification else None
        # What was typed and refused (a malformed date, a text too long) is the field's message; the
        # check of « Transmettre » read the draft's former value, so it is not added to it.
        if target is not None and not target[name].errors:
            target[name].errors = [message]
    members = services.offered_members(draft)
    chosen = request.form.get("beneficiaire") if request.method == "POST" else None
    # In the page's order; the member (a hidden field of the form, radios on the page) comes before the phone.
    first_error = next((f.id for f in (*identification, *form) if f.errors and (
        f.type not in ("HiddenField", "CSRFTokenField") or f.name == "beneficiaire")), None)
    return {
        "kind": draft.type, "draft": draft, "form": form, "identification": identification,
        "title": TITLES[draft.type], "long_title": LONG_TITLES[draft.type],
        "modes": IDENTIFICATION_MODES[draft.type], "members": members,
        "member_open": {m.id: services.rights_open_today(m) for m in members},
        "chosen_id": int(chosen) if chosen and chosen.isdigit() else draft.beneficiaire_id,
        "member_error": problems.get("beneficiaire"),
        "required": set(REQUIRED[draft.type]), "medical_fields": medical.MEDICAL_FIELDS[draft.type],
        "error": error, "notice": notice, "confirm_erase": confirm_erase,
        # Where the next step happens, also after a redirect without JavaScript: the card, then the member.
        "autofocus_id": "annuler-effacement" if confirm_erase else first_error or focus or ("matricule" if draft.foyer is None
                                                 else "beneficiaire" if draft.beneficiaire_id is None else None),
    }


def respond(draft, status: int = 200, **context):
    """htmx: the form's region; without JavaScript: the page (a redirect after a successful post)."""
    if wants_fragment():
        # htmx swaps 2xx and 422 only (base.html's responseHandling): a refusal (409, 429) comes as a
        # 422, or the praticien would not see its message.
        status = 422 if status >= 400 else status
        response = make_response(render_template("formulaires/_form.html", **form_context(draft, **context)), status)
    elif status >= 400 or context.get("confirm_erase"):  # a question is a page, not a redirect
        response = make_response(render_template("formulaires/edit.html", **form_context(draft, **context)), status)
    else:
        if context.get("notice"):
            flash(context["notice"], "success")
        response = redirect(url_for("formulaires.edit", kind=draft.type), code=303)
    response.vary.add("HX-Request")
    return response


def already_sent(document):
    """A second « Transmettre » with the same token: the document sent the first time."""
    flash(f"Ce formulaire a déjà été transmis : référence {document.reference}.", "info")
    target = url_for("formulaires.document", document_id=document.id)
    return hx_redirect(target) if wants_fragment() else redirect(target, code=303)

"""The FSE page again after a POST whose CSRF token expired (SECURITY.md 18): the form that was
posted comes back as typed (the code FSE too: it is the user's own input, never logged), with a
fresh token and the message; nothing is done.

Without JavaScript: the page, status 400. With htmx: the whole `#fse` region, status 422 (the
htmx config in base.html swaps 422 but not 400), so that every form of the region gets a fresh
token and the typed input is visible at once.
"""

from __future__ import annotations

from flask import flash, request, url_for
from flask_login import current_user

from app.extensions import db
from app.fse import conflict, services
from app.fse.forms import BillingForm, CcamForm, ConditionsForm, IdentificationForm, NgapForm
from app.fse.views import respond
from app.web.expired import MESSAGE, rerenders_expired
from app.web.htmx import hx_redirect, wants_fragment

# The endpoint's form: its name on the page, its class, the field to focus.
FORMS = {
    "fse.identify": ("identification", IdentificationForm, "matricule"),
    "fse.conditions": ("conditions", ConditionsForm, "date_soins"),
    "fse.add_ngap": ("ngap", NgapForm, "lettre"),
    "fse.add_ccam": ("ccam", CcamForm, "code"),
    "fse.billing": ("billing", BillingForm, "montant_facture"),
}


@rerenders_expired("fse")
def fse_expired():
    """The FSE page (or its region) with the posted form as typed and the expiry message."""
    if not current_user.is_authenticated:
        return None
    if request.endpoint == "fse.transmit" and wants_fragment():
        # « Transmettre » is on the summary page, which has no #fse region: back to the FSE page.
        flash(MESSAGE, "error")
        return hx_redirect(url_for("fse.page"))
    draft = services.current_draft(current_user)
    conflict.track(draft)  # the whole region is drawn again: the page now shows this version
    if request.endpoint == "fse.identify":
        # Nothing was looked up: the previous household must not show under the newly typed card.
        services.forget_household(draft)
    db.session.commit()
    name, form_class, focus = FORMS.get(request.endpoint, (None, None, None))
    overrides = {name: form_class(formdata=request.form)} if name else {}
    fragment = wants_fragment()
    response = respond(draft, "fse/_fse.html", 422 if fragment else 400, focus=focus, expired=MESSAGE, **overrides)
    if fragment:
        response.headers["HX-Retarget"] = "#fse"
        response.headers["HX-Reswap"] = "outerHTML"
    return response

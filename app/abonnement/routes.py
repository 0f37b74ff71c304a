"""« Demande d'abonnement »: the public page where a praticien asks for his access to the portal
(seed 003), and the page that gives him the reference of his request.

Anyone reaches it, signed in or not. The page is one real <form> (htmx only swaps its region); a
refused field comes back next to it with the input kept (422); a valid request is counted against its
client address's throttle, created, audited, and the browser is sent to the reference (303). Nothing
said back depends on what the caisse already knows: a second request with the same e-mail is one more
request.
"""

from __future__ import annotations

from flask import Blueprint, make_response, redirect, render_template, request, session, url_for
from sqlalchemy.exc import IntegrityError

from app.abonnement import services
from app.abonnement.forms import DemandeAbonnementForm
from app.domain.abonnement import throttle_message
from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.web.expired import MESSAGE as EXPIRED_MESSAGE
from app.web.expired import rerenders_expired
from app.web.htmx import hx_redirect, wants_fragment

bp = Blueprint("abonnement", __name__, url_prefix="/abonnement")

SESSION_KEY = "abonnement_reference"


@bp.after_request
def _never_stored(response):
    """What was typed (names, numbers, e-mail) and the reference stay out of every cache; Back after
    sending asks the server again, so a new blank form with a new token."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _render(form: DemandeAbonnementForm, status: int = 200, error: str | None = None):
    """The form's region for an htmx swap, else the page that includes it; varies on HX-Request."""
    first_error = next((f.id for f in form if f.errors and f.type not in ("HiddenField", "CSRFTokenField")), None)
    context = {"form": form, "error": error, "autofocus_id": first_error or ("resume-erreurs" if error else None)}
    template = "abonnement/_form.html" if wants_fragment() else "abonnement/page.html"
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def _to_reference(reference: str):
    """Post/redirect/get to the reference: HX-Redirect for htmx, 303 otherwise."""
    session[SESSION_KEY] = reference
    target = url_for("abonnement.sent")
    return hx_redirect(target) if wants_fragment() else redirect(target, 303)


@bp.get("")
def page():
    """The blank request: today's date, a new one-time token."""
    form = DemandeAbonnementForm(formdata=None, data={"jeton": services.new_token(), "fait_le": today_in_monaco()})
    return _render(form)


@bp.post("")
def submit():
    """Send the request: every field checked, then the address's throttle, then the request created."""
    form = DemandeAbonnementForm()
    if (done := services.sent_with_token(form.jeton.data)) is not None:
        return _to_reference(done.reference)  # the same form posted again: its request, not a second one
    if not services.valid_token(form.jeton.data):
        form.jeton.data = services.new_token()
    if not form.validate():
        return _render(form, 422, error="La demande n'est pas envoyée : corrigez les zones signalées.")
    ip = request.remote_addr
    wait = services.begin_request(ip)
    if wait is not False:
        services.refuse_throttled()
        db.session.commit()
        # htmx swaps 2xx and 422 only (base.html): the message must show there too.
        return _render(form, 422 if wants_fragment() else 429, error=throttle_message(wait))
    try:
        demande = services.create_request(form, ip, today_in_monaco())
        db.session.commit()
    except IntegrityError:
        # The same token posted twice at once: the other post created the request.
        db.session.rollback()
        if (done := services.sent_with_token(form.jeton.data)) is None:
            raise
        return _to_reference(done.reference)
    return _to_reference(demande.reference)


@bp.get("/envoyee")
def sent():
    """The reference of the request this browser just sent; nothing else about it."""
    reference = session.get(SESSION_KEY)
    if not reference:
        return redirect(url_for("abonnement.page"))
    return render_template("abonnement/sent.html", reference=reference)


@rerenders_expired("abonnement.submit")
def _expired():
    """An expired token: the form again with what was typed and a fresh token; nothing is sent."""
    form = DemandeAbonnementForm(formdata=request.form)
    if not services.valid_token(form.jeton.data):
        form.jeton.data = services.new_token()
    return _render(form, 422 if wants_fragment() else 400, error=EXPIRED_MESSAGE)

"""A tab that shows an older state of the draft cannot write over a newer one (SECURITY.md 27).

Every form of the FSE page that changes the draft posts, in hidden inputs, the draft it showed
(`brouillon`, its id) and that draft's `version` (the column moves at every change of the draft or
of its basket, app/models/fse.py). The routes call `stale()` before anything else: an older
version, or another draft (the shown one was transmitted in another tab and a new one begun),
gets `response()` — nothing written, the message, and the FSE as it is now.

With htmx only a region is swapped, so the other forms' hidden inputs would keep an old version:
each fragment answer carries the draft's id and version in the `FSE-Brouillon` and `FSE-Version`
headers, and static/js/reseau.js copies them into every `[data-fse]` input (and the
« Réinitialiser » link). A post without a version (a script, an old page) is not checked, as
before: the load scripts of bench/ post the forms without one.
"""

from __future__ import annotations

from flask import g, make_response, render_template, request
from flask_login import current_user
from sqlalchemy import inspect
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.fse import services
from app.fse.forms import CcamForm, IdentificationForm, NgapForm
from app.fse.views import bp, page_context
from app.web.htmx import wants_fragment

CONFLICT = ("Cette FSE a été modifiée ailleurs depuis que cette page l'a affichée (autre onglet, autre "
            "tablette, ou une demande déjà arrivée avant une coupure du réseau) : votre dernière action n'a pas "
            "été enregistrée. Voici la FSE telle qu'elle est maintenant : vérifiez-la, puis recommencez si besoin.")
VERSION_HEADER, DRAFT_HEADER = "FSE-Version", "FSE-Brouillon"

# The entry lines whose typed input comes back on a conflict (it is not yet part of the draft);
# the conditions and the billing show the stored values: they are the state that changed.
KEPT = {"fse.identify": ("identification", IdentificationForm), "fse.add_ngap": ("ngap", NgapForm),
        "fse.add_ccam": ("ccam", CcamForm)}


def _posted(name: str) -> int | None:
    value = (request.form.get(name) or "").strip()
    return int(value) if value.isdigit() else None


def track(draft) -> None:
    """Send this draft's id and version with the answer (for the other forms of an htmx page)."""
    g.fse_draft = draft


def stale(draft) -> bool:
    """True when the post comes from a page that showed another draft or an older version of it."""
    track(draft)
    shown = _posted("brouillon")
    return (shown is not None and shown != draft.id) or services.changed_elsewhere(draft, _posted("version"))


def response(draft):
    """Nothing written: the message and the current FSE. htmx: the whole `#fse` region (422, the
    status htmx swaps); without JavaScript: the page, 409. The entry line keeps what was typed."""
    track(draft)
    db.session.commit()  # only a draft begun by current_draft, when the shown one was transmitted
    kept = {}
    if request.endpoint in KEPT:
        name, form_class = KEPT[request.endpoint]
        kept[name] = form_class(formdata=request.form)
    context = page_context(draft, **kept)
    context.update(conflict=CONFLICT, autofocus_id="fse-conflit", entries_oob=False, expired=None)
    if wants_fragment():
        response = make_response(render_template("fse/_fse.html", fragment_name="fse/_fse.html", **context), 422)
        response.headers["HX-Retarget"] = "#fse"
        response.headers["HX-Reswap"] = "outerHTML show:top"
    else:
        response = make_response(render_template("fse/page.html", **context), 409)
    response.vary.add("HX-Request")
    return response


@bp.after_app_request
def version_headers(response):
    """An htmx fragment of the FSE page tells the page which draft and version it now shows."""
    draft = g.pop("fse_draft", None)
    if draft is None or response.status_code >= 500 or not wants_fragment():
        return response
    state = inspect(draft)
    version = state.dict.get("version")  # never a query: unloaded means nothing was rendered from it
    if version is not None and state.key is not None:
        response.headers[VERSION_HEADER] = str(version)
        response.headers[DRAFT_HEADER] = str(state.key[1][0])
    return response


@bp.app_errorhandler(StaleDataError)
def changed_meanwhile(error):
    """Two requests on one draft at the same instant: the second one's save finds another version
    (version_id_col) — the same answer as a stale page, not an error page."""
    from app.errors import handle_unexpected_error

    if request.blueprint not in ("fse", "precoded") or not current_user.is_authenticated:
        return handle_unexpected_error(error)
    db.session.rollback()
    return response(services.current_draft(current_user))

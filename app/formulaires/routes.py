"""« Formulaires »: the landing page, and each form's page (identify, fill, save, transmit).

Only the praticien fills and transmits a form, and only the kinds his profession writes
(app/domain/formulaires.py): an assistant, or a praticien of another profession, gets 403 there
(logged). The form is one real <form>; its buttons name the action; htmx swaps the form's region and
saves the draft as the praticien types (app/formulaires/history.py has the histories and documents).
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.domain.calendar import today_in_monaco
from app.domain.formulaires import (BY_BIRTH_DATE, IDENTIFICATION_MODES, KINDS, LONG_TITLES, TITLES, kinds_for,
                                    may_fill)
from app.extensions import db
from app.formulaires import medical, services
from app.formulaires.forms import FORMS, REQUIRED, IdentificationForm
from app.formulaires.services import FormError
from app.web.expired import MESSAGE as EXPIRED_MESSAGE
from app.web.expired import rerenders_expired
from app.web.htmx import hx_redirect, wants_fragment

bp = Blueprint("formulaires", __name__, url_prefix="/formulaires")

KIND = "<any(it, etm, invalidite):kind>"
STALE_AUTOSAVE = "Modifié dans un autre onglet : rechargez la page avant de continuer."
CHANGED_ELSEWHERE = ("Ce formulaire a été modifié depuis un autre onglet ou une autre tablette : ce que vous voyez "
                     "ici n'a pas été enregistré. Vérifiez-le et validez à nouveau pour le garder.")


def _refuse():
    record("acces.refuse", "refus", compte=current_user.compte, objet_type="route", objet_id=request.endpoint)
    db.session.commit()
    abort(403)


def prescriber_required(view):
    """The praticien himself, for a kind his profession writes; anyone else gets 403 (logged)."""
    @wraps(view)
    def wrapped(kind: str, *args, **kwargs):
        if not current_user.est_praticien or not may_fill(current_user.praticien.profession, kind):
            return _refuse()
        return view(kind, *args, **kwargs)
    return login_required(wrapped)


def practice_prescribes(view):
    """A page of a practice whose praticien writes at least one kind of form (assistants included)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not kinds_for(current_user.praticien.profession):
            return _refuse()
        return view(*args, **kwargs)
    return login_required(wrapped)


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
                 problems: dict | None = None, focus: str | None = None) -> dict:
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
        "error": error, "notice": notice,
        # Where the next step happens, also after a redirect without JavaScript: the card, then the member.
        "autofocus_id": first_error or focus or ("matricule" if draft.foyer is None
                                                 else "beneficiaire" if draft.beneficiaire_id is None else None),
    }


def respond(draft, status: int = 200, **context):
    """htmx: the form's region; without JavaScript: the page (a redirect after a successful post)."""
    if wants_fragment():
        # htmx swaps 2xx and 422 only (base.html's responseHandling): a refusal (409, 429) comes as a
        # 422, or the praticien would not see its message.
        status = 422 if status >= 400 else status
        response = make_response(render_template("formulaires/_form.html", **form_context(draft, **context)), status)
    elif status >= 400:
        response = make_response(render_template("formulaires/edit.html", **form_context(draft, **context)), status)
    else:
        if context.get("notice"):
            flash(context["notice"], "success")
        response = redirect(url_for("formulaires.edit", kind=draft.type), code=303)
    response.vary.add("HX-Request")
    return response


@bp.get("")
@practice_prescribes
def page():
    """The forms the praticien writes, with the last documents of each and their histories."""
    from app.formulaires.history import latest_documents

    kinds = kinds_for(current_user.praticien.profession)
    drafts = {}
    if current_user.est_praticien:
        drafts = services.drafts_in_progress(current_user.compte.id)
    return render_template("formulaires/page.html", kinds=kinds, titles=TITLES, long_titles=LONG_TITLES,
                           latest={kind: latest_documents(current_user.praticien_id, kind) for kind in kinds},
                           drafts=drafts)


@bp.get(f"/{KIND}")
@prescriber_required
def edit(kind: str):
    """The form, in the state of the stored draft."""
    draft = services.current_draft(current_user, kind)
    db.session.commit()
    response = make_response(render_template("formulaires/edit.html", **form_context(draft)))
    response.vary.add("HX-Request")
    return response


@bp.post(f"/{KIND}")
@prescriber_required
def submit(kind: str):
    """One of the form's buttons: « Identifier », « Changer de patient », « Enregistrer », « Transmettre »."""
    action = request.form.get("action", "enregistrer")
    jeton = request.form.get("jeton")
    if action == "transmettre" and (done := services.sent_with_token(current_user.praticien_id, jeton)):
        return already_sent(done)
    draft = services.current_draft(current_user, kind)
    if jeton and jeton != draft.jeton and (done := services.sent_with_token(current_user.praticien_id, jeton)):
        # This page's document was transmitted meanwhile (a double tap whose first request committed
        # after this one looked, another tab): its page, never a new draft under the old input.
        db.session.rollback()
        return already_sent(done)
    try:
        return _submit(draft, action)
    except StaleDataError:
        # Another request (tab, double tap) changed the draft between its reading here and its saving.
        db.session.rollback()
        if (done := services.sent_with_token(current_user.praticien_id, jeton)) is not None:
            return already_sent(done)
        draft = services.current_draft(current_user, kind)
        form = build_form(draft, formdata=request.form)
        form.version.data = str(draft.version)
        db.session.commit()
        return respond(draft, 409, form=form, identification=IdentificationForm(), error=CHANGED_ELSEWHERE)


def _submit(draft, action: str):
    """The button's action on the stored draft, once the version of the page is checked."""
    form = build_form(draft, formdata=request.form)
    identification = IdentificationForm()
    if (form.version.data or "") != str(draft.version):
        # Nothing is saved; this tab's input stays on the screen with the stored version, so that
        # validating again keeps it knowingly (SECURITY.md 27). htmx gets it as a 422 (respond).
        form.version.data = str(draft.version)
        return respond(draft, 409, form=form, identification=identification, error=CHANGED_ELSEWHERE)
    try:
        services.save_typed(draft, form)
    except FormError as problem:
        db.session.commit()
        return respond(draft, 422, form=form,
                       identification=identification, problems={problem.field: str(problem)})
    if action == "identifier":
        return _identify(draft, form, identification)
    if action == "changer":
        services.forget_patient(draft)
        db.session.commit()
        return respond(draft, focus="matricule", notice="Patient retiré : identifiez le suivant.")
    if action == "transmettre":
        return _transmit(draft, form, identification)
    db.session.commit()
    errors = any(f.errors for f in form)
    return respond(draft, 422 if errors else 200, form=form if errors else None,
                   notice=None if errors else "Brouillon enregistré.")


def _identify(draft, form, identification):
    birth = identification.date_naissance
    if BY_BIRTH_DATE in IDENTIFICATION_MODES[draft.type] and not birth.validate(identification):
        # « 31/02/1986 » is refused next to it, and looks nobody up.
        db.session.commit()
        return respond(draft, 422, form=form, identification=identification, focus="date_naissance")
    try:
        services.identify(draft, current_user, identification.matricule.data, identification.code_fse.data,
                          identification.date_naissance.data)
    except FormError as problem:
        db.session.rollback()  # the lookup's audit row is already committed; the draft keeps its patient
        return respond(draft, problem.status, form=form, identification=identification,
                       problems={problem.field: str(problem)})
    db.session.commit()
    return respond(draft, focus="beneficiaire" if draft.beneficiaire_id is None else None)


def _transmit(draft, form, identification):
    today = today_in_monaco()
    problems = services.transmission_problems(draft, current_user.praticien.profession, today,
                                              current_app.config["FSE_IT_RETRO_JOURS"])
    # A field typed and refused (malformed, too long) left the draft's former value: transmitting that
    # would send what the screen does not show.
    if problems or any(f.errors for f in form):
        db.session.commit()  # what was typed is kept in the draft
        return respond(draft, 422, form=form, identification=identification, problems=problems,
                       error="Le formulaire ne peut pas être transmis : corrigez les zones signalées.")
    elements = medical.unseal(draft.elements_medicaux)
    document = services.transmit(draft, current_user, today)  # a StaleDataError: see submit
    db.session.commit()
    # The praticien's summary, medical elements included, on this screen only: nothing stores it
    # for a later page (no-store), and a reload of this POST finds the document already sent.
    context = {"document": document, "elements": elements, "labels": medical.LABELS,
               "title": TITLES[document.type], "long_title": LONG_TITLES[document.type]}
    template = "formulaires/_transmitted.html" if wants_fragment() else "formulaires/transmitted.html"
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def already_sent(document):
    """A second « Transmettre » with the same token: the document sent the first time."""
    flash(f"Ce formulaire a déjà été transmis : référence {document.reference}.", "info")
    target = url_for("formulaires.document", document_id=document.id)
    return hx_redirect(target) if wants_fragment() else redirect(target, code=303)


@rerenders_expired("formulaires.submit")
def _expired():
    """An expired token: the form again with what was typed (nothing saved) and a fresh token."""
    kind = request.view_args.get("kind") if request.view_args else None
    if kind not in KINDS or not current_user.is_authenticated or not current_user.est_praticien \
            or not may_fill(current_user.praticien.profession, kind):
        return None
    draft = services.current_draft(current_user, kind)
    form = build_form(draft, formdata=request.form)
    form.version.data = str(draft.version)
    return respond(draft, 422 if wants_fragment() else 400, form=form, identification=IdentificationForm(),
                   error=EXPIRED_MESSAGE)


@bp.post(f"/{KIND}/brouillon")
@prescriber_required
def autosave(kind: str):
    """htmx, as the praticien types: the draft keeps every well-formed field; only the version and
    a status line come back (out of band), so the field being typed is never replaced."""
    draft = services.current_draft(current_user, kind)
    if request.form.get("jeton") != draft.jeton:
        db.session.commit()
        return "", 204  # a page whose document was transmitted meanwhile: nothing to keep
    form = build_form(draft, formdata=request.form)
    seen = form.version.data or ""
    if seen != str(draft.version):
        # The page is behind the stored draft: nothing is kept, and its version stays the one it showed,
        # so that its next autosave is refused too; only a reload or « Enregistrer » (which shows the
        # conflict with this page's input) moves it on (SECURITY.md 27).
        return render_template("formulaires/_autosave.html", version=seen, message=STALE_AUTOSAVE)
    try:
        try:
            services.save_typed(draft, form)
            message = "Brouillon enregistré" + (" (sauf les zones à corriger)" if any(f.errors for f in form) else "")
        except FormError as problem:
            message = f"Brouillon enregistré, sauf le bénéficiaire : {problem}"
        db.session.commit()
    except StaleDataError:  # another tab saved between this request's reading and its writing
        db.session.rollback()
        return render_template("formulaires/_autosave.html", version=seen, message=STALE_AUTOSAVE)
    return render_template("formulaires/_autosave.html", version=draft.version, message=message)

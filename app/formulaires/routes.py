"""« Formulaires »: the landing page, and each form's page (identify, fill, save, transmit).

Only the praticien fills and transmits a form, and only the kinds his profession writes
(app/domain/formulaires.py): an assistant, or a praticien of another profession, gets 403 there
(logged). The form is one real <form>; its buttons name the action; htmx swaps the form's region and
saves the draft as the praticien types (app/formulaires/history.py has the histories and documents).
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, make_response, render_template, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.domain.calendar import today_in_monaco
from app.domain.formulaires import BY_BIRTH_DATE, IDENTIFICATION_MODES, KINDS, LONG_TITLES, TITLES, kinds_for, may_fill
from app.extensions import db
from app.formulaires import medical, services
from app.formulaires.access import practice_prescribes, prescriber_required
from app.formulaires.forms import IdentificationForm
from app.formulaires.history_services import latest_documents
from app.formulaires.services import FormError
from app.formulaires.views import KIND, already_sent, bp, build_form, form_context, respond
from app.models.types import utcnow
from app.web.expired import MESSAGE as EXPIRED_MESSAGE
from app.web.expired import rerenders_expired
from app.web.htmx import wants_fragment

__all__ = ["bp"]

SUMMARY_AGAIN_WITHIN = timedelta(minutes=2)
REPLACED = ("Ce formulaire a été effacé ou transmis depuis un autre onglet ou une autre tablette : ce que montrait "
            "cette page n'a pas été enregistré. Voici le formulaire en cours.")
REPLACED_AUTOSAVE = ("Non enregistré : ce formulaire a été effacé ou transmis dans un autre onglet. "
                     "Rechargez la page.")
STALE_AUTOSAVE = "Modifié dans un autre onglet : rechargez la page avant de continuer."
CHANGED_ELSEWHERE = ("Ce formulaire a été modifié depuis un autre onglet ou une autre tablette : ce que vous voyez "
                     "ici n'a pas été enregistré. Vérifiez-le et validez à nouveau pour le garder.")


@bp.get("")
@practice_prescribes
def page():
    """The forms the praticien writes, with the last documents of each and their histories."""
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
    """One of the form's buttons: « Identifier », « Changer de patient » / « Effacer le formulaire » (then
    its confirmation), « Enregistrer le brouillon », « Transmettre »."""
    action = request.form.get("action", "enregistrer")
    jeton = request.form.get("jeton")
    if action == "transmettre" and (done := services.sent_with_token(current_user.praticien_id, jeton)):
        return sent_again(done)
    draft = services.current_draft(current_user, kind)
    if jeton != draft.jeton:
        return _not_this_draft(draft, jeton)
    try:
        return _submit(draft, action)
    except StaleDataError:
        # Another request (tab, double tap) changed the draft between its reading here and its saving.
        db.session.rollback()
        draft = services.current_draft(current_user, kind)
        if jeton != draft.jeton:
            return _not_this_draft(draft, jeton)
        form = build_form(draft, formdata=request.form)
        form.version.data = str(draft.version)
        db.session.commit()
        return respond(draft, 409, form=form, identification=IdentificationForm(), error=CHANGED_ELSEWHERE)


def _not_this_draft(draft, jeton: str | None):
    """A page whose draft is no longer the praticien's draft: transmitted meanwhile (a double tap,
    another tab) — the document sent; or erased in another tab — nothing of this page is saved
    (it may be another patient's), and the current draft is shown as stored."""
    db.session.rollback()
    if (done := services.sent_with_token(current_user.praticien_id, jeton)) is not None:
        return sent_again(done)
    db.session.commit()  # the draft made by current_draft, if none was left
    return respond(draft, 409, error=REPLACED)


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
        # A form is about one patient: changing patient erases it all, once confirmed (nothing of the
        # previous patient — address, employer, medical elements — may go out under the next one).
        db.session.commit()
        return respond(draft, 200, form=form, identification=identification, confirm_erase=True)
    if action == "effacer":
        draft = services.erase(draft, current_user)
        db.session.commit()
        return respond(draft, focus="matricule", notice="Formulaire effacé : identifiez le patient.")
    if action == "transmettre":
        return _transmit(draft, form, identification)
    db.session.commit()
    unused = services.unused_values(draft)
    if any(f.errors for f in form) or unused:
        return respond(draft, 422, form=form, identification=identification, problems=unused,
                       notice="Brouillon enregistré, sauf les zones à corriger." if not unused else
                       "Brouillon enregistré : précisez les zones signalées.")
    return respond(draft, notice="Brouillon enregistré.")


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
    if draft.beneficiaire is not None and not request.form.get("beneficiaire"):
        # What is sent is what the screen shows: a member stored but not ticked there is not sent.
        problems.setdefault("beneficiaire", "Choisissez le bénéficiaire concerné.")
    # A field typed and refused (malformed, too long) left the draft's former value: transmitting that
    # would send what the screen does not show.
    if problems or any(f.errors for f in form):
        db.session.commit()  # what was typed is kept in the draft
        return respond(draft, 422, form=form, identification=identification, problems=problems,
                       error="Le formulaire ne peut pas être transmis : corrigez les zones signalées.")
    elements = medical.unseal(draft.elements_medicaux)
    document = services.transmit(draft, current_user, today)  # a StaleDataError: see submit
    db.session.commit()
    return transmitted(document, elements)


def transmitted(document, elements: dict, again: bool = False):
    """The praticien's summary, medical elements included, on this screen only: nothing stores it
    for a later page (no-store), and a later « Transmettre » with the same token finds it sent."""
    context = {"document": document, "elements": elements, "labels": medical.LABELS, "again": again,
               "title": TITLES[document.type], "long_title": LONG_TITLES[document.type]}
    template = "formulaires/_transmitted.html" if wants_fragment() else "formulaires/transmitted.html"
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def sent_again(document):
    """« Transmettre » once more with a document's token. Without JavaScript a double tap shows the
    browser the second answer only: within two minutes of the transmission, for its author, that
    answer is the same summary (marked as already sent); later, the document's page, without the
    medical elements."""
    if document.compte_id == current_user.compte.id and utcnow() - document.transmis_le <= SUMMARY_AGAIN_WITHIN:
        return transmitted(document, medical.unseal(document.elements_medicaux), again=True)
    return already_sent(document)


@rerenders_expired("formulaires.submit")
def _expired():
    """An expired token: the form again with what was typed (nothing saved) and a fresh token."""
    kind = request.view_args.get("kind") if request.view_args else None
    if kind not in KINDS or not current_user.is_authenticated or not current_user.est_praticien \
            or not may_fill(current_user.praticien.profession, kind):
        return None
    draft = services.current_draft(current_user, kind)
    if request.form.get("jeton") != draft.jeton:  # another draft now (erased, transmitted): shown as stored
        return respond(draft, 422 if wants_fragment() else 400, error=f"{EXPIRED_MESSAGE} {REPLACED}")
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
        # A page whose form was transmitted or erased meanwhile: nothing kept, and the line says so.
        db.session.commit()
        return render_template("formulaires/_autosave.html", version=request.form.get("version", ""),
                               message=REPLACED_AUTOSAVE)
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


@rerenders_expired("formulaires.autosave")
def _autosave_expired():
    """An autosave whose token expired: nothing kept, and the status line says so (not the last
    « Brouillon enregistré »); « Enregistrer le brouillon » re-renders the form with a fresh token."""
    version = request.form.get("version", "")
    response = make_response(render_template(
        "formulaires/_autosave.html", version=version,
        message="Non enregistré : la page a expiré. Touchez « Enregistrer le brouillon »."), 422)
    return response

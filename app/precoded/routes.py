"""« FSE pré-codées »: the tab (list, detail, rename, delete) and the FSE page's save and one-tap apply.

Every route acts for the praticien of the signed-in person (his assistants share his list); another
praticien's basket answers 404 everywhere. The FSE page's two routes answer htmx with the regions
they change, and a plain POST with a redirect to the FSE page.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.domain.calendar import today_in_monaco
from app.domain.professions import display_name
from app.errors import render_error
from app.extensions import commit_keeping_state, db
from app.fse import conflict as fse_conflict, services as fse_services
from app.fse.views import page_context, profession, respond
from app.precoded import services
from app.precoded.forms import RenameForm, SaveBasketForm
from app.precoded.services import PrecodedError
from app.web.expired import MESSAGE, rerenders_expired
from app.web.fields import EmptyForm
from app.web.htmx import wants_fragment

bp = Blueprint("precoded", __name__, url_prefix="/fse-precodees")


def _basket_or_404(precodee_id: int):
    return services.basket_of(current_user.praticien_id, precodee_id) or abort(404)


@bp.get("")
@login_required
def page():
    """The tab: every basket with its acts and its base total at today's tariffs, paginated."""
    baskets, current, pages = services.baskets_page(current_user.praticien_id, request.args.get("page", 1, type=int))
    today = today_in_monaco()
    return render_template("precoded/page.html", rows=services.price_baskets(baskets, profession(), today),
                           today=today, page=current, pages=pages, tariff_for=_tariff_for())


def _tariff_for() -> str:
    """Whose tariffs the tab shows, in words right for the praticien and for his assistant."""
    if current_user.est_praticien:
        return "votre profession"
    praticien = current_user.praticien
    name = display_name(praticien.profession, praticien.prenom, praticien.nom)
    return f"la profession {'du' if name.startswith('Dr ') else 'de'} {name}"


@bp.get("/<int:precodee_id>")
@login_required
def detail(precodee_id: int):
    """One basket: its acts as entered, each with its label and base tariff today."""
    basket = _basket_or_404(precodee_id)
    today = today_in_monaco()
    return render_template("precoded/detail.html", row=services.price_baskets([basket], profession(), today)[0],
                           today=today)


@bp.route("/<int:precodee_id>/renommer", methods=["GET", "POST"])
@login_required
def rename(precodee_id: int):
    """Rename a basket: the same name rules as at saving; a stale version is a conflict, not an overwrite."""
    basket = _basket_or_404(precodee_id)
    form = RenameForm()
    if request.method == "GET":
        form.nom.data, form.version.data = basket.nom, str(basket.version)
    elif form.validate_on_submit():
        try:
            services.rename_basket(current_user, basket, form.nom.data, form.version_number())
            db.session.commit()
            flash(f"La FSE pré-codée s'appelle désormais « {basket.nom} ».", "success")
            return redirect(url_for("precoded.detail", precodee_id=basket.id))
        except PrecodedError as error:
            db.session.rollback()
            basket = _basket_or_404(precodee_id)
            form.nom.errors = [str(error)]
            if error.status == 409:
                # The praticien has now seen the current name: saving again is a deliberate choice.
                form.version.data = str(basket.version)
            return render_template("precoded/rename.html", form=form, basket=basket), error.status
    status = 422 if request.method == "POST" else 200
    return render_template("precoded/rename.html", form=form, basket=basket), status


@bp.route("/<int:precodee_id>/supprimer", methods=["GET", "POST"])
@login_required
def delete(precodee_id: int):
    """Delete a basket, after a confirmation page."""
    basket = _basket_or_404(precodee_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("precoded/confirm_delete.html", form=form, basket=basket)
    nom = basket.nom
    services.delete_basket(current_user, basket)
    db.session.commit()
    flash(f"La FSE pré-codée « {nom} » a été supprimée.", "success")
    return redirect(url_for("precoded.page"))


@bp.post("/enregistrer")
@login_required
def save():
    """« Enregistrer » the FSE page's basket under a name (the acts as entered, not their amounts)."""
    draft = fse_services.current_draft(current_user)
    form = SaveBasketForm()
    if form.validate_on_submit():
        try:
            basket = services.save_basket(current_user, draft, form.nom.data)
            commit_keeping_state()
            message = f"FSE pré-codée « {basket.nom} » enregistrée : touchez son nom pour remplir un panier."
            return _fse_response(draft, "precoded/_save.html", saved=message, precodees_oob=True)
        except PrecodedError as error:
            db.session.rollback()
            draft = fse_services.current_draft(current_user)
            form.nom.errors = [str(error)]
    return _fse_response(draft, "precoded/_save.html", 422, precodee=form)


@bp.post("/<int:precodee_id>/appliquer")
@login_required
def apply(precodee_id: int):
    """One tap fills the basket from a saved one, priced for the date of care, profession and patient."""
    basket = _basket_or_404(precodee_id)
    draft = fse_services.current_draft(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if fse_conflict.stale(draft):
        return fse_conflict.response(draft)
    if draft.beneficiaire_id is None:
        return _fse_response(draft, "fse/_panier.html", 422, refused=[
            "Choisissez d'abord le bénéficiaire des soins : la FSE pré-codée est tarifée pour lui."])
    added, refused = services.apply_basket(draft, profession(), basket)
    commit_keeping_state()
    messages = [f"FSE pré-codée « {basket.nom} » : {added} acte{'s' if added > 1 else ''} ajouté"
                f"{'s' if added > 1 else ''} au panier."] if added else []
    return _fse_response(draft, "fse/_panier.html", 200 if added else 422, messages=messages, refused=refused)


@rerenders_expired("precoded.save")
@rerenders_expired("precoded.apply")
def save_expired():
    """An expired token on « Enregistrer » or on a one-tap name (SECURITY.md 18): the FSE page again
    with the name as typed and a fresh token; nothing is saved or applied. htmx gets the whole `#fse`
    region (every token fresh)."""
    if not current_user.is_authenticated:
        return None
    draft = fse_services.current_draft(current_user)
    fse_conflict.track(draft)  # the whole region is drawn again: the page now shows this version
    db.session.commit()
    fragment = wants_fragment()
    overrides = {"precodee": SaveBasketForm(formdata=request.form)} if request.endpoint == "precoded.save" else {}
    response = respond(draft, "fse/_fse.html", 422 if fragment else 400, expired=MESSAGE, **overrides)
    if fragment:
        response.headers["HX-Retarget"] = "#fse"
        response.headers["HX-Reswap"] = "outerHTML"
    return response


@rerenders_expired("precoded.rename")
def rename_expired():
    """An expired token on « Renommer »: the form again with the name as typed, a fresh token, the
    message; nothing renamed. The version typed with stays the one read (no silent overwrite)."""
    return _expired_page("precoded/rename.html", form=RenameForm(formdata=request.form))


@rerenders_expired("precoded.delete")
def delete_expired():
    """An expired token on « Confirmer la suppression »: the confirmation page again; nothing deleted."""
    return _expired_page("precoded/confirm_delete.html", form=EmptyForm(formdata=None))


def _expired_page(template: str, **context):
    """A page of the tab again after an expired token: 400 for a plain POST, 422 for htmx (swapped);
    another praticien's basket stays a 404 (the CSRF check runs before the view's own 404)."""
    if not current_user.is_authenticated:
        return None
    basket = services.basket_of(current_user.praticien_id, (request.view_args or {}).get("precodee_id", 0))
    if basket is None:
        return render_error(404)
    response = make_response(render_template(template, basket=basket, expired=MESSAGE, **context),
                             422 if wants_fragment() else 400)
    response.vary.add("HX-Request")
    return response


def _fse_response(draft, fragment: str, status: int = 200, messages=(), refused=(), saved=None,
                  precodees_oob=False, **overrides):
    """htmx: the changed region of the FSE page, with the messages in it; else back to the FSE page
    (a redirect with flash messages, or the page with the form's error, 422)."""
    if not wants_fragment() and (status < 400 or not overrides):
        for message in [*messages, *([saved] if saved else [])]:
            flash(message, "success")
        for message in refused:
            flash(message, "warning")
        response = redirect(url_for("fse.page"))
    else:
        context = page_context(draft, **overrides)
        context.update(precodee_messages=list(messages), precodee_refused=list(refused), saved_message=saved,
                       precodees_oob=precodees_oob)
        template = fragment if wants_fragment() else "fse/page.html"
        response = make_response(render_template(template, fragment_name=fragment, **context), status)
    response.vary.add("HX-Request")
    return response

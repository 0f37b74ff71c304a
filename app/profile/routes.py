"""« Profil »: details, assistants (praticien only, recent re-authentication), recent sign-ins."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.audit.services import record
from app.auth.devices import confirm_pending, consume_code, pending_secret, qr_svg
from app.auth.forms import ReauthForm
from app.auth.routes import WRONG_CODE, svg_response
from app.auth.sessions import praticien_required
from app.auth.routes import _throttled
from app.auth.throttling import reset_failures
from app.domain import totp
from app.domain.access import assistant_valid_on
from app.domain.audit_labels import group_choices
from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models.types import utcnow
from app.profile import journal_services, services
from app.profile.forms import AssistantForm, JournalFilterForm, ValidityForm
from app.web.fields import EmptyForm
from app.web.htmx import render_region
from app.security.passwords import verify_password

bp = Blueprint("profile", __name__, url_prefix="/profil")

# Where the re-authentication page may send the praticien back to (no open redirect).
NEXT_PAGES = {"ajouter": "profile.add_assistant"}


def manage_assistants(view):
    """Assistant management: praticien only (403 for an assistant), with his own second factor,
    and his password and code retyped within the last 5 minutes (SECURITY.md 8 and 15)."""
    @wraps(view)
    @login_required
    @praticien_required
    def wrapped(*args, **kwargs):
        if not current_user.peut_gerer_assistants:
            flash("Activez d'abord votre double authentification : déconnectez-vous, puis cochez "
                  "« Activer la double authentification » à la connexion.", "error")
            return redirect(url_for("profile.page"))
        if not current_user.reauthenticated_recently():
            if request.method == "POST":
                # Nothing is changed silently: the praticien is told, then does it again.
                flash("Pour des raisons de sécurité, confirmez votre identité, puis recommencez "
                      "la modification : elle n'a pas été enregistrée.", "error")
            suite = "ajouter" if request.endpoint == "profile.add_assistant" else None
            return redirect(url_for("profile.reauthenticate", suite=suite))
        return view(*args, **kwargs)
    return wrapped


@bp.get("")
@login_required
def page():
    """« Profil »: who I am, for whom I act; for the praticien, his assistants and recent sign-ins."""
    context = {"compte": current_user.compte, "praticien": current_user.praticien}
    if current_user.est_praticien:
        assistants = services.assistants_of(current_user.praticien_id)
        today = today_in_monaco()
        context.update(
            assistants=assistants,
            actifs={a.id: assistant_valid_on(a.valide_du, a.valide_au, today) for a in assistants},
            connexions=services.sign_in_rows(current_user.praticien_id),
            validity_form=ValidityForm(),
        )
    return render_template("profile/page.html", **context)


@bp.route("/confirmation", methods=["GET", "POST"])
@login_required
@praticien_required
def reauthenticate():
    """Retype password and code before managing assistants; valid 5 minutes."""
    compte = current_user.compte
    form = ReauthForm()
    error, status = None, 200
    if form.validate_on_submit():
        error = _throttled(compte.identifiant, compte)
        if error:
            status = 429
        elif verify_password(compte.password_hash, form.mot_de_passe.data) and consume_code(compte.appareil,
                                                                                               form.code.data):
            current_user.session_row.reauthentifie_le = utcnow()
            reset_failures(compte.identifiant)
            record("reauthentification", "succes", compte=compte)
            db.session.commit()
            return redirect(url_for(NEXT_PAGES.get(request.args.get("suite"), "profile.page")))
        else:
            record("reauthentification", "echec", compte=compte)
            db.session.commit()
            error, status = "Mot de passe ou code incorrect.", 422
    elif form.errors:
        status = 422
    form.code.data = ""
    return render_template("profile/reauth.html", form=form, error=error), status


@bp.route("/assistants/ajouter", methods=["GET", "POST"])
@manage_assistants
def add_assistant():
    """Add an assistant: his details, then the code of his phone, which scanned the QR code shown."""
    praticien_compte = current_user.compte
    secret = pending_secret(praticien_compte, "assistant")
    db.session.commit()
    form = AssistantForm()
    if request.method == "GET":
        form.valide_du.data = today_in_monaco()
    status = 200
    if form.validate_on_submit():
        confirmed = confirm_pending(praticien_compte, "assistant", form.code.data)
        created = confirmed and services.add_assistant(
            praticien_compte, form.nom.data, form.prenom.data, form.valide_du.data, form.valide_au.data, *confirmed)
        if created:
            db.session.commit()
            assistant, password = created
            return render_template("profile/assistant_created.html", assistant=assistant, password=password)
        db.session.rollback()
        form.code.errors.append(WRONG_CODE)
        record("assistant.ajout", "echec", compte=praticien_compte, details="code du téléphone incorrect")
        db.session.commit()
        status = 422
    elif form.errors:
        status = 422
    form.code.data = ""
    return render_template("profile/add_assistant.html", form=form, secret=totp.grouped(secret),
                           qr_url=url_for("profile.assistant_qr")), status


@bp.get("/assistants/qr.svg")
@manage_assistants
def assistant_qr():
    """The QR code for the new assistant's phone (never cached)."""
    praticien_compte = current_user.compte
    secret = pending_secret(praticien_compte, "assistant")
    db.session.commit()
    label = f"assistant de {praticien_compte.identifiant}"
    return svg_response(qr_svg(totp.provisioning_uri(secret, label)))


@bp.post("/assistants/<int:assistant_id>/validite")
@manage_assistants
def change_validity(assistant_id: int):
    """Set, change or clear the end date of an assistant's rights."""
    assistant = services.assistant_of(current_user.praticien_id, assistant_id) or abort(404)
    form = ValidityForm()
    if not form.validate_on_submit():
        flash("Date de fin invalide : saisissez une date au format jj/mm/aaaa.", "error")
        return redirect(url_for("profile.page"))
    if form.valide_au.data and assistant.valide_du and form.valide_au.data < assistant.valide_du:
        flash("La date de fin ne peut pas précéder la date de début.", "error")
        return redirect(url_for("profile.page"))
    services.change_end_date(current_user.compte, assistant, form.valide_au.data)
    db.session.commit()
    flash(f"Validité de {assistant.nom_complet} mise à jour.", "success")
    return redirect(url_for("profile.page"))


@bp.route("/assistants/<int:assistant_id>/supprimer", methods=["GET", "POST"])
@manage_assistants
def remove(assistant_id: int):
    """Remove an assistant after a confirmation page; his open sessions end at once."""
    assistant = services.assistant_of(current_user.praticien_id, assistant_id) or abort(404)
    form = EmptyForm()
    if not form.validate_on_submit():
        return render_template("profile/confirm_remove.html", assistant=assistant, form=form)
    services.remove_assistant(current_user.compte, assistant)
    db.session.commit()
    flash(f"{assistant.nom_complet} n'a plus accès au portail.", "success")
    return redirect(url_for("profile.page"))


@bp.get("/journal")
@login_required
@praticien_required
def journal():
    """« Journal d'activité »: what the praticien and his assistants did, filtered and paginated."""
    accounts = services.practice_accounts(current_user.praticien_id)
    form = JournalFilterForm(formdata=request.args)
    form.personne.choices = services.person_choices(accounts, current_user.compte.id)
    form.groupe.choices = [("", "Toutes les actions"), *group_choices()]
    result, status, filter_args = None, 422, {}
    if form.validate():
        filters = journal_services.JournalFilters.from_form(form)
        result = journal_services.journal_page(current_user.praticien_id, current_user.compte.id, accounts,
                                               filters, request.args.get("page", 1, type=int))
        status, filter_args = 200, filters.query_args()
    return render_region("profile/journal.html", "profile/_journal.html", status, form=form, result=result,
                         filter_args=filter_args)

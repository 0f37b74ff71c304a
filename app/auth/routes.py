"""« Connexion »: password, then the code (or the first activation of the phone); logout; passwords."""

from __future__ import annotations

import hashlib
import re

from flask import Blueprint, Response, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.audit.services import record
from app.auth import pending as pending_state
from app.auth.devices import activate_device, confirm_pending, consume_code, drop_pending, pending_secret, qr_svg
from app.auth.forms import ChangePasswordForm, CodeForm, LoginForm, NewPasswordForm
from app.auth.sessions import (
    ACCESS_SUSPENDED,
    SUSPENDED,
    close_sessions_of,
    end_current_session,
    practice_suspended,
    start_session,
)
from app.auth.throttling import begin_attempt, reset_failures
from app.domain import totp
from app.domain.access import account_valid_on, two_factor_required
from app.domain.calendar import today_in_monaco
from app.domain.passwords import password_problems
from app.domain.throttle import wait_message
from app.extensions import db
from app.models import Activation, Compte
from app.models.types import utcnow
from app.security.passwords import hash_password, needs_rehash, verify_password
from app.web.htmx import hx_redirect

bp = Blueprint("auth", __name__)

WRONG_CREDENTIALS = "Identifiant ou mot de passe incorrect."
WRONG_CODE = "Code incorrect. Saisissez le code affiché maintenant par votre application."
ACCESS_NOT_VALID = ("Votre accès n'est pas valide à cette date. Adressez-vous au praticien "
                    "qui vous a autorisé(e).")
START_AGAIN = "Reprenez la connexion : la saisie du code a expiré."


def landing_url() -> str:
    """Where a signed-in person starts: the caisse's staff in their back office; a practice on the
    FSE page when installed, else the profile."""
    if current_user.is_authenticated and current_user.est_personnel_caisse:
        return url_for("caisse.page")
    for endpoint in ("fse.page", "profile.page"):
        if endpoint in current_app.view_functions:
            return url_for(endpoint)
    return url_for("main.index")


def two_factor_optional() -> bool:
    """Before the caisse's deadline, two-factor authentication is opt-in (seed 000)."""
    return today_in_monaco() < current_app.config["FSE_TOTP_MANDATORY_FROM"]


def find_account(identifiant: str) -> Compte | None:
    return db.session.scalar(select(Compte).where(func.lower(Compte.identifiant) == identifiant,
                                                  Compte.supprime_le.is_(None)))


IDENTIFIANT_FORMAT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def typed_identifiant(identifiant: str) -> str | None:
    """What the audit keeps of a typed identifiant: only something shaped like one (a password typed
    in the wrong field must not be kept for ever in an append-only table)."""
    return identifiant if IDENTIFIANT_FORMAT.match(identifiant) else None


def _throttled(key: str, compte: Compte | None, identifiant: str | None = None) -> str | None:
    """Count this attempt; if the key is throttled, audit the refusal and give the message."""
    wait = begin_attempt(key)
    if wait is False:
        return None
    record("connexion.limitee", "refus", compte=compte, identifiant=typed_identifiant(identifiant or key))
    db.session.commit()
    return wait_message(wait)


def _signed_in(compte: Compte, two_factor: bool, *events: tuple[str, dict]) -> Response:
    """The last step of every sign-in: new session identity, count reset, pending sign-ins ended,
    then the audit rows last (the head's lock is always taken last)."""
    reset_failures(compte.identifiant)
    pending_state.end_pending(compte.id)
    start_session(compte, two_factor)
    for action, fields in events:
        record(action, "succes", compte=compte, **fields)
    record("connexion", "succes", compte=compte,
           details=None if two_factor else "sans double authentification (avant la date butoir)")
    db.session.commit()
    return redirect(landing_url())


@bp.route("/connexion", methods=["GET", "POST"])
def login():
    """« Connexion »: identifiant and password (and, before the deadline, the opt-in box)."""
    if current_user.is_authenticated:
        return redirect(landing_url())
    form = LoginForm()
    error = None
    status = 200
    if form.validate_on_submit():
        identifiant = form.identifiant.data.strip().lower()
        compte = find_account(identifiant)
        error = _throttled(identifiant, compte)
        if error:
            status = 429
        elif not verify_password(compte.password_hash if compte else None, form.mot_de_passe.data):
            record("connexion.mot_de_passe", "echec", compte=compte, identifiant=typed_identifiant(identifiant))
            db.session.commit()
            error, status = WRONG_CREDENTIALS, 422
        elif practice_suspended(compte):
            # Said only after a correct password: a stranger learns nothing of the account.
            record("connexion.suspendue", "refus", compte=compte, details=SUSPENDED)
            db.session.commit()
            error, status = ACCESS_SUSPENDED, 403
        elif not account_valid_on(compte.role, compte.valide_du, compte.valide_au, False, today_in_monaco()):
            record("connexion.mot_de_passe", "refus", compte=compte, details="hors des dates de validité")
            db.session.commit()
            error, status = ACCESS_NOT_VALID, 403
        elif not two_factor_required(compte.a_double_authentification, form.activer_double_authentification.data,
                                     compte.role, today_in_monaco(),
                                     current_app.config["FSE_TOTP_MANDATORY_FROM"]):
            upgrade_hash(compte, form.mot_de_passe.data)
            return _signed_in(compte, two_factor=False)
        else:
            upgrade_hash(compte, form.mot_de_passe.data)
            stage = pending_state.CODE if compte.a_double_authentification else pending_state.ENROL
            pending_state.set_pending(compte, stage)
            record("connexion.mot_de_passe", "succes", compte=compte)
            db.session.commit()
            return redirect(url_for("auth.code" if stage == pending_state.CODE else "auth.enrol"))
    elif form.errors:
        status = 422
    form.mot_de_passe.data = ""
    return render_template("auth/login.html", form=form, error=error, optional=two_factor_optional(),
                           logged_out=request.args.get("deconnecte") == "1"), status


@bp.route("/connexion/code", methods=["GET", "POST"])
def code():
    """Second step: the 6-digit code of the authenticator app, accepted once."""
    compte = pending_state.pending_account(pending_state.CODE)
    if compte is None:
        flash(START_AGAIN, "error")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        error = _throttled(compte.identifiant, compte)
        if error:
            status = 429
        elif consume_code(compte.appareil, form.code.data):
            return _signed_in(compte, True)
        else:
            record("connexion.code", "echec", compte=compte)
            db.session.commit()
            error, status = WRONG_CODE, 422
    elif form.errors:
        status = 422
    form.code.data = ""
    return render_template("auth/code.html", form=form, error=error), status


@bp.route("/connexion/activation", methods=["GET", "POST"])
def enrol():
    """First activation: scan the QR code, then type a code to prove the phone has the secret."""
    compte = pending_state.pending_account(pending_state.ENROL)
    if compte is None or compte.a_double_authentification:
        # A device already activated is never replaced from a pending sign-in (SECURITY.md 8).
        flash(START_AGAIN, "error")
        return redirect(url_for("auth.login"))
    secret = pending_secret(compte, "soi")
    db.session.commit()
    form = CodeForm()
    error, status = None, 200
    if form.validate_on_submit():
        error = _throttled(compte.identifiant, compte)
        if error:
            status = 429
        elif (confirmed := confirm_pending(compte, "soi", form.code.data)) and drop_pending(compte, "soi") == 1:
            # Only the request that deleted the pending secret activates it: a second submission
            # of the same code at the same moment finds nothing left to delete.
            activate_device(compte, *confirmed)
            return _signed_in(compte, True, ("enrolement", {"objet_type": "compte", "objet_id": compte.id}))
        else:
            db.session.rollback()
            record("enrolement", "echec", compte=compte, objet_type="compte", objet_id=compte.id)
            db.session.commit()
            error, status = WRONG_CODE, 422
    elif form.errors:
        status = 422
    form.code.data = ""
    return render_template("auth/enrol.html", form=form, error=error, secret=totp.grouped(secret),
                           qr_url=url_for("auth.enrol_qr")), status


@bp.get("/connexion/activation/qr.svg")
def enrol_qr():
    """The QR code of the pending secret, drawn on the server, never cached."""
    compte = pending_state.pending_account(pending_state.ENROL)
    if compte is None or compte.a_double_authentification:
        abort(404)
    secret = pending_secret(compte, "soi")
    db.session.commit()
    return svg_response(qr_svg(totp.provisioning_uri(secret, compte.identifiant)))


def svg_response(svg: bytes) -> Response:
    response = make_response(svg)
    response.headers["Content-Type"] = "image/svg+xml"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/deconnexion")
def logout():
    """« Déconnexion »: the session is closed on the server and the browser told to forget it."""
    end_current_session()
    target = url_for("auth.login", deconnecte=1)
    response = hx_redirect(target) if request.headers.get("HX-Request") == "true" else redirect(target)
    response.headers["Clear-Site-Data"] = '"cache", "cookies", "storage"'
    return response


def upgrade_hash(compte: Compte, password: str) -> None:
    """Re-hash a password made with weaker argon2 parameters than the configured ones (once checked)."""
    if needs_rehash(compte.password_hash):
        compte.password_hash = hash_password(password)


def _new_password_errors(form, compte: Compte) -> list[str]:
    return password_problems(form.nouveau.data, identifiant=compte.identifiant, noms=(compte.nom, compte.prenom))


@bp.route("/mot-de-passe", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password; compulsory after a one-time password."""
    compte = current_user.compte
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        problems = _new_password_errors(form, compte)
        wait = _throttled(compte.identifiant, compte)
        if wait:
            form.actuel.errors.append(wait)
        elif not verify_password(compte.password_hash, form.actuel.data):
            form.actuel.errors.append("Mot de passe actuel incorrect.")
            record("mot_de_passe.changement", "echec", compte=compte)
            db.session.commit()
        elif form.nouveau.data == form.actuel.data:
            problems.append("Choisissez un mot de passe différent de l'actuel.")
        form.nouveau.errors.extend(problems)
        if not form.actuel.errors and not problems:
            compte.password_hash = hash_password(form.nouveau.data)
            compte.mot_de_passe_provisoire = False
            reset_failures(compte.identifiant)
            pending_state.end_pending(compte.id)
            # Every other session of the account ends: whoever knew the old password is out.
            close_sessions_of(compte.id, "mot_de_passe_change", keep=current_user.session_row.id)
            record("mot_de_passe.changement", "succes", compte=compte)
            db.session.commit()
            flash("Votre mot de passe est changé.", "success")
            return redirect(landing_url())
        status = 429 if wait else 422
    elif form.errors:
        status = 422
    return render_template("auth/change_password.html", form=form,
                           compulsory=compte.mot_de_passe_provisoire), status


def _activation_row(token: str) -> Activation | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = db.session.get(Activation, digest)
    if row is None or row.utilisee_le is not None or row.expire_le < utcnow():
        return None
    return row


@bp.route("/activation/<token>", methods=["GET", "POST"])
def activate(token: str):
    """The one-time activation link of a new praticien: choose a password, then enrol the phone."""
    row = _activation_row(token)
    if row is None:
        abort(404)
    compte = db.session.get(Compte, row.compte_id)
    if practice_suspended(compte):
        # The link stays unused: it works again once the caisse lifts the suspension.
        record("connexion.suspendue", "refus", compte=compte, details=SUSPENDED)
        db.session.commit()
        return render_template("auth/activate.html", form=None, compte=compte, suspended=ACCESS_SUSPENDED), 403
    form = NewPasswordForm()
    status = 200
    if form.validate_on_submit():
        problems = _new_password_errors(form, compte)
        form.nouveau.errors.extend(problems)
        if not problems:
            compte.password_hash = hash_password(form.nouveau.data)
            row.utilisee_le = utcnow()
            pending_state.set_pending(compte, pending_state.ENROL)
            record("activation", "succes", compte=compte, objet_type="compte", objet_id=compte.id)
            db.session.commit()
            return redirect(url_for("auth.enrol"))
        status = 422
    elif form.errors:
        status = 422
    return render_template("auth/activate.html", form=form, compte=compte), status

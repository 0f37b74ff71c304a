"""Server-side sessions behind Flask-Login: checked on every request, closed at logout and timeouts.

The signed cookie holds only a random session id; the row in `session_ouverte` says whether it is
still open. Logout, the idle and absolute timeouts, the end of an assistant's validity and his
removal close the row, so a copied cookie is worth nothing afterwards (SECURITY.md 11-12).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from functools import wraps

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import joinedload

from app.audit.services import record
from app.domain.access import account_valid_on, can_manage_assistants
from app.domain.calendar import today_in_monaco
from app.extensions import commit_keeping_state, db, login_manager, once
from app.models import Compte, SessionOuverte
from app.models.types import utcnow
from app.referentiel.cache import remember_token, token_query
from app.web.htmx import hx_redirect

ACTIVITY_WRITE_INTERVAL = timedelta(seconds=30)
REAUTH_VALIDITY = timedelta(minutes=5)
# The caisse suspended the practice (contract article 5): said after a correct password only, and
# when a session of the practice ends for it.
SUSPENDED = "acces_suspendu"
ACCESS_SUSPENDED = "L'accès de ce cabinet au portail est suspendu par la caisse. Contactez la caisse."


def practice_suspended(compte: Compte) -> bool:
    """True when the account acts for a praticien whose access the caisse suspended."""
    return compte.praticien_id is not None and compte.praticien.suspendu


class Principal(UserMixin):
    """The signed-in person: an account (praticien or assistant) and its open session."""

    def __init__(self, compte: Compte, session_row: SessionOuverte):
        self.compte = compte
        self.session_row = session_row

    def get_id(self) -> str:
        return self.session_row.id

    @property
    def praticien_id(self) -> int:
        return self.compte.praticien_id

    @property
    def praticien(self):
        return self.compte.praticien

    @property
    def est_praticien(self) -> bool:
        return self.compte.est_praticien

    @property
    def est_personnel_caisse(self) -> bool:
        return self.compte.est_personnel_caisse

    @property
    def double_authentification(self) -> bool:
        return self.session_row.double_authentification

    @property
    def peut_gerer_assistants(self) -> bool:
        return can_manage_assistants(self.compte.role, self.session_row.double_authentification)

    def reauthenticated_recently(self, now: datetime | None = None) -> bool:
        done = self.session_row.reauthentifie_le
        return done is not None and (now or utcnow()) - done <= REAUTH_VALIDITY


def _client() -> tuple[str | None, str | None]:
    agent = request.headers.get("User-Agent")
    return request.remote_addr, agent[:256] if agent else None


def start_session(compte: Compte, two_factor: bool) -> SessionOuverte:
    """Open a new session with a new identity: nothing of the pre-login cookie survives."""
    session.clear()
    ip, agent = _client()
    row = SessionOuverte(id=secrets.token_urlsafe(32), compte_id=compte.id, double_authentification=two_factor,
                         ip=ip, user_agent=agent)
    db.session.add(row)
    db.session.flush()
    login_user(Principal(compte, row), remember=False)
    session.permanent = False
    return row


def close_session(row: SessionOuverte, reason: str) -> None:
    if row.fermee_le is None:
        row.fermee_le, row.raison_fermeture = utcnow(), reason


def close_sessions_of(compte_id: int, reason: str, keep: str | None = None) -> int:
    """Close every open session of an account at once (an assistant ended or removed, a new
    password), but the one to keep."""
    query = update(SessionOuverte).where(SessionOuverte.compte_id == compte_id, SessionOuverte.fermee_le.is_(None))
    if keep is not None:
        query = query.where(SessionOuverte.id != keep)
    result = db.session.execute(query.values(fermee_le=utcnow(), raison_fermeture=reason)
                                .execution_options(synchronize_session=False))
    return result.rowcount


def end_current_session(reason: str = "deconnexion") -> None:
    """Logout: close the row on the server, end pending sign-ins, forget the user, clear the cookie."""
    from app.auth.pending import end_pending

    if current_user.is_authenticated:
        close_session(current_user.session_row, reason)
        end_pending(current_user.compte.id)
        record("deconnexion", "succes", compte=current_user.compte)
        db.session.commit()
    logout_user()
    session.clear()


@once
def _session_query():
    """Every signed-in request's first statement."""
    return (select(SessionOuverte, token_query())
            .options(joinedload(SessionOuverte.compte).joinedload(Compte.praticien))
            .where(SessionOuverte.id == bindparam("session_id")))


@login_manager.user_loader
def load_principal(session_id: str) -> Principal | None:
    """Check the session on the server at each request: open, not idle, not too old, account valid.

    One statement reads the session, its account, the praticien and the reference data's version
    (the key of the processes' caches, app/referentiel/cache.py)."""
    found = db.session.execute(_session_query(), {"session_id": session_id}).one_or_none()
    row = found[0] if found else None
    if found is not None:
        remember_token(found[1])
    if row is None or row.fermee_le is not None:
        # Said only while the practice is still suspended: after a reactivation, a tablet's old
        # cookie brings the plain login page, not a stale « suspendu ».
        g.session_suspendue = (row is not None and row.raison_fermeture == SUSPENDED
                               and practice_suspended(row.compte))
        return None
    now = utcnow()
    config = current_app.config
    compte = row.compte
    reason = None
    if now - row.derniere_activite > config["FSE_IDLE_TIMEOUT"]:
        reason = "inactivite"
    elif now - row.cree_le > config["FSE_ABSOLUTE_TIMEOUT"]:
        reason = "duree_maximale"
    elif not account_valid_on(compte.role, compte.valide_du, compte.valide_au, compte.supprime_le is not None,
                              today_in_monaco()):
        reason = "acces_termine"
    elif practice_suspended(compte):
        reason = SUSPENDED
    if reason is not None:
        close_session(row, reason)
        record("session.expiree", "refus", compte=compte, details=reason)
        db.session.commit()
        g.session_expiree, g.session_suspendue = True, reason == SUSPENDED
        g.session_personnel_caisse = compte.est_personnel_caisse
        return None
    if now - row.derniere_activite >= ACTIVITY_WRITE_INTERVAL:
        row.derniere_activite = now
        commit_keeping_state()  # the view goes on with what this statement loaded
    return Principal(compte, row)


@login_manager.unauthorized_handler
def unauthorized():
    """Not signed in: to the login page; an htmx request gets HX-Redirect, not a swapped login form."""
    if g.get("session_suspendue"):
        flash(ACCESS_SUSPENDED, "error")
    elif g.get("session_expiree") and g.get("session_personnel_caisse"):
        flash("Votre session a expiré : reconnectez-vous. Une action qui n'était pas validée n'a pas été "
              "enregistrée : refaites-la.", "info")
    elif g.get("session_expiree"):
        flash("Votre session a expiré : reconnectez-vous. La FSE en cours et les brouillons de formulaires "
              "enregistrés sont conservés.", "info")
    target = url_for("auth.login")
    if request.headers.get("HX-Request") == "true":
        return hx_redirect(target)
    return redirect(target)


def praticien_required(view):
    """Only the praticien himself; an assistant gets 403 and the attempt is logged (SECURITY 15)."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.est_praticien:
            record("acces.refuse", "refus", compte=current_user.compte, objet_type="route",
                   objet_id=request.endpoint)
            db.session.commit()
            abort(403)
        return view(*args, **kwargs)
    return wrapped


def password_change_pending() -> bool:
    """True while the account still has the one-time password it was given."""
    return current_user.is_authenticated and current_user.compte.mot_de_passe_provisoire

"""Named actions of the « Demande d'abonnement »: the throttle per client address, the request
created with its reference and its audit row (no personal data in it), a repeated post found again."""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from sqlalchemy import select, update

from app.abonnement.forms import DemandeAbonnementForm
from app.audit.services import record
from app.auth.throttling import begin_attempt
from app.domain.abonnement import THROTTLE_WINDOW, blocked_until, new_reference, sans_carte
from app.extensions import db
from app.models import DemandeAbonnement, TentativeConnexion
from app.models.types import utcnow

AUDIT_ACTION = "abonnement.demande"
OBJECT_TYPE = "demande_abonnement"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    """The one-time token of a blank form: its request is created once, however often it is posted."""
    return secrets.token_urlsafe(24)


def valid_token(value: str | None) -> bool:
    """True for a token this page gave out (its shape only)."""
    return bool(value and TOKEN.match(value))


def throttle_key(ip: str | None) -> str:
    """The throttle's row of a client address (the address as the proxy settings give it)."""
    return f"abonnement:{ip or 'inconnue'}"


def begin_request(ip: str | None) -> timedelta | bool:
    """Count one request of this address unless it must wait: False when it may go on, else the
    wait. An hour without a request forgets the count. Commits (app/auth/throttling.py)."""
    key = throttle_key(ip)
    db.session.execute(update(TentativeConnexion)
                       .where(TentativeConnexion.identifiant == key,
                              TentativeConnexion.dernier_echec <= utcnow() - THROTTLE_WINDOW)
                       .values(echecs=0, dernier_echec=None))
    return begin_attempt(key, policy=blocked_until)


def refuse_throttled() -> None:
    """Audit a request refused for its address's throttle (the caller commits)."""
    record(AUDIT_ACTION, "refus", objet_type=OBJECT_TYPE, details="trop de tentatives")


def sent_with_token(jeton: str | None) -> DemandeAbonnement | None:
    """The request already created from this form, if any (a double tap, a retry)."""
    if not valid_token(jeton):
        return None
    return db.session.scalar(select(DemandeAbonnement).where(DemandeAbonnement.jeton == jeton))


def create_request(form: DemandeAbonnementForm, ip: str | None, today: date) -> DemandeAbonnement:
    """A pending request from a valid form, with its reference and its audit row (the caller
    commits). The audit row names the request's number only: no name, number, address or phone."""
    adeli, rpps = form.adeli.cleaned, form.rpps.cleaned
    demande = DemandeAbonnement(
        reference=new_reference(today),
        jeton=form.jeton.data if valid_token(form.jeton.data) else new_token(),
        profession=form.profession.data,
        nom=form.nom.cleaned,
        prenom=form.prenom.cleaned,
        adeli=adeli,
        rpps=rpps,
        sans_carte_cps=sans_carte(form.carte.data, bool(adeli or rpps)),
        email=form.email.cleaned,
        mobile=form.mobile.cleaned,
        fixe=form.fixe.cleaned,
        fait_a=form.fait_a.cleaned,
        fait_le=form.fait_le.data,
        contrat_accepte=True,
        ip=ip,
    )
    db.session.add(demande)
    db.session.flush()
    record(AUDIT_ACTION, "succes", objet_type=OBJECT_TYPE, objet_id=demande.id)
    return demande

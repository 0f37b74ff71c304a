"""Named actions on the praticiens' accesses, for the caisse's agents: the search, a practice's accounts
(validity, last sign-in, second factor), the suspension under the contract's article 5 (every open
session and pending sign-in of the practice ended at once), the reactivation, and a new one-time
activation link for a praticien who never activated his account. Each is audited in its own commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from sqlalchemy import delete, func, select, update

from app.audit.services import record
from app.auth.cli import activation_link, create_activation
from app.auth.sessions import SUSPENDED
from app.domain.praticiens import STATUTS, matches, search_words, status
from app.domain.professions import PROFESSIONS
from app.extensions import db
from app.models import Activation, Compte, ConnexionEnAttente, JournalAudit, Praticien, SessionOuverte
from app.models.types import utcnow
from app.profile.services import practice_accounts

PAGE_SIZE = 25
SUSPENSION, REACTIVATION = "caisse.praticien.suspension", "caisse.praticien.reactivation"
NEW_LINK = "caisse.praticien.lien_activation"
OBJECT_TYPE = "praticien"


@dataclass(frozen=True)
class Row:
    """A line of the list: the praticien, his own identifiant and his access's status."""

    id: int
    nom: str
    prenom: str
    profession: str
    specialite: str
    identifiant: str | None
    adeli: str | None
    rpps: str | None
    email: str
    statut: str


@dataclass(frozen=True)
class PraticiensPage:
    rows: list[Row]
    total: int
    page: int
    pages: int


def praticiens_page(search: str, statut: str, page: int) -> PraticiensPage:
    """The praticiens matching every word of the search, accents and case ignored, in nom, prénom,
    identifiant, ADELI, RPPS, e-mail, profession or spécialité; by status; by name.

    The folding is Python's (app/domain/text.fold: SQLite and PostgreSQL fold accents differently,
    and unaccent is an extension): one light query of the registry's columns, filtered here. Monaco's
    caisse has a few hundred praticiens conventionnés: one query and a loop over them."""
    own = select(Compte.praticien_id, Compte.identifiant, Compte.password_hash.is_not(None).label("active")) \
        .where(Compte.role == "praticien").subquery()
    rows = db.session.execute(
        select(Praticien.id, Praticien.nom, Praticien.prenom, Praticien.profession, Praticien.specialite,
               own.c.identifiant, Praticien.adeli, Praticien.rpps, Praticien.email,
               Praticien.suspendu_le.is_not(None).label("suspended"), own.c.active)
        .outerjoin(own, own.c.praticien_id == Praticien.id)
        .order_by(Praticien.nom, Praticien.prenom, Praticien.id)).all()
    words = search_words(search)
    found = []
    for r in rows:
        row = Row(r.id, r.nom, r.prenom, r.profession, r.specialite, r.identifiant, r.adeli, r.rpps, r.email,
                  status(bool(r.suspended), bool(r.active)))
        if statut in STATUTS and row.statut != statut:
            continue
        if matches(words, (row.nom, row.prenom, row.identifiant, row.adeli, row.rpps, row.email,
                           PROFESSIONS.get(row.profession), row.specialite)):
            found.append(row)
    pages = max(1, ceil(len(found) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    return PraticiensPage(found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(found), page, pages)


@dataclass(frozen=True)
class Practice:
    """A praticien's page: his accounts, their last sign-in, his status, his suspension's author."""

    praticien: Praticien
    accounts: list[Compte]
    own: Compte | None
    last_sign_in: dict[int, datetime]
    statut: str
    link_valid_until: datetime | None
    suspension: JournalAudit | None
    suspended_by: Compte | None


def own_account(praticien_id: int) -> Compte | None:
    """The praticien's own account (not an assistant's)."""
    return db.session.scalar(select(Compte).where(Compte.praticien_id == praticien_id, Compte.role == "praticien"))


def practice(praticien: Praticien) -> Practice:
    """Everything the agent sees of a practice, in a few queries (none per account)."""
    accounts = practice_accounts(praticien.id)
    ids = [compte.id for compte in accounts]
    last = dict(db.session.execute(select(SessionOuverte.compte_id, func.max(SessionOuverte.cree_le))
                                   .where(SessionOuverte.compte_id.in_(ids))
                                   .group_by(SessionOuverte.compte_id)).all()) if ids else {}
    own = next((compte for compte in accounts if compte.role == "praticien"), None)
    link_until = None
    if own is not None and own.password_hash is None:
        link_until = db.session.scalar(select(func.max(Activation.expire_le)).where(
            Activation.compte_id == own.id, Activation.utilisee_le.is_(None), Activation.expire_le > utcnow()))
    suspension = None
    if praticien.suspendu:
        # The newest suspension row of this praticien (index on praticien_id, numero).
        suspension = db.session.scalar(select(JournalAudit).where(
            JournalAudit.praticien_id == praticien.id, JournalAudit.action == SUSPENSION)
            .order_by(JournalAudit.numero.desc()).limit(1))
    by = db.session.get(Compte, suspension.compte_id) if suspension is not None and suspension.compte_id else None
    return Practice(praticien, accounts, own, last,
                    status(praticien.suspendu, own is not None and own.password_hash is not None),
                    link_until, suspension, by)


def _practice_accounts(praticien_id: int):
    return select(Compte.id).where(Compte.praticien_id == praticien_id).scalar_subquery()


def suspend(praticien_id: int, agent: Compte, motif: str) -> int | None:
    """Suspend the practice's access (a conditional UPDATE: None when it is suspended already) and end
    at once every open session and pending sign-in of the praticien and of his assistants; audited
    with the reason, in one commit. Returns how many sessions were closed."""
    changed = db.session.execute(
        update(Praticien).where(Praticien.id == praticien_id, Praticien.suspendu_le.is_(None))
        .values(suspendu_le=utcnow(), motif_suspension=motif).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        return None
    accounts = _practice_accounts(praticien_id)
    closed = db.session.execute(
        update(SessionOuverte).where(SessionOuverte.compte_id.in_(accounts), SessionOuverte.fermee_le.is_(None))
        .values(fermee_le=utcnow(), raison_fermeture=SUSPENDED).execution_options(synchronize_session=False)).rowcount
    db.session.execute(delete(ConnexionEnAttente).where(ConnexionEnAttente.compte_id.in_(accounts))
                       .execution_options(synchronize_session=False))
    record(SUSPENSION, "succes", compte=agent, praticien_id=praticien_id, objet_type=OBJECT_TYPE,
           objet_id=praticien_id, details=motif)
    db.session.commit()
    return closed


def reactivate(praticien_id: int, agent: Compte) -> bool:
    """Lift the suspension (False, nothing written, when the access is not suspended); audited."""
    changed = db.session.execute(
        update(Praticien).where(Praticien.id == praticien_id, Praticien.suspendu_le.is_not(None))
        .values(suspendu_le=None, motif_suspension=None).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    record(REACTIVATION, "succes", compte=agent, praticien_id=praticien_id, objet_type=OBJECT_TYPE,
           objet_id=praticien_id)
    db.session.commit()
    return True


def renew_activation(praticien_id: int, agent: Compte) -> str | None:
    """A fresh one-time activation link for a praticien who never chose a password, the older links
    made worthless; None (nothing written) once he has activated his account. Audited."""
    own = own_account(praticien_id)
    if own is None:
        return None
    # Conditional on « no password yet », so that a link is never made for an account activated
    # meanwhile (an activation link sets the password: it must not outlive the first one).
    still_new = db.session.execute(
        update(Compte).where(Compte.id == own.id, Compte.password_hash.is_(None))
        .values(identifiant=Compte.identifiant).execution_options(synchronize_session=False)).rowcount
    if still_new != 1:
        db.session.rollback()
        return None
    db.session.execute(delete(Activation).where(Activation.compte_id == own.id, Activation.utilisee_le.is_(None))
                       .execution_options(synchronize_session=False))
    token = create_activation(own)
    record(NEW_LINK, "succes", compte=agent, praticien_id=praticien_id, objet_type="compte", objet_id=own.id)
    db.session.commit()
    return activation_link(token)

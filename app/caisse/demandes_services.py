"""Named actions on the subscription requests, for the caisse's agents: the list (pending first, first
come first served), the praticiens a request may duplicate, who treated it, the approval (request,
praticien, account, activation link and audit rows in ONE transaction) and the refusal."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.cli import create_with_activation_link, identifiant_taken
from app.domain.abonnement import APPROUVEE, EN_ATTENTE, REFUSEE, STATUTS
from app.domain.praticiens import duplicate_reasons
from app.domain.professions import PROFESSIONS
from app.extensions import db
from app.models import Compte, DemandeAbonnement, JournalAudit, Praticien
from app.profile.services import free_identifiant

PAGE_SIZE = 50
OBJECT_TYPE = "demande_abonnement"  # as the public page's audit row (app/abonnement/services.py)
APPROVAL, REFUSAL = "caisse.abonnement.approbation", "caisse.abonnement.refus"


@dataclass(frozen=True)
class RequestsPage:
    """One page of the agent's list."""

    rows: list[DemandeAbonnement]
    total: int
    page: int
    pages: int


def requests_page(statut: str, page: int) -> RequestsPage:
    """The requests of a status (all when empty): the pending ones first, oldest first (first come,
    first served), then the treated ones, newest first."""
    where = [DemandeAbonnement.statut == statut] if statut in STATUTS else []
    total = db.session.scalar(select(func.count()).select_from(DemandeAbonnement).where(*where)) or 0
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    pending = DemandeAbonnement.statut == EN_ATTENTE
    rows = db.session.scalars(
        select(DemandeAbonnement).where(*where)
        .order_by(case((pending, 0), else_=1), case((pending, DemandeAbonnement.cree_le), else_=None),
                  DemandeAbonnement.cree_le.desc(), DemandeAbonnement.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return RequestsPage(list(rows), total, page, pages)


def pending_count() -> int:
    """How many requests wait for an agent."""
    return db.session.scalar(select(func.count()).select_from(DemandeAbonnement)
                             .where(DemandeAbonnement.statut == EN_ATTENTE)) or 0


@dataclass(frozen=True)
class Duplicate:
    """A praticien who already has an access, and what the request shares with him."""

    praticien: Praticien
    reasons: list[str]


def duplicates(demande: DemandeAbonnement) -> list[Duplicate]:
    """The praticiens with the request's ADELI, RPPS or e-mail (case ignored), in one query."""
    conditions = [func.lower(Praticien.email) == demande.email.lower()]
    if demande.adeli:
        conditions.append(Praticien.adeli == demande.adeli)
    if demande.rpps:
        conditions.append(Praticien.rpps == demande.rpps)
    found = db.session.scalars(select(Praticien).where(or_(*conditions)).order_by(Praticien.nom, Praticien.id))
    wanted = {"adeli": demande.adeli, "rpps": demande.rpps, "email": demande.email}
    return [Duplicate(p, duplicate_reasons(wanted, {"adeli": p.adeli, "rpps": p.rpps, "email": p.email}))
            for p in found]


@dataclass(frozen=True)
class Treatment:
    """Who treated a request, when, and (an approval) the praticien it created."""

    row: JournalAudit
    agent: Compte | None
    praticien: Praticien | None


def treatment(demande: DemandeAbonnement) -> Treatment | None:
    """The audit row of the request's approval or refusal: the trail says who and when."""
    if demande.statut == EN_ATTENTE:
        return None
    row = db.session.scalar(select(JournalAudit).where(
        JournalAudit.action.in_((APPROVAL, REFUSAL)), JournalAudit.objet_type == OBJECT_TYPE,
        JournalAudit.objet_id == str(demande.id), JournalAudit.resultat == "succes")
        .order_by(JournalAudit.numero.desc()).limit(1))
    if row is None:
        return None
    agent = db.session.get(Compte, row.compte_id) if row.compte_id else None
    praticien = db.session.get(Praticien, row.praticien_id) if row.praticien_id else None
    return Treatment(row, agent, praticien)


def proposal(demande: DemandeAbonnement) -> dict[str, str]:
    """What the approval form proposes: a free « prenom.nom » and the profession's label."""
    return {"identifiant": free_identifiant(demande.prenom, demande.nom),
            "specialite": PROFESSIONS[demande.profession]}


class IdentifiantTaken(Exception):
    """Another account has this identifiant (checked first; the UNIQUE index settles a race)."""


@dataclass(frozen=True)
class Approval:
    """What the agent gives the new praticien, once: his identifiant and his activation link."""

    praticien: Praticien
    compte: Compte
    link: str


def approve(demande_id: int, agent: Compte, identifiant: str, specialite: str) -> Approval | None:
    """Approve a pending request: its status (a conditional UPDATE: None when another agent or tab
    treated it first), the praticien (profession, names, ADELI, RPPS and e-mail of the request), his
    account without a password, his one-time activation link and the audit rows, in one commit.
    Raises IdentifiantTaken (nothing written) when the identifiant names an account already."""
    if identifiant_taken(identifiant):
        raise IdentifiantTaken(identifiant)
    changed = db.session.execute(
        update(DemandeAbonnement).where(DemandeAbonnement.id == demande_id, DemandeAbonnement.statut == EN_ATTENTE)
        .values(statut=APPROUVEE).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        return None
    demande = db.session.get(DemandeAbonnement, demande_id)
    db.session.refresh(demande)
    praticien = Praticien(profession=demande.profession, specialite=specialite, nom=demande.nom,
                          prenom=demande.prenom, email=demande.email, adeli=demande.adeli, rpps=demande.rpps)
    compte = Compte(identifiant=identifiant, password_hash=None, role="praticien", praticien=praticien,
                    nom=demande.nom, prenom=demande.prenom)
    try:
        link = create_with_activation_link(compte, commit=False)
        record(APPROVAL, "succes", compte=agent, praticien_id=praticien.id, objet_type=OBJECT_TYPE,
               objet_id=demande.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise IdentifiantTaken(identifiant) from None
    return Approval(praticien, compte, link)


def refuse(demande_id: int, agent: Compte, motif: str) -> bool:
    """Refuse a pending request with its reason, audited, in one commit; False (nothing written)
    when another agent or tab treated it first."""
    changed = db.session.execute(
        update(DemandeAbonnement).where(DemandeAbonnement.id == demande_id, DemandeAbonnement.statut == EN_ATTENTE)
        .values(statut=REFUSEE, motif_refus=motif).execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        db.session.rollback()
        return False
    record(REFUSAL, "succes", compte=agent, objet_type=OBJECT_TYPE, objet_id=demande_id)
    db.session.commit()
    return True

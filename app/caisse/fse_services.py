"""Named actions on the FSE the caisse received: the filtered list with its counts and amounts, the
rejection of one FSE with its reason (contract article 10), and the ordiposte that pays a selection
of HNP/RDD FSE. Each action writes its audit row in the caller's transaction; the caller commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from math import ceil

from sqlalchemy import func, select, update

from app.history import cache as history_cache
from app.audit.services import record
from app.domain.calendar import utc_bounds
from app.domain.caisse_fses import clean_reason, latest_transmission_day, processing_cutoff, rejection_refusal
from app.domain.lifecycle import BROUILLON, REJETEE, STATUTS_TRANSMIS, TRANSMISE
from app.domain.money import ZERO
from app.extensions import db
from app.hnp.services import OrdiposteError, create_ordiposte
from app.models import Fse, Ordiposte, Praticien
from app.models.types import utcnow

PAGE_SIZE = 50
# An ordiposte is made from one page of the list: more FSE at once would not be checked by anyone.
ORDIPOSTE_MAX_FSE = PAGE_SIZE


def now() -> datetime:
    """The current instant (UTC): the deletion window is reckoned from it; tests freeze it."""
    return utcnow()


class RejectionError(ValueError):
    """The FSE cannot be rejected (any more); the message says why, in French."""


@dataclass(frozen=True)
class ReceivedFilters:
    """What the agent filters the received FSE on; None: no filter on that side."""

    praticien_id: int | None = None
    du: date | None = None
    au: date | None = None
    caisse: str | None = None
    statut: str | None = None
    hnp: bool | None = None

    @property
    def payable(self) -> bool:
        """The list shows only FSE an ordiposte can pay: transmitted HNP/RDD FSE not paid yet, out of
        the practice's deletion window (those still in it are listed apart, not to be ticked)."""
        return self.statut == TRANSMISE and self.hnp is True


@dataclass(frozen=True)
class ReceivedPage:
    """One page of the filtered list, newest transmission first, with the whole selection's figures."""

    rows: list[Fse]
    total: int
    montant: Decimal
    part_caisse: Decimal
    by_status: dict[str, int] = field(default_factory=dict)
    page: int = 1
    pages: int = 1
    praticiens: dict[int, Praticien] = field(default_factory=dict)
    # In the list to pay: the FSE the praticien may still delete (transmitted today, before 22:00).
    waiting: list[Fse] = field(default_factory=list)


def _conditions(filters: ReceivedFilters, cutoff: datetime | None = None) -> list:
    """The filters in SQL; in the list to pay, `cutoff` splits the FSE out of their deletion window
    (transmitted before it: payable) from those the praticien may still delete (None: the former)."""
    start, end = utc_bounds(filters.du, filters.au)
    conditions = [Fse.statut != BROUILLON]  # a draft is the practice's own, never the caisse's
    if filters.praticien_id is not None:
        conditions.append(Fse.praticien_id == filters.praticien_id)
    if start is not None:
        conditions.append(Fse.transmise_le >= start)
    if end is not None:
        conditions.append(Fse.transmise_le < end)
    if filters.caisse:
        conditions.append(Fse.caisse == filters.caisse)
    if filters.statut:
        conditions.append(Fse.statut == filters.statut)
    if filters.hnp is not None:
        conditions.append(Fse.hnp.is_(filters.hnp))
    if filters.payable:
        conditions.append(Fse.ordiposte_id.is_(None))
    return conditions


def received_page(filters: ReceivedFilters, page: int = 1, at: datetime | None = None) -> ReceivedPage:
    """The transmitted FSE of every praticien matching the filters: one page of them, and the count
    and amounts (billed, part caisse) of the whole selection, by status. The list to pay holds only
    the FSE out of their deletion window at `at` (default: now); `waiting` has the others."""
    conditions = _conditions(filters)
    waiting: list[Fse] = []
    if filters.payable:
        cutoff = processing_cutoff(at if at is not None else now())
        conditions.append(Fse.transmise_le < cutoff)
        waiting = list(db.session.scalars(
            select(Fse).where(*_conditions(filters), Fse.transmise_le >= cutoff)
            .order_by(Fse.transmise_le.desc(), Fse.id.desc()).limit(PAGE_SIZE)))
    by_status, total, montant, part_caisse = {}, 0, ZERO, ZERO
    for statut, count, billed, owed in db.session.execute(
            select(Fse.statut, func.count(), func.sum(Fse.total_facture), func.sum(Fse.part_caisse))
            .where(*conditions).group_by(Fse.statut)):
        by_status[statut] = count
        total += count
        montant += billed or ZERO
        part_caisse += owed or ZERO
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(db.session.scalars(
        select(Fse).where(*conditions)
        .order_by(Fse.transmise_le.desc(), Fse.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    ordered = {statut: by_status[statut] for statut in STATUTS_TRANSMIS if statut in by_status}
    return ReceivedPage(rows=rows, total=total, montant=montant, part_caisse=part_caisse, by_status=ordered,
                        page=page, pages=pages, waiting=waiting,
                        praticiens=praticiens_of(row.praticien_id for row in [*rows, *waiting]))


def praticiens_of(ids) -> dict[int, Praticien]:
    """The praticiens of these ids, in one query."""
    wanted = set(ids)
    return {p.id: p for p in db.session.scalars(select(Praticien).where(Praticien.id.in_(wanted)))} if wanted else {}


def praticien_choices() -> list[tuple[int, str]]:
    """Every praticien, by name, for the list's filter: (id, « NOM Prénom »)."""
    return [(row.id, f"{row.nom.upper()} {row.prenom}") for row in db.session.execute(
        select(Praticien.id, Praticien.nom, Praticien.prenom).order_by(Praticien.nom, Praticien.prenom, Praticien.id))]


def received_fse(fse_id: int) -> Fse | None:
    """A transmitted FSE, whatever its praticien; None for a draft or an unknown id (404)."""
    return db.session.scalar(select(Fse).where(Fse.id == fse_id, Fse.statut != BROUILLON))


def reject_fse(fse: Fse, motif: str, agent, at: datetime | None = None) -> None:
    """« Rejeter » (contract article 10): the FSE becomes `rejetee` with its reason, the agent and the
    instant, only if it is still `transmise` (another agent, another tab, a payment or the practice's
    deletion may have come first: RejectionError, nothing written) and out of the practice's deletion
    window at `at` (default: now); audited for the praticien."""
    at = at if at is not None else now()
    reason = clean_reason(motif)
    changed = db.session.execute(
        update(Fse).where(Fse.id == fse.id, Fse.statut == TRANSMISE,
                          Fse.transmise_le < processing_cutoff(at))  # the praticien can no longer delete it
        .values(statut=REJETEE, motif_rejet=reason, statut_change_le=at, statut_change_par_id=agent.id,
                version=Fse.version + 1)  # the ORM's version counter, kept in step
        .execution_options(synchronize_session=False)).rowcount
    db.session.expire(fse)
    if changed != 1:
        raise RejectionError(rejection_refusal(fse.statut, fse.transmise_le, at)
                             or "Cette FSE ne peut pas être rejetée.")
    history_cache.touch(fse.praticien_id)
    record("caisse.fse.rejet", "succes", compte=agent, praticien_id=fse.praticien_id, objet_type="fse",
           objet_id=fse.id)


def pay_in_ordiposte(fse_ids: Sequence[int], date_paiement: date, agent) -> Ordiposte:
    """A new ordiposte paying these FSE (one praticien, one caisse, HNP/RDD, transmitted, unpaid, out of
    the practice's deletion window; paid on a day not before their transmission), created by the agent;
    refused whole otherwise (OrdiposteError: the caller rolls back). One audit row."""
    ids = sorted(set(fse_ids))
    if len(ids) > ORDIPOSTE_MAX_FSE:
        raise OrdiposteError(f"Un ordiposte paie {ORDIPOSTE_MAX_FSE} FSE au plus à la fois.")
    fses = list(db.session.scalars(select(Fse).where(Fse.id.in_(ids), Fse.statut != BROUILLON)
                                   .order_by(Fse.date_soins, Fse.id))) if ids else []
    if len(fses) != len(ids):
        raise OrdiposteError("Une des FSE choisies est introuvable : rechargez la liste.")
    ordiposte = create_ordiposte(fses, date_paiement, compte=agent, audit=False, at=now())
    record("caisse.ordiposte.creation", "succes", compte=agent, praticien_id=ordiposte.praticien_id,
           objet_type="ordiposte", objet_id=ordiposte.id, details=f"{len(fses)} FSE")
    return ordiposte


def latest_transmission_of(fse_ids: Sequence[int]) -> date | None:
    """The latest Monaco day of transmission among these FSE (None: none found), for the payment date."""
    ids = set(fse_ids)
    if not ids or len(ids) > ORDIPOSTE_MAX_FSE:  # too many: the ordiposte is refused anyway
        return None
    return latest_transmission_day(db.session.scalars(select(Fse.transmise_le).where(
        Fse.id.in_(ids), Fse.statut != BROUILLON)))


def ordiposte_by_id(ordiposte_id: int) -> Ordiposte | None:
    """Any praticien's ordiposte (the caisse made them all), or None."""
    return db.session.get(Ordiposte, ordiposte_id)

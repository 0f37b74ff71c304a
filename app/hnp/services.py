"""Named actions on ordipostes: the caisse pays transmitted HNP/RDD FSE in one payment order.

`create_ordiposte` is the caisse's action (its back office calls it; the demo data uses it too): the
FSE become `payee` and the ordiposte's amount is the sum of what the caisse owed on them (their part
caisse), in the same transaction as the audit row. The praticien's side reads them: a page of his
ordipostes over a period of payment dates, and the FSE one of them paid (its fiche de décompte).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from math import ceil

from sqlalchemy import func, select, update

from app.history import cache as history_cache
from app.audit.services import record
from app.domain.caisse_fses import (latest_transmission_day, payment_date_problem, processing_cutoff,
                                    processing_refusal)
from app.domain.calendar import today_in_monaco
from app.domain.lifecycle import PAYEE, TRANSMISE, can_transition
from app.domain.money import ZERO
from app.extensions import db
from app.models import Fse, Ordiposte
from app.models.types import utcnow

PAGE_SIZE = 25

# The caisses in words, as the fiche de décompte names the payer.
CAISSE_NAMES = {
    "CCSS": "Caisse de Compensation des Services Sociaux",
    "CAMTI": "Caisse d'Assurance Maladie, accident et maternité des Travailleurs Indépendants",
    "SPME": "Service des Prestations Médicales de l'État",
}


class OrdiposteError(ValueError):
    """The FSE given cannot be paid together; the message says why, in French."""


def ordiposte_reference(caisse: str, day: date) -> str:
    """A payment order's reference: OP, caisse, day, 6 random characters (UNIQUE in the database)."""
    return f"OP-{caisse}-{day.strftime('%Y%m%d')}-{secrets.token_hex(3).upper()}"


def create_ordiposte(fses: Sequence[Fse], date_paiement: date, compte=None, audit: bool = True,
                     at: datetime | None = None) -> Ordiposte:
    """Pay transmitted HNP/RDD FSE of one praticien and one caisse in a new ordiposte; `compte` is
    the agent who creates it (none for the demo's history), `at` the instant (default: now).

    The caller commits. Refused whole when one FSE is not an unpaid transmitted HNP/RDD FSE, when the
    praticien may still delete one (transmitted today, before 22:00 Monaco: its deletion window is
    open), when they belong to several praticiens or caisses, or when the payment date is in the
    future or before a transmission. The FSE change status in one conditional UPDATE (still
    transmise, still unpaid, transmitted before the window's cutoff): when another agent paid or
    rejected one of them meanwhile, the error comes after the ordiposte's INSERT, so the caller rolls
    back on OrdiposteError.
    """
    if not fses:
        raise OrdiposteError("Choisissez au moins une FSE à payer.")
    if len({id(fse) for fse in fses}) != len(fses):
        raise OrdiposteError("Une même FSE ne peut figurer qu'une fois dans un ordiposte.")
    praticiens = {fse.praticien_id for fse in fses}
    caisses = {fse.caisse for fse in fses}
    if len(praticiens) != 1 or len(caisses) != 1:
        raise OrdiposteError("Un ordiposte paie les FSE d'un seul praticien et d'une seule caisse.")
    for fse in fses:
        if not fse.hnp or not can_transition(fse.statut, PAYEE):
            raise OrdiposteError(f"La FSE {fse.accuse_reception} n'est pas une FSE HNP/RDD transmise "
                                 "en attente de paiement.")
    now = at if at is not None else utcnow()
    for fse in fses:
        refusal = processing_refusal(fse.transmise_le, now, verb="payée")
        if refusal:
            raise OrdiposteError(f"FSE {fse.accuse_reception} : {refusal}")
    problem = payment_date_problem(date_paiement, today_in_monaco(now),
                                   latest_transmission_day(fse.transmise_le for fse in fses))
    if problem:
        raise OrdiposteError(problem)
    ordiposte = Ordiposte(praticien_id=praticiens.pop(), caisse=caisses.pop(),
                          reference=ordiposte_reference(fses[0].caisse, date_paiement), date_paiement=date_paiement,
                          nombre_fse=len(fses), montant=sum((fse.part_caisse for fse in fses), ZERO),
                          cree_par_id=compte.id if compte is not None else None)
    db.session.add(ordiposte)
    db.session.flush()
    ids = [fse.id for fse in fses]
    paid = db.session.execute(
        update(Fse).where(Fse.id.in_(ids), Fse.statut == TRANSMISE, Fse.hnp.is_(True), Fse.ordiposte_id.is_(None),
                          Fse.transmise_le < processing_cutoff(now))  # out of the practice's deletion window
        .values(statut=PAYEE, ordiposte_id=ordiposte.id, statut_change_le=now,
                statut_change_par_id=compte.id if compte is not None else None,
                version=Fse.version + 1)  # the ORM's version counter, kept in step
        .execution_options(synchronize_session=False)).rowcount
    for fse in fses:
        db.session.expire(fse)
    if paid != len(fses):
        raise OrdiposteError("Une des FSE choisies vient d'être payée ou rejetée par ailleurs : "
                             "aucun ordiposte n'a été créé. Vérifiez la liste et recommencez.")
    history_cache.touch(ordiposte.praticien_id)
    if audit:
        record("ordiposte.creation", "succes", compte=compte, praticien_id=ordiposte.praticien_id,
               objet_type="ordiposte", objet_id=ordiposte.id, details=f"{len(fses)} FSE")
    return ordiposte


def ordiposte_of(praticien_id: int, ordiposte_id: int) -> Ordiposte | None:
    """The praticien's own ordiposte, or None (another praticien's is not found: 404)."""
    return db.session.scalar(select(Ordiposte).where(Ordiposte.id == ordiposte_id,
                                                     Ordiposte.praticien_id == praticien_id))


@dataclass(frozen=True)
class OrdipostePage:
    """One page of the praticien's ordipostes, newest first, and where it stands in the selection."""

    rows: list[Ordiposte]
    total: int
    montant: Decimal
    page: int
    pages: int


def ordipostes_page(praticien_id: int, du: date | None, au: date | None, page: int = 1) -> OrdipostePage:
    """The praticien's ordipostes paid between `du` and `au` (both included), newest payment first."""
    where = [Ordiposte.praticien_id == praticien_id]
    if du is not None:
        where.append(Ordiposte.date_paiement >= du)
    if au is not None:
        where.append(Ordiposte.date_paiement <= au)
    total, montant = db.session.execute(select(func.count(), func.sum(Ordiposte.montant))
                                        .select_from(Ordiposte).where(*where)).one()
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(db.session.scalars(select(Ordiposte).where(*where)
                                   .order_by(Ordiposte.date_paiement.desc(), Ordiposte.id.desc())
                                   .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return OrdipostePage(rows=rows, total=total, montant=montant if montant is not None else ZERO, page=page, pages=pages)


def paid_fses(ordiposte: Ordiposte) -> list[Fse]:
    """The FSE an ordiposte paid, in the order of the décompte: date of care, then reference."""
    return list(db.session.scalars(select(Fse).where(Fse.ordiposte_id == ordiposte.id,
                                                     Fse.praticien_id == ordiposte.praticien_id)
                                   .order_by(Fse.date_soins, Fse.accuse_reception)))


def caisse_name(code: str) -> str:
    """The caisse's name in words (its code when unknown)."""
    return CAISSE_NAMES.get(code, code)

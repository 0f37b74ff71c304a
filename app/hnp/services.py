"""Named actions on ordipostes: the caisse pays transmitted HNP/RDD FSE in one payment order.

`create_ordiposte` is the caisse's action (its back office calls it; the demo data uses it too): the
FSE become `payee` and the ordiposte's amount is the sum of what the caisse owed on them (their part
caisse), in the same transaction as the audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from app.audit.services import record
from app.domain.lifecycle import PAYEE, can_transition
from app.domain.money import ZERO
from app.extensions import db
from app.models import Fse, Ordiposte
from app.models.types import utcnow


class OrdiposteError(ValueError):
    """The FSE given cannot be paid together; the message says why, in French."""


def ordiposte_reference(caisse: str, day: date) -> str:
    """A payment order's reference: OP, caisse, day, 6 random characters (UNIQUE in the database)."""
    return f"OP-{caisse}-{day.strftime('%Y%m%d')}-{secrets.token_hex(3).upper()}"


def create_ordiposte(fses: Sequence[Fse], date_paiement: date, compte=None, audit: bool = True) -> Ordiposte:
    """Pay transmitted HNP/RDD FSE of one praticien and one caisse in a new ordiposte.

    The caller commits. Refused whole when one FSE is not an unpaid transmitted HNP/RDD FSE, or when
    they belong to several praticiens or caisses.
    """
    if not fses:
        raise OrdiposteError("Choisissez au moins une FSE à payer.")
    praticiens = {fse.praticien_id for fse in fses}
    caisses = {fse.caisse for fse in fses}
    if len(praticiens) != 1 or len(caisses) != 1:
        raise OrdiposteError("Un ordiposte paie les FSE d'un seul praticien et d'une seule caisse.")
    for fse in fses:
        if not fse.hnp or not can_transition(fse.statut, PAYEE):
            raise OrdiposteError(f"La FSE {fse.accuse_reception} n'est pas une FSE HNP/RDD transmise "
                                 "en attente de paiement.")
    now = utcnow()
    ordiposte = Ordiposte(praticien_id=praticiens.pop(), caisse=caisses.pop(),
                          reference=ordiposte_reference(fses[0].caisse, date_paiement), date_paiement=date_paiement,
                          nombre_fse=len(fses), montant=sum((fse.part_caisse for fse in fses), ZERO))
    db.session.add(ordiposte)
    db.session.flush()
    for fse in fses:
        fse.statut, fse.ordiposte_id, fse.statut_change_le = PAYEE, ordiposte.id, now
        fse.statut_change_par_id = compte.id if compte is not None else None
    if audit:
        record("ordiposte.creation", "succes", compte=compte, praticien_id=ordiposte.praticien_id,
               objet_type="ordiposte", objet_id=ordiposte.id, details=f"{len(fses)} FSE")
    return ordiposte


def ordiposte_of(praticien_id: int, ordiposte_id: int) -> Ordiposte | None:
    """The praticien's own ordiposte, or None (another praticien's is not found: 404)."""
    return db.session.scalar(select(Ordiposte).where(Ordiposte.id == ordiposte_id,
                                                     Ordiposte.praticien_id == praticien_id))

"""Pricing saved acts at a date without a draft: the tab's « tarif de base » at today's tariffs.

The same domain functions as the FSE page (`price_ngap`, `price_ccam`, `tariff_in_force`), but the
tariffs of every act of a page of baskets are read in one query, not one query per act.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.domain.entries import Entry
from app.domain.pricing import PricedLine, PricingError, price_ccam, price_ngap
from app.domain.professions import ALL_PROFESSIONS
from app.domain.tariffs import TariffKind, TariffRow, tariff_in_force
from app.extensions import db
from app.models import ActeCcam, Tarif
from app.referentiel.services import convention_rules


def _wanted(entries: list[Entry]) -> set[tuple[str, str]]:
    wanted = set()
    for entry in entries:
        if entry.kind == "NGAP":
            wanted |= {("NGAP", entry.code)} | {("MAJ", m) for m in entry.majorations}
        else:
            wanted |= {("CCAM", entry.code)} | {("MOD", m) for m in entry.modifiers}
    return wanted


def price_entries(profession: str, on: date, entries: list[Entry]) -> list[PricedLine | None]:
    """Each entry priced at the tariffs in force on the date for the profession, or None when it
    has no tariff that day (or can no longer be priced as entered)."""
    if not entries:
        return []
    wanted = _wanted(entries)
    rows = [TariffRow(kind=TariffKind(t.type), code=t.code, profession=t.profession, date_effet=t.date_effet,
                      libelle=t.libelle, montant=t.montant, pourcentage=t.pourcentage)
            for t in db.session.scalars(select(Tarif).where(
                Tarif.code.in_({code for _, code in wanted}), Tarif.type.in_({kind for kind, _ in wanted}),
                Tarif.profession.in_((profession, ALL_PROFESSIONS)), Tarif.date_effet <= on))]
    ccam_codes = {entry.code for entry in entries if entry.kind == "CCAM"}
    acts = {act.code: act for act in db.session.scalars(select(ActeCcam).where(ActeCcam.code.in_(ccam_codes)))} \
        if ccam_codes else {}
    rules = convention_rules(on)

    def find(kind: TariffKind, code: str) -> TariffRow | None:
        return tariff_in_force(rows, kind, code, profession, on)

    priced: list[PricedLine | None] = []
    for entry in entries:
        try:
            priced.append(_price(entry, find, acts, rules))
        except (PricingError, LookupError):
            priced.append(None)
    return priced


def _price(entry: Entry, find, acts, rules) -> PricedLine:
    if entry.kind == "NGAP":
        letter = find(TariffKind.NGAP, entry.code)
        majorations = [find(TariffKind.MAJ, m) for m in entry.majorations]
        if letter is None or None in majorations:
            raise LookupError(entry.code)
        return price_ngap(letter, entry.coefficient, entry.divisor, majorations, rules.seuil_etm_coefficient_ngap)
    act, row = acts.get(entry.code), find(TariffKind.CCAM, entry.code)
    modifiers = [find(TariffKind.MOD, m) for m in entry.modifiers]
    if act is None or row is None or None in modifiers:
        raise LookupError(entry.code)
    return price_ccam(row, act.libelle, act.regroupement, modifiers, entry.association, entry.activite,
                      entry.phase, rules.seuil_etm_ccam)

"""Tariff rows with dates of effect, and the lookup of the tariff in force on a date of care."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.professions import ALL_PROFESSIONS


class TariffKind(str, enum.Enum):
    """The four kinds of row of a tariff file (see app/referentiel/data/TARIFS.md)."""

    NGAP = "NGAP"  # value of one unit of coefficient of a letter key
    MAJ = "MAJ"  # NGAP majoration: fixed amount, once per line
    CCAM = "CCAM"  # CCAM act: base price (activity 1, phase 0)
    MOD = "MOD"  # CCAM modifier: fixed amount or percentage of the act's base


@dataclass(frozen=True)
class TariffRow:
    """One dated tariff value, for one profession (or ``*`` for all)."""

    kind: TariffKind
    code: str
    profession: str
    date_effet: date
    libelle: str
    montant: Decimal | None = None  # euros, for every kind but a percentage modifier
    pourcentage: Decimal | None = None  # percent (15.7 means 15.7 %), only for MOD

    @property
    def key(self) -> tuple[str, str, str, date]:
        """The natural key of the row: one value per kind, code, profession and date of effect."""
        return (self.kind.value, self.code, self.profession, self.date_effet)


def tariff_in_force(
    rows: Iterable[TariffRow], kind: TariffKind, code: str, profession: str, on: date
) -> TariffRow | None:
    """The row of (kind, code) in force on the date for the profession, or None.

    A row applies from its date of effect until the next row of the same kind, code and profession.
    A row written for the profession itself wins over a row written for every profession (``*``):
    the specific chain is looked at first, the ``*`` chain only when it has nothing in force.
    """
    best_specific: TariffRow | None = None
    best_any: TariffRow | None = None
    for row in rows:
        if row.kind != kind or row.code != code or row.date_effet > on:
            continue
        if row.profession == profession:
            if best_specific is None or row.date_effet > best_specific.date_effet:
                best_specific = row
        elif row.profession == ALL_PROFESSIONS:
            if best_any is None or row.date_effet > best_any.date_effet:
                best_any = row
    return best_specific or best_any

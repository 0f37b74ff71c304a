"""An act as entered on an FSE line, kept in one string for favourites and pre-coded baskets.

NGAP: "coefficient|diviseur|majorations" (majorations comma-separated), e.g. "1|1|MD".
CCAM: "activite|phase|modificateurs|association" (modifier letters run together), e.g. "1|0||2".
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Entry:
    """An act as entered, decoded."""

    kind: str  # NGAP or CCAM
    code: str
    coefficient: Decimal = Decimal(1)
    divisor: int = 1
    majorations: tuple[str, ...] = ()
    activite: int = 1
    phase: int = 0
    modifiers: tuple[str, ...] = ()
    association: int = 1

    @property
    def parametres(self) -> str:
        """The entry in its stored form (the inverse of `decode`)."""
        if self.kind == "NGAP":
            return f"{self.coefficient}|{self.divisor}|{','.join(self.majorations)}"
        return f"{self.activite}|{self.phase}|{''.join(self.modifiers)}|{self.association}"


def decode(kind: str, code: str, parametres: str) -> Entry:
    """Read an entry from its stored form."""
    parts = parametres.split("|")
    if kind == "NGAP":
        return Entry(kind, code, Decimal(parts[0]), int(parts[1]), tuple(m for m in parts[2].split(",") if m))
    return Entry(kind, code, activite=int(parts[0]), phase=int(parts[1]), modifiers=tuple(parts[2]),
                 association=int(parts[3]))

"""Pricing of NGAP and CCAM lines from the tariffs in force (app/referentiel/data/TARIFS.md).

NGAP line: letter value × coefficient ÷ divisor, plus each majoration at its full amount.
CCAM line: (base + fixed modifiers + base × percentage modifiers) × association rate (1 → 100 %,
2 → 50 %). Each line is rounded half up to the cent; totals are sums of rounded lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.money import round_cents
from app.domain.tariffs import TariffRow

DIVISORS = (1, 2)
ASSOCIATION_RATES = {1: Decimal("1"), 2: Decimal("0.5")}
MAX_MODIFIERS = 4
EXCLUSIVE_MODIFIERS = frozenset({"U", "F"})
MAX_COEFFICIENT = Decimal("999")

# CCAM regroupements of dental prosthesis acts (crowns, bridges, inlays, removable prostheses,
# implants, repairs): they need an entente préalable. Orthodontics is billed with the NGAP key TO.
PROSTHESIS_REGROUPEMENTS = frozenset({
    "PFC", "PFM", "PAM", "PAR", "PDT", "INO", "IMP", "RPN", "CM0", "CZ0", "CZ1", "PF0", "PF1", "PA0", "PA1",
    "PT0", "IC0", "IC1", "ICO", "IN1", "RA0", "RE1", "RF0", "RS0", "SU0", "SU1", "CT0", "CT1", "BR1",
})
ORTHODONTICS_KEYS = frozenset({"TO"})


class PricingError(ValueError):
    """An act cannot be priced as entered; the message says why, in French, for the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PricedLine:
    """A line of the basket with its base tariff (rounded) and what the ETM threshold needs."""

    kind: str  # NGAP or CCAM
    code: str
    libelle: str
    detail: str
    base: Decimal
    above_etm_threshold: bool
    needs_entente: bool


def check_coefficient(coefficient: Decimal) -> None:
    if coefficient <= 0:
        raise PricingError("coefficient", "Le coefficient doit être supérieur à 0.")
    if coefficient > MAX_COEFFICIENT:
        raise PricingError("coefficient", "Le coefficient ne peut pas dépasser 999.")
    if coefficient != coefficient.quantize(Decimal("0.01")):
        raise PricingError("coefficient", "Le coefficient a au plus deux décimales (ex. 1,5).")


def check_modifiers(modifiers: tuple[str, ...]) -> None:
    if len(modifiers) > MAX_MODIFIERS:
        raise PricingError("modificateurs", "Quatre modificateurs au plus par acte.")
    if len(set(modifiers)) != len(modifiers):
        raise PricingError("modificateurs", "Un modificateur ne peut figurer qu'une fois.")
    if EXCLUSIVE_MODIFIERS <= set(modifiers):
        raise PricingError("modificateurs", "Les modificateurs U et F s'excluent : gardez-en un seul.")


def price_ngap(letter: TariffRow, coefficient: Decimal, divisor: int, majorations: list[TariffRow],
               seuil_etm_coefficient: Decimal) -> PricedLine:
    """Price an NGAP line: letter value × coefficient ÷ divisor + majorations."""
    check_coefficient(coefficient)
    if divisor not in DIVISORS:
        raise PricingError("diviseur", "Le diviseur vaut 1, ou 2 pour le deuxième acte d'une séance.")
    codes = [m.code for m in majorations]
    if len(set(codes)) != len(codes):
        raise PricingError("majorations", "Une majoration ne peut figurer qu'une fois.")
    base = letter.montant * coefficient / divisor + sum((m.montant for m in majorations), Decimal(0))
    detail = f"{letter.code} {format(coefficient.normalize(), 'f').replace('.', ',')}"
    if divisor == 2:
        detail += " /2"
    if codes:
        detail += " + " + " + ".join(codes)
    return PricedLine("NGAP", letter.code, letter.libelle, detail, round_cents(base),
                      above_etm_threshold=coefficient >= seuil_etm_coefficient,
                      needs_entente=letter.code in ORTHODONTICS_KEYS)


def price_ccam(act: TariffRow, libelle: str, regroupement: str, modifiers: list[TariffRow], association: int,
               activite: int, phase: int, seuil_etm_ccam: Decimal) -> PricedLine:
    """Price a CCAM line: (base + modifiers) × association rate."""
    check_modifiers(tuple(m.code for m in modifiers))
    if association not in ASSOCIATION_RATES:
        raise PricingError("association", "Le code d'association vaut 1 (100 %) ou 2 (50 %).")
    fixed = sum((m.montant for m in modifiers if m.montant is not None), Decimal(0))
    percent = sum((m.pourcentage for m in modifiers if m.pourcentage is not None), Decimal(0))
    amount = (act.montant + fixed + act.montant * percent / 100) * ASSOCIATION_RATES[association]
    detail = f"{act.code} act. {activite} ph. {phase}"
    if modifiers:
        detail += " mod. " + "".join(m.code for m in modifiers)
    detail += f" asso. {association}"
    return PricedLine("CCAM", act.code, libelle, detail, round_cents(amount),
                      above_etm_threshold=act.montant >= seuil_etm_ccam,
                      needs_entente=regroupement in PROSTHESIS_REGROUPEMENTS)

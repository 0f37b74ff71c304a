"""The FSE's totals and the card-colour rules: billed fee, dépassement, parts, HNP/RDD eligibility."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app.domain.convention import ColourRule, ConventionRules
from app.domain.money import ZERO, round_cents
from app.domain.pricing import PricedLine, PricingError

NATURES = {"maladie": "Maladie", "maternite": "Maternité", "at_mp": "Accident du travail / maladie professionnelle"}
NATURES_WITH_ETM = frozenset({"maternite", "at_mp"})


@dataclass(frozen=True)
class Depassement:
    """How the billed fee is raised on a rose or bulle card: a typed amount or a pondération."""

    montant: Decimal | None = None
    ponderation: Decimal | None = None


@dataclass(frozen=True)
class Totals:
    base: Decimal
    facture: Decimal
    depassement: Decimal
    part_caisse: Decimal
    part_patient: Decimal
    etm: bool
    etm_motif: str | None


def etm_reason(beneficiary_exonerated: bool, nature: str, etm_applied: bool) -> str | None:
    """Why the whole FSE is exonerated from the ticket modérateur, or None."""
    if beneficiary_exonerated:
        return "exonération du bénéficiaire"
    if nature == "maternite":
        return "maternité"
    if nature == "at_mp":
        return "accident du travail / maladie professionnelle"
    if etm_applied:
        return "ETM appliquée"
    return None


def billed_amount(base: Decimal, colour: ColourRule, depassement: Depassement | None) -> Decimal:
    """The fee billed: the base on a verte card; raised within the colour's ceiling otherwise."""
    if depassement is None or (depassement.montant is None and depassement.ponderation is None):
        return base
    if not colour.depassement:
        raise PricingError("depassement", f"Carte {colour.libelle.lower()} : le tarif facturé est le tarif de base, "
                                          "sans dépassement.")
    ceiling = round_cents(base * colour.coefficient_max)
    if depassement.ponderation is not None:
        if depassement.ponderation < 1:
            raise PricingError("ponderation", "La pondération vaut au moins 1.")
        if depassement.ponderation > colour.coefficient_max:
            raise PricingError("ponderation", f"Pondération refusée : le coefficient maximum de la carte "
                                              f"{colour.libelle.lower()} est {_fr(colour.coefficient_max)}.")
        return round_cents(base * depassement.ponderation)
    amount = depassement.montant
    if amount < base:
        raise PricingError("montant_facture", "Le montant facturé ne peut pas être inférieur au tarif de base.")
    if amount > ceiling:
        raise PricingError("montant_facture", f"Montant refusé : au-delà de {_fr(ceiling)} € (tarif de base × "
                                              f"{_fr(colour.coefficient_max)}, plafond de la carte "
                                              f"{colour.libelle.lower()}).")
    return round_cents(amount)


def compute_totals(lines: Sequence[PricedLine], rules: ConventionRules, couleur: str,
                   depassement: Depassement | None, fse_etm_reason: str | None) -> Totals:
    """Totals of the basket: part caisse line by line (100 % for an act above the ETM thresholds or
    when the whole FSE is exonerated, else the normal rate); the dépassement is the patient's."""
    base = sum((line.base for line in lines), ZERO)
    billed = billed_amount(base, rules.colour(couleur), depassement) if lines else ZERO
    part_caisse = ZERO
    for line in lines:
        rate = rules.taux_remboursement_etm if (fse_etm_reason or line.above_etm_threshold) else rules.taux_remboursement
        part_caisse += round_cents(line.base * rate)
    etm = bool(fse_etm_reason) or any(line.above_etm_threshold for line in lines)
    motif = fse_etm_reason or ("acte au-delà du seuil d'exonération" if etm else None)
    return Totals(base=base, facture=billed, depassement=billed - base, part_caisse=part_caisse,
                  part_patient=billed - part_caisse, etm=etm, etm_motif=motif)


def hnp_offer(colour: ColourRule, rights_open: bool, depassement: Decimal) -> tuple[bool, str]:
    """Whether the HNP (RDD for dentists) box is offered, and the reason in one line when it is not."""
    if not colour.hnp:
        return False, f"la Convention ne le permet pas pour une carte {colour.libelle.lower()}."
    if not rights_open:
        return False, "les droits du bénéficiaire sont fermés."
    if depassement > 0:
        return False, "un dépassement d'honoraires est saisi."
    return True, ""


def _fr(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")

"""The caisse's changes of a card colour's rule, dated: what an agent may type, from which day a change
may apply, and which change is in force, scheduled or past on a given day. Pure: no Flask, no database.

A change applies to care given on or after its date of effect. It can never reach into the past nor
today: FSE already transmitted were priced on the rule they saw, and a rule changing in the middle of
a day would price two FSE of the same day differently. So the earliest date of effect is tomorrow,
and a change may be replaced or cancelled only while its date has not come.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from app.domain.convention import coefficient_problem
from app.domain.money import format_decimal, parse_decimal

COEFFICIENT_CEILING = Decimal("10")  # a typing error guard: 120 meant as « 120 % » is refused with a hint
MOTIF_MAX_CHARS = 500


class ColourRuleInputError(ValueError):
    """A value the agent typed is refused: which field and why, in French."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


class Dated(Protocol):
    date_effet: date


D = TypeVar("D", bound=Dated)


def parse_coefficient(text: str | None) -> Decimal:
    """The maximum coefficient typed as on the FSE page's pondération: « 1,20 » (or 1.20) means 120 % of
    the base tariff; two decimals at most, from 1 to 10 excluded."""
    if not (text or "").strip():
        raise ColourRuleInputError("coefficient_max", "Saisissez le coefficient maximal : 1 pour le tarif de base, "
                                                      "1,20 pour 120 % de la base.")
    value = parse_decimal(text)
    if value is None:
        raise ColourRuleInputError("coefficient_max", f"« {text.strip()} » n'est pas un coefficient : "
                                                      "saisissez par exemple 1,20.")
    if value >= COEFFICIENT_CEILING:
        raise ColourRuleInputError("coefficient_max", "Saisissez un coefficient, pas un pourcentage : "
                                                      "1,20 pour un plafond de 120 % de la base.")
    if value != value.quantize(Decimal("0.01")):
        raise ColourRuleInputError("coefficient_max", "Deux décimales au plus (par exemple 1,25).")
    return value.quantize(Decimal("0.01"))


# Sanity bounds of a change: a ceiling above three times the base, or a date of effect beyond two
# years, is a typing slip (9,99; 2999) rather than an avenant.
LARGEST_CEILING = Decimal("3.00")
FURTHEST_EFFECT_YEARS = 2


def latest_effect(today: date) -> date:
    """The furthest day a change may be scheduled for: the same day two years ahead (28 February for
    a 29th)."""
    try:
        return today.replace(year=today.year + FURTHEST_EFFECT_YEARS)
    except ValueError:
        return today.replace(year=today.year + FURTHEST_EFFECT_YEARS, day=28)


def earliest_effect(today: date) -> date:
    """The first day a change may apply from: tomorrow."""
    return today + timedelta(days=1)


def check_change(depassement: bool, coefficient_max: Decimal, date_effet: date, motif: str,
                 today: date) -> dict[str, str]:
    """Every fault of a change, by field (empty when it may be recorded): the Convention's own rule on
    the ceiling, a date of effect from tomorrow, and a reason."""
    problems: dict[str, str] = {}
    if problem := coefficient_problem(depassement, coefficient_max):
        problems["coefficient_max"] = (
            "Sans dépassement autorisé, le coefficient maximal est 1 (le tarif de base)."
            if not depassement else f"Coefficient maximal : {problem}.")
    elif coefficient_max > LARGEST_CEILING:
        problems["coefficient_max"] = ("Coefficient maximal : 3 au plus (300 % de la base) ; vérifiez la saisie "
                                       "(1,20 signifie 120 %).")
    if date_effet > latest_effect(today):
        problems["date_effet"] = (f"La date d'effet est le {latest_effect(today).strftime('%d/%m/%Y')} au plus tard "
                                  "(deux ans) : vérifiez l'année.")
    elif date_effet < earliest_effect(today):
        problems["date_effet"] = (
            f"La date d'effet est le {earliest_effect(today).strftime('%d/%m/%Y')} au plus tôt : une modification "
            "ne s'applique pas aux soins déjà facturés (aujourd'hui compris).")
    if not motif.strip():
        problems["motif"] = "Écrivez le motif de la modification (avenant, décision du conseil…) : il est conservé et journalisé."
    elif len(motif) > MOTIF_MAX_CHARS:
        problems["motif"] = f"{MOTIF_MAX_CHARS} caractères au plus."
    return problems


def describe(depassement: bool, coefficient_max: Decimal, hnp: bool) -> str:
    """A rule in one line of French, for the audit trail and the messages."""
    ceiling = (f"dépassement autorisé jusqu'à {format_decimal(coefficient_max)} × la base"
               if depassement else "sans dépassement")
    return f"{ceiling}, HNP {'autorisé' if hnp else 'non autorisé'}"


@dataclass(frozen=True)
class Timeline:
    """One colour's changes seen from a day: the one in force (None: the Convention file's rule), those
    scheduled (soonest first) and the history (every change whose date has come, newest first)."""

    in_force: Dated | None
    scheduled: Sequence[Dated]
    history: Sequence[Dated]


def timeline(changes: Iterable[D], today: date) -> Timeline:
    """Sort one colour's changes around today: a change dated today is in force."""
    ordered = sorted(changes, key=lambda change: change.date_effet)
    history = [change for change in ordered if change.date_effet <= today]
    scheduled = [change for change in ordered if change.date_effet > today]
    return Timeline(in_force=history[-1] if history else None, scheduled=scheduled, history=history[::-1])

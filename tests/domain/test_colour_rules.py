"""The caisse's dated changes of a colour's rule: what may be typed, from which day, and which change is
in force, scheduled or past on a given day."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from app.domain.colour_rules import (
    ColourRuleInputError,
    check_change,
    describe,
    earliest_effect,
    parse_coefficient,
    timeline,
)
from app.domain.convention import coefficient_problem

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("text, value", [("1,20", "1.20"), ("1.2", "1.20"), ("1", "1.00"), (" 2,5 ", "2.50"),
                                         ("9,99", "9.99"), ("0,90", "0.90")])
def test_a_coefficient_is_typed_as_the_fse_pondération(text, value):
    assert parse_coefficient(text) == Decimal(value)


@pytest.mark.parametrize("text, message", [
    ("", "Saisissez le coefficient maximal"),
    (None, "Saisissez le coefficient maximal"),
    ("abc", "n'est pas un coefficient"),
    ("1,2,3", "n'est pas un coefficient"),
    ("120", "pas un pourcentage"),
    ("10", "pas un pourcentage"),
    ("1,255", "Deux décimales au plus"),
])
def test_a_wrong_coefficient_says_what_to_type(text, message):
    with pytest.raises(ColourRuleInputError, match=message) as error:
        parse_coefficient(text)
    assert error.value.field == "coefficient_max"


def test_the_convention_file_and_the_caisse_share_the_ceiling_rule():
    assert coefficient_problem(True, Decimal("1.20")) is None
    assert coefficient_problem(False, Decimal("1.00")) is None
    assert "au moins 1" in coefficient_problem(True, Decimal("0.99"))
    assert "sans dépassement" in coefficient_problem(False, Decimal("1.10"))


def test_a_change_applies_from_tomorrow_at_the_earliest():
    assert earliest_effect(TODAY) == date(2026, 11, 23)
    assert check_change(True, Decimal("1.30"), date(2026, 11, 23), "Avenant 12", TODAY) == {}
    for day in (TODAY, date(2026, 1, 1)):
        problems = check_change(True, Decimal("1.30"), day, "Avenant 12", TODAY)
        assert set(problems) == {"date_effet"} and "23/11/2026 au plus tôt" in problems["date_effet"]


def test_every_fault_of_a_change_is_named():
    problems = check_change(False, Decimal("1.10"), TODAY, "  ", TODAY)
    assert set(problems) == {"coefficient_max", "date_effet", "motif"}
    assert problems["coefficient_max"] == "Sans dépassement autorisé, le coefficient maximal est 1 (le tarif de base)."
    assert "au moins 1" in check_change(True, Decimal("0.90"), date(2027, 1, 1), "x", TODAY)["coefficient_max"]
    assert "500 caractères" in check_change(True, Decimal("1.2"), date(2027, 1, 1), "x" * 501, TODAY)["motif"]


def test_a_typing_slip_is_refused_a_ceiling_above_3_or_a_date_beyond_two_years():
    assert check_change(True, Decimal("3.00"), date(2028, 11, 22), "Avenant", TODAY) == {}
    assert "3 au plus" in check_change(True, Decimal("9.99"), date(2027, 1, 1), "x", TODAY)["coefficient_max"]
    far = check_change(True, Decimal("1.30"), date(2999, 12, 31), "x", TODAY)
    assert set(far) == {"date_effet"} and "22/11/2028 au plus tard" in far["date_effet"]


def test_describe_says_the_rule_in_words():
    assert describe(True, Decimal("1.20"), False) == "dépassement autorisé jusqu'à 1,2 × la base, HNP non autorisé"
    assert describe(False, Decimal("1.00"), True) == "sans dépassement, HNP autorisé"


@dataclass
class Change:
    date_effet: date


def test_the_timeline_of_a_colour_seen_from_today():
    past, current, tomorrow, later = (Change(date(2026, 1, 1)), Change(TODAY), Change(date(2026, 11, 23)),
                                      Change(date(2027, 1, 1)))
    seen = timeline([later, past, tomorrow, current], TODAY)
    assert seen.in_force is current  # a change dated today is in force
    assert seen.history == [current, past]
    assert seen.scheduled == [tomorrow, later]
    empty = timeline([later], TODAY)
    assert empty.in_force is None and empty.history == [] and empty.scheduled == [later]

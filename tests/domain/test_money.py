"""Rounding half up to the cent, French input and French display of amounts."""

from decimal import Decimal

import pytest

from app.domain.money import format_decimal, format_euros, parse_decimal, round_cents


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1.005", "1.01"), ("1.004", "1.00"), ("2.675", "2.68"), ("0.125", "0.13"), ("-1.005", "-1.01"),
     ("14.255", "14.26"), ("10", "10.00")],
)
def test_round_half_up_to_the_cent(value, expected):
    assert round_cents(Decimal(value)) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,5", "1.5"), ("1.5", "1.5"), (" 2 ", "2"), ("1 234,56", "1234.56"), ("1\u00a0234,56", "1234.56"),
     ("0,25", "0.25"), ("12,50 €", "12.50")],
)
def test_parse_decimal_accepts_french_input(text, expected):
    assert parse_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "1,2,3", "1..5", "NaN", "Infinity", "1e5", None, "12 34"])
def test_parse_decimal_refuses_what_is_not_a_number(text):
    assert parse_decimal(text) is None


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0", "0,00\u00a0€"), ("28", "28,00\u00a0€"), ("1234.56", "1\u00a0234,56\u00a0€"),
     ("1234567.891", "1\u00a0234\u00a0567,89\u00a0€"), ("-5.5", "-5,50\u00a0€"), ("999.995", "1\u00a0000,00\u00a0€")],
)
def test_format_euros_the_french_way(amount, expected):
    assert format_euros(Decimal(amount)) == expected


def test_format_decimal_drops_useless_zeros():
    assert format_decimal(Decimal("1.50")) == "1,5"
    assert format_decimal(Decimal("2.00")) == "2"
    assert format_decimal(Decimal("15.7")) == "15,7"
    assert format_decimal(Decimal("100")) == "100"


def test_plain_decimal_for_spreadsheets_and_fields():
    from decimal import Decimal

    from app.domain.money import plain_decimal

    assert plain_decimal(Decimal("1234.5")) == "1234,50"
    assert plain_decimal(Decimal("1.15"), places=None) == "1,15"
    assert plain_decimal(Decimal("-3")) == "-3,00"
    assert plain_decimal(None) == ""

"""Money and decimal input: Decimal everywhere, rounded half up to the cent in one place."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"  # non-breaking space: thousands separator and before the euro sign

_DECIMAL_INPUT = re.compile(r"^[+-]?(\d{1,3}([ \u00a0\u202f]?\d{3})*|\d+)([.,]\d+)?$")


def round_cents(value: Decimal) -> Decimal:
    """Round an amount to the cent, half up (the one rounding rule of the portal)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def parse_decimal(text: str | None) -> Decimal | None:
    """Read a number typed the French way (« 1,5 », « 1 234,56 ») or with a point; None if it is not one."""
    if text is None:
        return None
    cleaned = text.strip().replace("€", "").strip()
    if not cleaned or not _DECIMAL_INPUT.match(cleaned):
        return None
    cleaned = re.sub(r"[ \u00a0\u202f]", "", cleaned).replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def format_euros(amount: Decimal) -> str:
    """Format an amount as French euros: « 1 234,56 € »."""
    rounded = round_cents(amount)
    sign = "-" if rounded < 0 else ""
    units, cents = f"{abs(rounded):.2f}".split(".")
    groups = []
    while len(units) > 3:
        groups.insert(0, units[-3:])
        units = units[:-3]
    groups.insert(0, units)
    return f"{sign}{NBSP.join(groups)},{cents}{NBSP}€"


def format_decimal(value: Decimal) -> str:
    """Format a coefficient or a percentage with a decimal comma and no useless zeros: « 1,5 »."""
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def plain_decimal(value: Decimal | None, places: int | None = 2) -> str:
    """A number with a decimal comma and no thousands separator (« 1234,56 »), as a spreadsheet reads
    a number and as a field shows it back for editing; `places=None` keeps the value's own decimals."""
    if value is None:
        return ""
    text = f"{value:.{places}f}" if places is not None else format(value, "f")
    return text.replace(".", ",")

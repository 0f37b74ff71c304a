"""The history's month chart as plain geometry for an inline SVG drawn by the template: no library,
no JavaScript. Pure: months and amounts in, bars out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from app.domain.money import format_euros

MONTHS_SHORT = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
MONTHS_LONG = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
               "novembre", "décembre")
WIDTH, HEIGHT, TOP, AXIS = 640, 190, 22, 36  # viewBox units: the SVG scales to its box


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # « nov. », with the year on January and on the first bar
    long_label: str  # « novembre 2026 », for the text version
    count: int
    amount: Decimal
    amount_text: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    maximum_text: str
    total_text: str


def month_chart(series: list[tuple[date, int, Decimal]]) -> Chart:
    """Bars of the billed amount per month, scaled on the largest month (an empty selection draws none)."""
    plot = HEIGHT - TOP - AXIS
    largest = max((amount for _, _, amount in series), default=Decimal(0))
    slot = WIDTH / max(len(series), 1)
    bars = []
    for index, (month, count, amount) in enumerate(series):
        height = float(amount / largest) * plot if largest > 0 else 0.0
        short = MONTHS_SHORT[month.month - 1]
        if index == 0 or month.month == 1:
            short = f"{short} {month.year % 100:02d}"
        bars.append(Bar(x=round(index * slot + slot * 0.15, 1), y=round(TOP + plot - height, 1),
                        width=round(slot * 0.7, 1), height=round(height, 1), label=short,
                        long_label=f"{MONTHS_LONG[month.month - 1]} {month.year}", count=count, amount=amount,
                        amount_text=format_euros(amount)))
    total = sum((amount for _, _, amount in series), Decimal(0))
    return Chart(WIDTH, HEIGHT, TOP + plot, bars, format_euros(largest), format_euros(total))

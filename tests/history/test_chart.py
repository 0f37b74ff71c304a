"""The month chart's geometry and the 12-month window, without the app."""

from datetime import date
from decimal import Decimal

from app.history.chart import month_chart
from app.history.services import month_starts, twelve_months_before


def test_the_window_starts_the_same_day_twelve_months_before():
    assert twelve_months_before(date(2026, 11, 23)) == date(2025, 11, 23)
    assert twelve_months_before(date(2028, 2, 29)) == date(2027, 2, 28)
    months = month_starts(date(2025, 11, 23), date(2026, 11, 23))
    assert len(months) == 13 and months[0] == date(2025, 11, 1) and months[-1] == date(2026, 11, 1)


def test_bars_scale_on_the_largest_month_with_french_labels():
    series = [(date(2025, 12, 1), 1, Decimal("50.00")), (date(2026, 1, 1), 4, Decimal("200.00")),
              (date(2026, 2, 1), 0, Decimal("0.00"))]
    chart = month_chart(series)
    heights = [bar.height for bar in chart.bars]
    assert heights[1] == 132.0 and heights[0] == 33.0 and heights[2] == 0.0
    assert [bar.label for bar in chart.bars] == ["déc. 25", "janv. 26", "févr."]
    assert chart.bars[1].long_label == "janvier 2026" and chart.bars[1].amount_text == "200,00\u00a0€"
    assert all(bar.y + bar.height == chart.baseline for bar in chart.bars)
    assert chart.total_text == "250,00\u00a0€"
    assert all(bar.height == 0 for bar in month_chart([(date(2026, 1, 1), 0, Decimal(0))]).bars)

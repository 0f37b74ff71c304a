"""Days in Monaco: the portal's dates (date of care, validity of an assistant) are Europe/Monaco days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

MONACO = ZoneInfo("Europe/Monaco")


def today_in_monaco(now: datetime | None = None) -> date:
    """The current day in Monaco (an aware `now` may be given, for tests)."""
    return (now or datetime.now(UTC)).astimezone(MONACO).date()


def within(start: date | None, end: date | None, day: date) -> bool:
    """True when the day lies from start to end, both included (None: open on that side)."""
    return (start is None or start <= day) and (end is None or day <= end)


def age_on(birth: date, day: date) -> int:
    """Age in whole years on a day."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))

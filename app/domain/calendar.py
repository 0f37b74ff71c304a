"""Days in Monaco: the portal's dates (date of care, validity of an assistant) are Europe/Monaco days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
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


def utc_bounds(du: date | None, au: date | None) -> tuple[datetime | None, datetime | None]:
    """The UTC instants enclosing the Monaco days du to au, both included: [start of du, start of
    the day after au); None on an open side. Daylight saving changes move the UTC hours."""
    start = datetime.combine(du, time(0), MONACO).astimezone(UTC) if du else None
    end = datetime.combine(au + timedelta(days=1), time(0), MONACO).astimezone(UTC) if au else None
    return start, end

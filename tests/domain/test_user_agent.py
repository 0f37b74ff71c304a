"""A user agent in a few words, and the UTC bounds of a period of Monaco days."""

from datetime import UTC, date, datetime

import pytest

from app.domain.calendar import utc_bounds
from app.domain.user_agent import describe_user_agent


@pytest.mark.parametrize("agent, words", [
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome sur Android"),
    ("Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 "
     "Mobile/15E148 Safari/604.1", "Safari sur iPad"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "CriOS/120.0 Mobile/15E148 Safari/604.1", "Chrome sur iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36 Edg/131.0.0.0", "Edge sur Windows"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0", "Firefox sur Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 "
     "Safari/605.1.15", "Safari sur macOS"),
    ("Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-X210) AppleWebKit/537.36 (KHTML, like Gecko) "
     "SamsungBrowser/25.0 Chrome/121.0.0.0 Safari/537.36", "Samsung Internet sur Android"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 "
     "Safari/537.36", "Chrome sur Linux"),
    ("Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
     "Safari/537.36", "Chrome sur ChromeOS"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
     "Safari/537.36 OPR/106.0.0.0", "Opera sur Windows"),
    ("Mozilla/5.0 (X11; Linux x86_64)", "Navigateur sur Linux"),
    ("Werkzeug/3.1.3", "Navigateur inconnu"),
    ("", "—"),
    (None, "—"),
])
def test_describe_user_agent(agent, words):
    assert describe_user_agent(agent) == words


def test_period_of_monaco_days_in_winter_and_summer():
    # 10/03/2026 is in winter time (UTC+1), 15/07/2026 in summer time (UTC+2)
    assert utc_bounds(date(2026, 3, 10), date(2026, 7, 15)) == (
        datetime(2026, 3, 9, 23, 0, tzinfo=UTC), datetime(2026, 7, 15, 22, 0, tzinfo=UTC))


def test_period_across_the_change_to_summer_time():
    # 29/03/2026 has 23 hours in Monaco: its end is 22:00 UTC
    assert utc_bounds(date(2026, 3, 29), date(2026, 3, 29)) == (
        datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC))


def test_open_periods():
    assert utc_bounds(None, None) == (None, None)
    assert utc_bounds(date(2026, 1, 1), None) == (datetime(2025, 12, 31, 23, 0, tzinfo=UTC), None)
    assert utc_bounds(None, date(2026, 1, 1)) == (None, datetime(2026, 1, 1, 23, 0, tzinfo=UTC))

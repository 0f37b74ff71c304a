"""Per-account throttling of password and code failures (NIST SP 800-63B 5.2.2): growing delays, then a lock."""

from __future__ import annotations

from datetime import datetime, timedelta

FREE_FAILURES = 4  # the first four failures cost nothing (typing mistakes)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)
LOCK_AFTER = 100  # consecutive failures; then only an administrator unlocks (63B: at most 100)


def delay_after(failures: int) -> timedelta | None:
    """How long the account waits after this many consecutive failures; None means locked."""
    if failures >= LOCK_AFTER:
        return None
    if failures <= FREE_FAILURES:
        return timedelta(0)
    doublings = min(failures - FREE_FAILURES - 1, 16)  # 30 s × 2^16 is far past the one-hour cap
    return min(FIRST_DELAY * 2**doublings, MAX_DELAY)


def blocked_until(failures: int, last_failure: datetime) -> datetime | None:
    """Until when the account is throttled after its last failure (datetime.max if locked)."""
    delay = delay_after(failures)
    if delay is None:
        return datetime.max.replace(tzinfo=last_failure.tzinfo)
    return last_failure + delay if delay else None


def wait_message(remaining: timedelta | None) -> str:
    """The French message shown while throttled, rounded up to the minute."""
    if remaining is None:
        return ("Trop de tentatives : l'accès est bloqué. Contactez l'assistance des Caisses Sociales "
                "au (+377) 93 15 49 01.")
    minutes = max(1, -(-int(remaining.total_seconds()) // 60))
    return f"Trop de tentatives : réessayez dans {minutes} minute{'s' if minutes > 1 else ''}."

"""Column types that behave the same on SQLite and PostgreSQL: exact decimals and UTC instants."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import BigInteger, DateTime
from sqlalchemy.types import TypeDecorator


class ScaledDecimal(TypeDecorator):
    """A Decimal stored as a whole number of 10^-scale units (cents for money): exact everywhere.

    SQLite has no exact decimal type, so amounts live as integers; Python always sees Decimal.
    A value with more decimals than the scale is refused rather than silently rounded.
    """

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 2):
        super().__init__()
        self.scale = scale
        self._unit = Decimal(1).scaleb(-scale)

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"ScaledDecimal attend un Decimal, pas {type(value).__name__}")
        scaled = value.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} a plus de {self.scale} décimales")
        return int(scaled)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(int(value)) * self._unit).quantize(self._unit, rounding=ROUND_HALF_UP)


def Money() -> ScaledDecimal:  # noqa: N802 - reads like a type in model declarations
    """An amount in euros, stored in cents."""
    return ScaledDecimal(2)


class UTCDateTime(TypeDecorator):
    """An instant stored as naive UTC and given back timezone-aware (UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("un instant sans fuseau horaire ne peut pas être enregistré")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    """The current instant, timezone-aware UTC."""
    return datetime.now(UTC)

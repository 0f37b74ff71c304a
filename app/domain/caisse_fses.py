"""The caisse's rules on the FSE it received (pure, no Flask, no database): a rejection's reason
(contract article 10), which FSE can still be rejected, the list's default period, an ordiposte's
payment date, and from when a practice account has not seen the rejections yet."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.domain.lifecycle import BROUILLON, PAYEE, REJETEE, SUPPRIMEE, can_transition

MOTIF_MAX_CHARS = 500
# « FSE reçues » opens on the FSE transmitted these last days, today included.
DEFAULT_PERIOD_DAYS = 30


def clean_reason(text: str | None) -> str:
    """The reason as it will be stored and shown to the praticien: trimmed, Windows line ends made plain."""
    return (text or "").replace("\r\n", "\n").strip()


def reason_problem(text: str | None) -> str | None:
    """Why this rejection reason cannot be recorded, in French; None when it can."""
    reason = clean_reason(text)
    if not reason:
        return "Le motif du rejet est obligatoire : il est communiqué au praticien."
    if len(reason) > MOTIF_MAX_CHARS:
        return f"{MOTIF_MAX_CHARS} caractères au plus ({len(reason)} saisis)."
    return None


def rejection_refusal(statut: str) -> str | None:
    """Why an FSE of this status cannot be rejected, in French; None when it can (only `transmise`)."""
    if can_transition(statut, REJETEE):
        return None
    return {
        REJETEE: "Cette FSE a déjà été rejetée : son motif est ci-dessous.",
        PAYEE: "Cette FSE a déjà été payée dans un ordiposte : elle ne peut plus être rejetée.",
        SUPPRIMEE: "Cette FSE a été supprimée par le praticien : elle ne peut pas être rejetée.",
        BROUILLON: "Cette FSE n'a pas été transmise : elle ne peut pas être rejetée.",
    }.get(statut, "Cette FSE ne peut pas être rejetée.")


def default_period(today: date) -> tuple[date, date]:
    """The transmission days the list shows first: the last 30 days, today included."""
    return today - timedelta(days=DEFAULT_PERIOD_DAYS - 1), today


def payment_date_problem(day: date | None, today: date) -> str | None:
    """Why an ordiposte cannot be paid on this day, in French; None when it can (today or before)."""
    if day is None:
        return "Indiquez la date de paiement."
    if day > today:
        return "La date de paiement ne peut pas être dans le futur."
    return None


def rejections_unseen_since(rejets_vus_le: datetime | None, cree_le: datetime) -> datetime:
    """The instant after which a rejection is news to this account: its last acknowledgement, or its
    creation when it never acknowledged any (an account does not inherit the practice's past)."""
    return rejets_vus_le if rejets_vus_le is not None else cree_le


def acknowledged_until(current: datetime | None, shown_until: datetime, now: datetime) -> datetime | None:
    """The new « seen up to » instant after « J'ai pris connaissance »: the newest rejection the notice
    showed (a rejection that came after the page was drawn stays news), never in the future, never
    moving back. None when nothing changes."""
    target = min(shown_until, now)
    if current is not None and current >= target:
        return None
    return target

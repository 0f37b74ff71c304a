"""The caisse's rules on the FSE it received (pure, no Flask, no database): a rejection's reason
(contract article 10), which FSE can be rejected or paid — only once the praticien can no longer
delete them (lifecycle's 22:00 rule) —, the list's default period, an ordiposte's payment date, and
from when a practice account has not seen the rejections yet."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from app.domain.calendar import MONACO
from app.domain.lifecycle import (BROUILLON, DELETION_DEADLINE, PAYEE, REJETEE, SUPPRIMEE, TRANSMISE, can_delete,
                                  can_transition, deletion_window_end)

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


# « 22:00 », as the caisse's pages write the end of the practice's deletion window.
DEADLINE_TEXT = DELETION_DEADLINE.strftime("%H:%M")


def deletion_window_open(transmise_le: datetime, now: datetime) -> bool:
    """True while the practice may still delete this transmitted FSE (lifecycle's rule): the caisse
    neither rejects nor pays it yet, so that « Supprimer » keeps working until 22:00."""
    return can_delete(TRANSMISE, transmise_le, now)


def processing_cutoff(now: datetime) -> datetime:
    """The same rule as a bound for SQL (UTC): at `now`, the caisse may process an FSE transmitted
    before this instant. Before 22:00 Monaco: the start of today (today's FSE can still be deleted);
    from 22:00: the start of tomorrow (every FSE transmitted so far is out of its window)."""
    local = now.astimezone(MONACO)
    day = local.date() + timedelta(days=1 if now >= deletion_window_end(now) else 0)
    return datetime.combine(day, time(0), MONACO).astimezone(UTC)


def processable(transmise_le: datetime, now: datetime) -> bool:
    """True when the caisse may reject or pay this transmitted FSE now: its deletion window closed."""
    return transmise_le < processing_cutoff(now)


def processing_refusal(transmise_le: datetime, now: datetime, verb: str = "rejetée") -> str | None:
    """Why the caisse cannot process this transmitted FSE yet, in French, saying from when it can
    (`verb`: « rejetée » or « payée »); None when its deletion window has closed."""
    if processable(transmise_le, now):
        return None
    opens = deletion_window_end(transmise_le).astimezone(MONACO)
    return (f"Le praticien peut encore supprimer cette FSE jusqu'à {DEADLINE_TEXT} (heure de Monaco) : elle "
            f"pourra être {verb} à partir du {opens.strftime('%d/%m/%Y')} à {DEADLINE_TEXT}.")


def rejection_refusal(statut: str, transmise_le: datetime | None = None, now: datetime | None = None) -> str | None:
    """Why this FSE cannot be rejected, in French; None when it can: `transmise` and, when the instants
    are given, out of the practice's deletion window."""
    if can_transition(statut, REJETEE):
        if statut == TRANSMISE and transmise_le is not None and now is not None:
            return processing_refusal(transmise_le, now)
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


def latest_transmission_day(instants: Iterable[datetime | None]) -> date | None:
    """The latest Monaco day of transmission among these instants (None: none known)."""
    days = [instant.astimezone(MONACO).date() for instant in instants if instant is not None]
    return max(days) if days else None


def payment_date_problem(day: date | None, today: date, latest_sent: date | None = None) -> str | None:
    """Why an ordiposte cannot be paid on this day, in French; None when it can: today or before, and
    not before the latest day of transmission of the FSE it pays (`latest_sent`, Monaco day)."""
    if day is None:
        return "Indiquez la date de paiement."
    if day > today:
        return "La date de paiement ne peut pas être dans le futur."
    if latest_sent is not None and day < latest_sent:
        return ("La date de paiement ne peut pas précéder la transmission des FSE choisies : le "
                f"{latest_sent.strftime('%d/%m/%Y')} au plus tôt.")
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

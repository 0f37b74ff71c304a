"""The life of a transmitted FSE: its statuses, the transitions allowed, and the 22:00 deletion rule.

transmise → supprimee (by the practice, the same Europe/Monaco day before 22:00)
transmise → rejetee   (by the caisse, with a reason)
transmise → payee     (an HNP/RDD FSE paid in an ordiposte)
A draft (brouillon) becomes transmise at « Transmettre »; nothing is ever hard-deleted.
"""

from __future__ import annotations

from datetime import datetime, time

from app.domain.calendar import MONACO

BROUILLON, TRANSMISE, SUPPRIMEE, REJETEE, PAYEE = "brouillon", "transmise", "supprimee", "rejetee", "payee"
STATUTS = (BROUILLON, TRANSMISE, SUPPRIMEE, REJETEE, PAYEE)
# The statuses a transmitted FSE can have: what the history lists.
STATUTS_TRANSMIS = (TRANSMISE, SUPPRIMEE, REJETEE, PAYEE)
LIBELLES = {BROUILLON: "Brouillon", TRANSMISE: "Transmise", SUPPRIMEE: "Supprimée", REJETEE: "Rejetée",
            PAYEE: "Payée"}
TRANSITIONS = {
    BROUILLON: frozenset({TRANSMISE}),
    TRANSMISE: frozenset({SUPPRIMEE, REJETEE, PAYEE}),
    SUPPRIMEE: frozenset(),
    REJETEE: frozenset(),
    PAYEE: frozenset(),
}
# An FSE transmitted today can be deleted until this time, Monaco time (seed 001).
DELETION_DEADLINE = time(22, 0)


def can_transition(current: str, new: str) -> bool:
    """True when an FSE of status `current` may take status `new`."""
    return new in TRANSITIONS.get(current, frozenset())


def deletion_refusal(statut: str, transmise_le: datetime | None, now: datetime) -> str | None:
    """Why the practice may not delete this FSE now, in French; None when it may.

    Both instants are timezone-aware; days and the 22:00 limit are Europe/Monaco's.
    """
    if statut != TRANSMISE or transmise_le is None:
        return f"Une FSE {LIBELLES.get(statut, statut).lower()} ne peut pas être supprimée."
    local_now = now.astimezone(MONACO)
    if transmise_le.astimezone(MONACO).date() != local_now.date():
        return ("Seule une FSE transmise aujourd'hui peut être supprimée : celle-ci a été transmise le "
                f"{transmise_le.astimezone(MONACO).strftime('%d/%m/%Y')}.")
    if local_now.time() >= DELETION_DEADLINE:
        return "Il est plus de 22\u00a0h\u00a000 : une FSE transmise aujourd'hui ne peut plus être supprimée."
    return None


def deletion_window_end(transmise_le: datetime) -> datetime:
    """The instant the practice can no longer delete an FSE transmitted at `transmise_le` (aware):
    22:00 Monaco time on its day of transmission. The caisse rejects or pays it only from then on."""
    return datetime.combine(transmise_le.astimezone(MONACO).date(), DELETION_DEADLINE, MONACO)


def can_delete(statut: str, transmise_le: datetime | None, now: datetime) -> bool:
    """True when « Supprimer » is offered for this FSE now."""
    return deletion_refusal(statut, transmise_le, now) is None

"""The « Demande d'abonnement » (seed 003): its professions, statuses, reference, the card choice,
the date of the request and the throttle per client address (pure: no Flask, no database)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from app.domain.formulaires import REFERENCE_ALPHABET

# The seed's boxes, in its order (« Sage-femme » after them: the Convention's seventh profession),
# with the portal's profession codes (app/domain/professions.py).
PROFESSIONS_DEMANDE: dict[str, str] = {
    "medecin": "Médecin",
    "dentiste": "Chirurgien-Dentiste",
    "infirmier": "Infirmier(e) libéral(e)",
    "orthophoniste": "Orthophoniste",
    "kine": "Masseur-Kinésithérapeute",
    "orthoptiste": "Orthoptiste",
    "sagefemme": "Sage-femme",
}

# A request waits for an agent, who approves it (an account is created) or refuses it with a reason.
EN_ATTENTE, APPROUVEE, REFUSEE = "en_attente", "approuvee", "refusee"
STATUTS = {EN_ATTENTE: "En attente", APPROUVEE: "Approuvée", REFUSEE: "Refusée"}

# « Je déclare en outre (1) » — « cochez la case utile »: a card and its numbers, or no card.
AVEC_CARTE, SANS_CARTE = "carte", "sans_carte"
CARTE_CHOICES = {
    AVEC_CARTE: "disposer d'une carte de professionnel de santé dont les n° d'authentification sont :",
    SANS_CARTE: "ne pas disposer d'une carte de professionnel de santé",
}

REFERENCE_PREFIX = "AB"
# The request is dated the day it is sent; the day before is accepted for a page opened before midnight.
DATE_TOLERANCE_DAYS = 1

# Throttle per client address: 5 requests, then an hour after the last one (app/abonnement/services.py).
REQUESTS_PER_ADDRESS = 5
THROTTLE_WINDOW = timedelta(hours=1)
SERVICE_PHONE = "(+377) 93 15 43 44"  # Service Maladie Environnement (seed 003)


def new_reference(day: date, token: str | None = None) -> str:
    """The reference given to the requester: « AB », the Monaco day and 6 random characters without
    0/O or 1/I (« AB-20261123-7KQ3MX »), as the forms' references."""
    token = token or "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{REFERENCE_PREFIX}-{day:%Y%m%d}-{token}"


def card_problem(choice: str | None, has_number: bool) -> str | None:
    """What the card box asks, or None when it holds: a card with its ADELI and/or RPPS number, or
    no card and no number. Numbers typed without a box ticked mean a card."""
    if choice not in (AVEC_CARTE, SANS_CARTE):
        choice = AVEC_CARTE if has_number else None
    if choice is None:
        return ("Saisissez votre n° ADELI ou RPPS, ou cochez « ne pas disposer d'une carte de "
                "professionnel de santé ».")
    if choice == AVEC_CARTE and not has_number:
        return "Saisissez le n° ADELI ou le n° RPPS de votre carte (l'un des deux au moins)."
    if choice == SANS_CARTE and has_number:
        return ("Vous avez saisi un n° ADELI ou RPPS : cochez « disposer d'une carte… », ou effacez "
                "les numéros.")
    return None


def sans_carte(choice: str | None, has_number: bool) -> bool:
    """The stored flag: True only when « ne pas disposer d'une carte » is ticked (and no number typed)."""
    return choice == SANS_CARTE and not has_number


def date_problem(day: date | None, today: date) -> str | None:
    """The request's date (« Le ») is the day it is sent, or the day before."""
    if day is None:
        return None
    if day > today:
        return f"La date ne peut pas être dans le futur : datez la demande d'aujourd'hui, le {today:%d/%m/%Y}."
    if day < today - timedelta(days=DATE_TOLERANCE_DAYS):
        return f"Datez la demande du jour où vous l'envoyez : aujourd'hui, le {today:%d/%m/%Y}."
    return None


def blocked_until(requests: int, last_request: datetime) -> datetime | None:
    """Until when an address waits after its requests (None: it may send one now). The caller
    forgets the count once a whole window has passed since the last request."""
    if requests >= REQUESTS_PER_ADDRESS:
        return last_request + THROTTLE_WINDOW
    return None


def throttle_message(remaining: timedelta | None) -> str:
    """The French message of a throttled address, the wait rounded up to the minute."""
    minutes = 60 if remaining is None else max(1, -(-int(remaining.total_seconds()) // 60))
    return (f"Trop de demandes d'abonnement envoyées depuis cette connexion : réessayez dans {minutes} "
            f"minute{'s' if minutes > 1 else ''}. Pour toute question, appelez le service des professionnels "
            f"de santé au {SERVICE_PHONE}.")

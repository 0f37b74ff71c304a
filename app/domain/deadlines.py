"""The date of care and the transmission deadlines of the contract (article 9)."""

from __future__ import annotations

from datetime import date, timedelta

from app.domain.professions import AUXILIAIRES_MEDICAUX

DAYS_TO_TRANSMIT = 5


def end_of_following_month(day: date) -> date:
    """The last day of the month after the month of `day`."""
    first_of_next = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (first_of_next + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def transmission_deadline(date_soins: date, profession: str, serie: bool) -> date:
    """The last day an FSE for this date of care may be transmitted."""
    if serie and profession in AUXILIAIRES_MEDICAUX:
        return end_of_following_month(date_soins)
    return date_soins + timedelta(days=DAYS_TO_TRANSMIT)


def care_date_problem(date_soins: date, today: date, profession: str, serie: bool) -> str | None:
    """Why this date of care cannot be transmitted today, in French; None when it can."""
    if date_soins > today:
        return "La date des soins ne peut pas être dans le futur."
    deadline = transmission_deadline(date_soins, profession, serie)
    if today > deadline:
        when = deadline.strftime("%d/%m/%Y")
        if serie and profession in AUXILIAIRES_MEDICAUX:
            return f"Série d'actes : la FSE devait être transmise au plus tard le {when} (fin du mois suivant)."
        return (f"Soins de plus de {DAYS_TO_TRANSMIT} jours : la FSE devait être transmise au plus tard le {when}.")
    return None

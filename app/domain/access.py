"""Who may do what: assistants' validity dates and the praticien-only actions (pure rules)."""

from __future__ import annotations

from datetime import date

from app.domain.calendar import within

PRATICIEN = "praticien"
ASSISTANT = "assistant"
# The caisse's staff: its agents (back office) and its médecin conseil (the forms' medical elements).
AGENT = "agent"
MEDECIN_CONSEIL = "medecin_conseil"
PRACTICE_ROLES = frozenset({PRATICIEN, ASSISTANT})
STAFF_ROLES = frozenset({AGENT, MEDECIN_CONSEIL})
ROLE_LABELS = {PRATICIEN: "Praticien", ASSISTANT: "Assistant(e)", AGENT: "Agent de la caisse",
               MEDECIN_CONSEIL: "Médecin conseil"}


def is_staff(role: str) -> bool:
    """True for the caisse's own staff, who work under /caisse and never on a practice's pages."""
    return role in STAFF_ROLES


def assistant_valid_on(valide_du: date | None, valide_au: date | None, day: date) -> bool:
    """An assistant may act from the start day to the end day, both included (Europe/Monaco days)."""
    return within(valide_du, valide_au, day)


def account_valid_on(role: str, valide_du: date | None, valide_au: date | None, removed: bool, day: date) -> bool:
    """Whether an account may sign in and act on that day."""
    if removed:
        return False
    return role != ASSISTANT or assistant_valid_on(valide_du, valide_au, day)


def can_manage_assistants(role: str, two_factor_session: bool) -> bool:
    """Only a praticien, signed in with his second factor, adds, changes or removes assistants."""
    return role == PRATICIEN and two_factor_session


def two_factor_required(has_device: bool, opted_in: bool, role: str, today: date, mandatory_from: date) -> bool:
    """Whether this sign-in must go through the second factor (enrolling first when no device)."""
    # An assistant and the caisse's staff always: they act on others' data from the first day.
    return has_device or opted_in or role == ASSISTANT or is_staff(role) or today >= mandatory_from

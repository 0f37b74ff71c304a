"""Where the history's current filters live between requests, so that pagination, « Exporter » and
coming back from a detail keep them while no matricule or name ever goes into a URL (SECURITY.md 17).

They sit in the Flask session cookie, encrypted with the portal's Fernet key and bound to the
signed-in session's id and account (app/web/filter_state.py, shared with the forms' histories): the
browser holds an opaque token that it can neither read nor reuse in another session, and a tampered
token is simply ignored (no filter).
"""

from __future__ import annotations

from app.history.services import HistoryFilters
from app.web import filter_state

SESSION_KEY = "historique"


def load_filters(principal) -> HistoryFilters:
    """The filters this signed-in session last applied, or none."""
    return filter_state.load(principal, SESSION_KEY, HistoryFilters)


def save_filters(principal, filters: HistoryFilters) -> None:
    """Keep these filters for the rest of this signed-in session."""
    filter_state.save(principal, SESSION_KEY, filters)


def clear_filters() -> None:
    """« Réinitialiser les filtres »."""
    filter_state.clear(SESSION_KEY)

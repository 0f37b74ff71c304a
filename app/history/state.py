"""Where the history's current filters live between requests, so that pagination, « Exporter » and
coming back from a detail keep them while no matricule or name ever goes into a URL (SECURITY.md 17).

They sit in the Flask session cookie, encrypted with the portal's Fernet key (the one that protects
TOTP secrets) and bound to the signed-in session's id: the browser holds an opaque token that it can
neither read nor reuse in another session, and each worker or host reads it without a shared store.
Fernet also signs it, so a tampered token is simply ignored (no filter).
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken
from flask import current_app, session

from app.history.services import HistoryFilters

SESSION_KEY = "historique"
MAX_AGE_SECONDS = 12 * 3600  # a signed-in session never lasts longer (absolute timeout)


def load_filters(principal) -> HistoryFilters:
    """The filters this signed-in session last applied, or none."""
    token = session.get(SESSION_KEY)
    if not token:
        return HistoryFilters()
    try:
        data = json.loads(current_app.extensions["fse_cipher"].decrypt(token.encode(), ttl=MAX_AGE_SECONDS))
    except (InvalidToken, ValueError, TypeError):
        return HistoryFilters()
    if data.get("session") != principal.session_row.id or data.get("compte") != principal.compte.id:
        return HistoryFilters()
    return HistoryFilters.from_json(data.get("filtres") or {})


def save_filters(principal, filters: HistoryFilters) -> None:
    """Keep these filters for the rest of this signed-in session."""
    if not filters.active:
        session.pop(SESSION_KEY, None)
        return
    payload = json.dumps({"session": principal.session_row.id, "compte": principal.compte.id,
                          "filtres": filters.to_json()})
    session[SESSION_KEY] = current_app.extensions["fse_cipher"].encrypt(payload.encode()).decode()


def clear_filters() -> None:
    """« Réinitialiser les filtres »."""
    session.pop(SESSION_KEY, None)

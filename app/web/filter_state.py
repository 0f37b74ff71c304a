"""Where a list's current filters live between requests, so that pagination and coming back from a
detail keep them while no matricule or name ever goes into a URL (SECURITY.md 17). « Historique FSE »
(app/history/state.py) and each form's history (key "formulaires:<kind>") use it.

They sit in the Flask session cookie, encrypted with the portal's Fernet key (the one that protects
TOTP secrets) and bound to the signed-in session's id and to the account: the browser holds an opaque
token that it can neither read nor reuse in another session, and each worker or host reads it without
a shared store. Fernet also signs it, so a tampered token is simply ignored (no filter).

The filters are any value with `to_json()` (a JSON-able dict), `active` (False: nothing to keep) and
a `from_json(dict)` classmethod that gives no filter for anything malformed; the empty filters are
`cls()`.
"""

from __future__ import annotations

import json
from typing import Protocol, Self, TypeVar

from cryptography.fernet import InvalidToken
from flask import current_app, session

MAX_AGE_SECONDS = 12 * 3600  # a signed-in session never lasts longer (absolute timeout)


class Filters(Protocol):
    """What a list's filters give to be kept: a JSON form and back, and whether any is set."""

    @property
    def active(self) -> bool: ...

    def to_json(self) -> dict: ...

    @classmethod
    def from_json(cls, data: dict) -> Self: ...


F = TypeVar("F", bound=Filters)


def load(principal, key: str, cls: type[F]) -> F:
    """The filters this signed-in session last kept under `key`, or none (`cls()`)."""
    token = session.get(key)
    if not token or not isinstance(token, str):
        return cls()
    try:
        data = json.loads(current_app.extensions["fse_cipher"].decrypt(token.encode(), ttl=MAX_AGE_SECONDS))
    except (InvalidToken, ValueError, TypeError):
        return cls()
    if not isinstance(data, dict) or data.get("session") != principal.session_row.id \
            or data.get("compte") != principal.compte.id:
        return cls()
    filtres = data.get("filtres")
    return cls.from_json(filtres) if isinstance(filtres, dict) else cls()


def save(principal, key: str, filters: Filters) -> None:
    """Keep these filters under `key` for the rest of this signed-in session (none: forget them)."""
    if not filters.active:
        session.pop(key, None)
        return
    payload = json.dumps({"session": principal.session_row.id, "compte": principal.compte.id,
                          "filtres": filters.to_json()})
    session[key] = current_app.extensions["fse_cipher"].encrypt(payload.encode()).decode()


def clear(key: str) -> None:
    """« Réinitialiser les filtres »: forget what `key` kept."""
    session.pop(key, None)

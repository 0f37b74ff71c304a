"""The processes' caches of reference data, keyed by what the database says.

Tariffs, option lists, Convention rules and the CCAM index change only when the caisse imports a
file or changes a rule. Each of those writes replaces the random token of `version_referentiel`
(`bump`); every cached value is stored under the token it was read with. A request reads the token
once (with its session, app/auth/sessions.py), so a change made on any host is seen by every worker
of every host at its next request, and nothing stale outlives it. A random token (not a counter)
never repeats across databases: a fresh test database never meets another's values.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from flask import g, has_app_context
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import (
    ActeCcam,
    CodeNgap,
    ImportReferentiel,
    NatureEtm,
    ParametreConvention,
    RegleCouleur,
    RegleCouleurDatee,
    Tarif,
    VersionReferentiel,
)

T = TypeVar("T")
MAX_ENTRIES = 20_000  # far above what one token's requests ask for (codes × professions × dates)
REFERENCE_MODELS = (ActeCcam, CodeNgap, ImportReferentiel, NatureEtm, ParametreConvention, RegleCouleur,
                    RegleCouleurDatee, Tarif)
NO_TOKEN = "-"  # a database before its first import (no row yet): nothing to cache for long

_lock = threading.Lock()
_entries: dict[Hashable, Any] = {}
_token: list[str | None] = [None]


def token_query():
    """The token as a scalar subquery, to ride along another statement (the session's)."""
    return select(VersionReferentiel.jeton).where(VersionReferentiel.id == 1).scalar_subquery()


def remember_token(token: str | None) -> None:
    """The token read with this request's first statement (the session check)."""
    g.referentiel_jeton = token or NO_TOKEN


def current_token() -> str:
    """This request's token: read once per request (or per CLI/app context)."""
    if has_app_context() and "referentiel_jeton" in g:
        return g.referentiel_jeton
    token = db.session.scalar(select(VersionReferentiel.jeton).where(VersionReferentiel.id == 1)) or NO_TOKEN
    if has_app_context():
        g.referentiel_jeton = token
    return token


def cached(key: Hashable, compute: Callable[[], T]) -> T:
    """The value of `key` under the current token, computed once per token and process."""
    token = current_token()
    if token == NO_TOKEN:
        return compute()
    full = (token, key)
    try:
        return _entries[full]
    except KeyError:
        pass
    value = compute()
    with _lock:
        if _token[0] != token or len(_entries) >= MAX_ENTRIES:
            _entries.clear()  # the old token's values are never asked for again
            _token[0] = token
        _entries[full] = value
    return value


def bump(session: Session | None = None) -> str:
    """Replace the token (in the caller's transaction): every process forgets its cached values at its
    next request. Every writer of the reference data calls it (the ORM ones through `_watch`)."""
    session = session or db.session
    token = secrets.token_hex(16)
    if session.execute(update(VersionReferentiel).where(VersionReferentiel.id == 1)
                       .values(jeton=token)).rowcount == 0:
        session.add(VersionReferentiel(id=1, jeton=token))
        session.flush()
    if has_app_context():
        g.pop("referentiel_jeton", None)
    return token


@event.listens_for(Session, "before_flush")
def _watch(session: Session, flush_context, instances) -> None:
    """A reference row added, changed or deleted through the ORM replaces the token with it (the
    bulk writers — importer, tariff import, rule changes — call `bump` themselves)."""
    if session.info.get("bumping"):
        return
    touched = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, REFERENCE_MODELS) for obj in touched):
        session.info["bumping"] = True
        try:
            token = secrets.token_hex(16)
            existing = session.get(VersionReferentiel, 1)
            if existing is None:
                session.add(VersionReferentiel(id=1, jeton=token))
            else:
                existing.jeton = token
        finally:
            session.info["bumping"] = False
        if has_app_context():
            g.pop("referentiel_jeton", None)


def clear() -> None:
    """Forget every cached value (tests that swap databases under one process)."""
    with _lock:
        _entries.clear()
        _token[0] = None

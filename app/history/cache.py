"""The processes' cache of a praticien's history: totals, month chart and the ids of a page.

Over 50,000 FSE, a name filter or the 12 months' totals and chart read every row of the praticien
(about 75 ms alone). They change only when one of his FSE is transmitted, deleted, rejected or paid:
each of those writers replaces `praticien.jeton_historique` (`touch`) in its own transaction, and
the token comes with the session's statement (app/auth/sessions.py), so every worker of every host
sees a change at its next request. A praticien without a token yet (never touched) is not cached.
The day of Monaco is part of every key: the 12 months' window and the periods move at midnight.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import update

from app.extensions import db
from app.models import Praticien

T = TypeVar("T")
MAX_ENTRIES = 2048  # totals, chart and page ids of the selections in use (a few KB each)

_entries: OrderedDict[Hashable, object] = OrderedDict()
_lock = threading.Lock()


def touch(praticien_id: int) -> None:
    """One of the praticien's transmitted FSE changed (in the caller's transaction)."""
    db.session.execute(update(Praticien).where(Praticien.id == praticien_id)
                       .values(jeton_historique=secrets.token_hex(16))
                       .execution_options(synchronize_session=False))


def touch_all(praticien_ids) -> None:
    for praticien_id in set(praticien_ids):
        touch(praticien_id)


def kept(praticien, key: Hashable, compute: Callable[[], T]) -> T:
    """The value of `key` for this state of the praticien's history, computed once per process."""
    token = praticien.jeton_historique
    if token is None:
        return compute()
    full = (praticien.id, token, key)
    with _lock:
        if full in _entries:
            _entries.move_to_end(full)
            return _entries[full]
    value = compute()
    with _lock:
        _entries[full] = value
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return value

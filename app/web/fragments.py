"""Kept fragments: a piece of a template drawn once per process and reused while what it shows is the same.

The FSE page draws three entry forms — conditions, NGAP, CCAM — that look the same request after
request: WTForms builds 16 fields and draws them with their labels, options and attributes (a quarter
of the page's time, 0.9 ms of 3.6). « Historique FSE » reads and draws the same 50 rows until one of
the praticien's FSE changes (half of its time). A template marks such a piece, after the hidden fields
that change with every response (CSRF token, draft and version):

    {% call kept("fse/_ngap.html", forms.key("ngap")) %} … {% endcall %}

and `kept` returns the HTML kept under a key made of

- what the caller passes: the name of the piece and the values it is drawn from — for a form of the
  FSE page, `PageForms.key` (app/fse/views.py): the profession, the date of the care and the draft's
  values the form shows; `None` when a form was given back by a view (typed input, errors): that
  piece is drawn as before, never kept; for the history's table, `HistoryPage.key`
  (app/history/services.py): the praticien's history token (app/history/cache.py), the filters, the
  page, the day and the names of the practice's people;
- what every piece depends on without saying so: the reference data's token (option lists, labels:
  app/referentiel/cache.py — read from the database with the session, so an import on any host is
  seen at the next request of every worker), the application root (the forms' addresses) and the
  field the page gives `autofocus`.

A piece may not draw anything else that changes between requests (a token, a flashed message, the
user's name): tests/fse/test_kept_fragments.py draws the FSE page in every state its forms have, kept
and not, and compares the HTML (tests/history/test_history_cache.py the history's table). At most
MAX_FRAGMENTS pieces and MAX_CHARACTERS of HTML per process (the least recently used dropped first;
pieces of an old token are never read again and age out); none while the templates reload (debug) or
before the first reference data import (no token yet).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import Flask, current_app, request
from jinja2 import pass_context
from markupsafe import Markup

from app.referentiel.cache import NO_TOKEN, current_token

MAX_FRAGMENTS = 1024  # an entry form weighs 1-3 KB, a history table 15-40 KB
MAX_CHARACTERS = 4_000_000  # 4 to 8 MB per process (accented text takes two bytes a character)


class KeptFragments:
    """One application's kept pieces, each under the reference data's token it was drawn with; the
    least recently used go first when a bound is reached."""

    def __init__(self, enabled: bool):
        self.enabled = enabled  # FSE_KEPT_FRAGMENTS
        self._entries: OrderedDict[Hashable, Markup] = OrderedDict()
        self._characters = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, draw, reloading: bool = False) -> Markup:
        """The piece kept under `key`, drawn by `draw()` the first time (always while `reloading`).
        The token is part of the entry's key: a request that read the token before an import never
        gets a piece drawn after it, nor the other way round."""
        if not self.enabled or reloading:
            return draw()
        token = current_token()
        if token == NO_TOKEN:
            return draw()
        full = (token, key)
        with self._lock:
            kept = self._entries.get(full)
            if kept is not None:
                self._entries.move_to_end(full)
                return kept
        html = Markup(draw())
        with self._lock:
            if full not in self._entries:
                self._entries[full] = html
                self._characters += len(html)
                while len(self._entries) > MAX_FRAGMENTS or self._characters > MAX_CHARACTERS:
                    _, dropped = self._entries.popitem(last=False)
                    self._characters -= len(dropped)
        return html

    def __len__(self) -> int:
        return len(self._entries)


@pass_context
def kept(context, name: str, key: Hashable | None, *values: Hashable, caller) -> Markup:
    """The templates' `{% call kept(name, key, *values) %}…{% endcall %}` (the module's docstring)."""
    if key is None:
        return caller()
    app = current_app._get_current_object()
    full = (name, key, values, request.script_root, context.get("autofocus_id"))
    return app.extensions["fse_fragments"].get(full, caller, app.jinja_env.auto_reload)


def register_fragments(app: Flask) -> None:
    """The application's kept pieces (off with `FSE_KEPT_FRAGMENTS=False` and while templates reload)."""
    app.extensions["fse_fragments"] = KeptFragments(app.config.get("FSE_KEPT_FRAGMENTS", True))
    app.jinja_env.globals["kept"] = kept

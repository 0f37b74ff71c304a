"""Kept fragments: a piece of a template drawn once per process and reused while what it shows is the same.

The FSE page draws three entry forms — conditions, NGAP, CCAM — that look the same request after
request: WTForms builds 16 fields and draws them with their labels, options and attributes (a quarter
of the page's time, 0.9 ms of 3.6). A template marks such a piece, after the hidden fields that change
with every response (CSRF token, draft and version):

    {% call kept("fse/_ngap.html", forms.key("ngap")) %} … {% endcall %}

and `kept` returns the HTML kept under a key made of

- what the caller passes: the name of the piece and the values it is drawn from — for a form of the
  page, `PageForms.key` (app/fse/views.py): the profession, the date of the care and the draft's
  values the form shows; `None` when a form was given back by a view (typed input, errors): that
  piece is drawn as before, never kept;
- what every piece depends on without saying so: the reference data's token (option lists, labels:
  app/referentiel/cache.py — read from the database with the session, so an import on any host is
  seen at the next request of every worker), the application root (the forms' addresses) and the
  field the page gives `autofocus`.

A piece may not draw anything else that changes between requests (a token, a flashed message, the
user's name): tests/fse/test_kept_fragments.py draws the FSE page in every state its forms have, kept
and not, and compares the HTML. At most MAX_FRAGMENTS per process, then the dict starts again; none
while the templates reload (debug) or before the first reference data import (no token yet).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from flask import Flask, current_app, request
from jinja2 import pass_context
from markupsafe import Markup

from app.referentiel.cache import NO_TOKEN, current_token

MAX_FRAGMENTS = 1024  # a few KB each: a few MB at most


class KeptFragments:
    """One application's kept pieces, under the reference data's token they were drawn with."""

    def __init__(self, enabled: bool):
        self.enabled = enabled  # FSE_KEPT_FRAGMENTS
        self._entries: dict[Hashable, Markup] = {}
        self._token: str | None = None
        self._lock = threading.Lock()

    def get(self, key: Hashable, draw, reloading: bool = False) -> Markup:
        """The piece kept under `key`, drawn by `draw()` the first time (always while `reloading`)."""
        if not self.enabled or reloading:
            return draw()
        token = current_token()
        if token == NO_TOKEN:
            return draw()
        kept = self._entries.get(key) if token == self._token else None
        if kept is not None:
            return kept
        html = Markup(draw())
        with self._lock:
            if self._token != token or len(self._entries) >= MAX_FRAGMENTS:
                self._entries.clear()  # the old token's pieces are never asked for again
                self._token = token
            self._entries[key] = html
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

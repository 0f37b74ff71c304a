"""An expired form (SECURITY.md 18): a POST whose CSRF token is too old or belongs to another
session comes back as its form again, with what was typed and a fresh token — nothing is done.

A feature registers, for one endpoint ("auth.login") or a whole blueprint ("fse"), the function
that re-renders its page from `request.form`; app/errors turns CSRFError into that page.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask.typing import ResponseReturnValue

MESSAGE = "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau."
# flask_wtf's reason for a POST that carries no token at all: a forged or broken request, not an
# expired form; it keeps the plain 400 page.
MISSING = "The CSRF token is missing."

_renderers: dict[str, Callable[[], ResponseReturnValue | None]] = {}


def rerenders_expired(name: str):
    """Register the function that re-renders the forms of an endpoint or of a blueprint."""
    def register(function):
        _renderers[name] = function
        return function
    return register


def expired_form_response(reason: str) -> ResponseReturnValue | None:
    """The current POST's form again with its input, or None when it cannot be re-rendered."""
    if request.method != "POST" or reason == MISSING or not request.endpoint:
        return None
    render = _renderers.get(request.endpoint) or _renderers.get(request.endpoint.split(".")[0])
    return render() if render else None

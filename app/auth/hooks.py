"""Request hooks of authentication: the compulsory password change, and no-store on private pages."""

from __future__ import annotations

from flask import Flask, Response, redirect, request, url_for
from flask_login import current_user

from app.auth.pending import is_pending
from app.auth.sessions import password_change_pending
from app.web.htmx import hx_redirect

# What a person with a one-time password may still reach before choosing his own.
ALLOWED_WITH_ONE_TIME_PASSWORD = {"auth.change_password", "auth.logout", "static", "errors.static"}


def register_auth_hooks(app: Flask) -> None:
    @app.before_request
    def _load_user_first():
        """Check the session before the view runs, so that what the check writes (activity, expiry)
        is committed on its own, never together with half of a view's work. Static files need no one:
        touching the session there would add `Vary: Cookie` (and a cookie) to year-long cached files."""
        if request.endpoint == "static":
            return
        current_user._get_current_object()

    @app.before_request
    def _compulsory_password_change():
        if request.endpoint in ALLOWED_WITH_ONE_TIME_PASSWORD or not password_change_pending():
            return None
        target = url_for("auth.change_password")
        return hx_redirect(target) if request.headers.get("HX-Request") == "true" else redirect(target)

    @app.after_request
    def _no_store_when_private(response: Response) -> Response:
        """Authenticated pages and the steps of sign-in are never stored by the browser or a proxy."""
        endpoint = request.endpoint or ""
        if endpoint != "static" and (current_user.is_authenticated or is_pending() or endpoint.startswith("auth.")):
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

"""French error pages that reveal nothing (SECURITY.md item 21)."""

from __future__ import annotations

import sqlite3

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.extensions import db
from app.web.expired import expired_form_response

bp = Blueprint("errors", __name__)

MESSAGES = {
    400: ("Requête invalide", "La demande n'a pas pu être traitée. Rechargez la page et recommencez."),
    403: ("Accès refusé", "Vous n'avez pas accès à cette page."),
    404: ("Page introuvable", "Cette page n'existe pas ou n'est plus disponible."),
    405: ("Action non permise", "Cette action n'est pas permise à cette adresse."),
    413: ("Envoi trop volumineux", "Les données envoyées dépassent la taille permise."),
    429: ("Trop de tentatives", "Trop de tentatives : patientez quelques instants avant de recommencer."),
    500: ("Erreur du portail", "Une erreur est survenue. Elle a été enregistrée ; réessayez dans un instant."),
    503: ("Service momentanément indisponible", "Le portail ne joint pas sa base de données pour l'instant : votre "
          "dernière action n'a pas été enregistrée. Réessayez dans quelques secondes."),
}
# A database unreachable, restarting or locked for a moment (PostgreSQL restarted, SQLite's write lock
# held past the busy timeout): 503 with a delay to retry after, not a failure of the portal.
RETRY_AFTER_SECONDS = 5


def render_error(status: int):
    """The French error page for a status, with the status itself. When the database fails while the
    page is drawn (the person's name, the menu), it is drawn again for nobody, without the database."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    try:
        return render_template("errors/error.html", status=status, title=title, message=message), status
    except SQLAlchemyError:
        _without_the_database()
        return render_template("errors/error.html", status=status, title=title, message=message), status


def _without_the_database() -> None:
    """The request goes on as nobody's: nothing more is asked of the database for the person (the
    template, the no-store hook), and its failed transaction is dropped."""
    _rollback()
    g._login_user = current_app.login_manager.anonymous_user()


def _rollback() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # a connection already lost: the pool replaces it at the next checkout
        pass


# SQLite reports a missing table or a syntax error as an OperationalError too: only these say that the
# file is there but cannot be used now.
SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "database is busy",
                      "unable to open database file", "disk i/o error")


def database_unavailable(error: Exception) -> bool:
    """True for a database that cannot answer now (a lost or refused connection, a server shutting down
    or starting, SQLite's lock held past the busy timeout), not for a fault of the portal's SQL."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False
    if isinstance(error.orig, sqlite3.Error):
        return any(words in str(error.orig).lower() for words in SQLITE_UNAVAILABLE)
    return True


def page_of_form(path: str) -> str | None:
    """The page a form's address belongs to (`/fse/ngap` → « Élaborer une FSE », `/historique/export` →
    « Historique FSE »): its blueprint's `page` endpoint, when it has one. None for any other address."""
    try:
        endpoint, _ = current_app.url_map.bind("").match(path, method="POST")
    except HTTPException:
        return None
    blueprint = endpoint.rpartition(".")[0]
    page = f"{blueprint}.page"
    if not blueprint or page not in current_app.view_functions:
        return None
    return url_for(page)


@bp.app_errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    """Any HTTP error: the French page of its status, no detail from the exception. A GET on the
    address of a form (a refused form drawn without JavaScript stays at its address: reloaded from the
    address bar, opened in a new tab, or a bookmark) brings the person back to the form's page instead."""
    if error.code == 405 and request.method in ("GET", "HEAD") and request.headers.get("HX-Request") != "true":
        target = page_of_form(request.path)
        if target is not None:
            return redirect(target, 303)
    status = error.code if error.code in MESSAGES else (500 if (error.code or 500) >= 500 else 400)
    response = render_error(status)
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        return response[0], status, {"Allow": ", ".join(error.valid_methods)}
    return response


@bp.app_errorhandler(CSRFError)
def handle_csrf_error(error: CSRFError):
    """An expired or foreign token: the form again with its input (app/web/expired.py); a missing
    token or a form that cannot be re-rendered: the 400 page. Nothing typed is logged."""
    return expired_form_response(error.description) or render_error(400)


@bp.app_errorhandler(Exception)
def handle_unexpected_error(error: Exception):
    """An unexpected failure: roll back, log it on the server, show a page without any detail; the
    database unavailable for a moment is a 503 that says to retry."""
    _rollback()
    current_app.logger.exception("Erreur non gérée")
    if database_unavailable(error):
        _without_the_database()
        page, status = render_error(503)
        # Nobody's page now, but the request was somebody's: never kept by a browser or a proxy.
        return page, status, {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
    return render_error(500)

"""French error pages that reveal nothing (SECURITY.md item 21)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf.csrf import CSRFError
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
}


def render_error(status: int):
    """The French error page for a status, with the status itself."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    return render_template("errors/error.html", status=status, title=title, message=message), status


@bp.app_errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    """Any HTTP error: the French page of its status, no detail from the exception."""
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
    """An unexpected failure: roll back, log it on the server, show a page without any detail."""
    from flask import current_app

    db.session.rollback()
    current_app.logger.exception("Erreur non gérée")
    return render_error(500)

"""Front page of the portal and the health check used by load balancers."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import text

from app.extensions import db
from app.referentiel.services import referentiel_summary

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    """Front page: what the portal does and the reference data it runs on."""
    return render_template("main/index.html", referentiel=referentiel_summary())


@bp.get("/sante")
def health():
    """Health check: 200 « ok » when the database answers."""
    db.session.execute(text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}

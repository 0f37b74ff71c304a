"""The caisse's staff never reach a practice's pages: they act for no praticien (no FSE, no patient
of a practice, no profile of one). A request of theirs to such a page is refused before its view."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from app.caisse.access import refuse

# The blueprints of a practice: everything that acts for a praticien.
PRACTICE_BLUEPRINTS = frozenset({"fse", "history", "precoded", "hnp", "formulaires", "profile"})


def register_caisse_hooks(app: Flask) -> None:
    @app.before_request
    def _staff_stay_in_the_back_office():
        if request.blueprint in PRACTICE_BLUEPRINTS and current_user.is_authenticated \
                and current_user.est_personnel_caisse:
            return refuse()
        return None

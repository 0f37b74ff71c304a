"""The back office's home: who is signed in, in which role, and the sections that role works in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from app.caisse.access import staff_required
from app.domain.access import AGENT, MEDECIN_CONSEIL, ROLE_LABELS

bp = Blueprint("caisse", __name__, url_prefix="/caisse")

# The sections of the back office, by role, in the order of the navigation: (words, endpoint, what for).
SECTIONS = [
    ("Demandes d'abonnement", "caisse.demandes", (AGENT,), "approuver ou refuser les demandes des praticiens"),
    ("Praticiens", "caisse.praticiens", (AGENT,), "rechercher, suspendre ou rétablir un accès"),
    ("Registre", "caisse.registre", (AGENT,), "importer les foyers, bénéficiaires et exonérations"),
    ("Référentiel", "caisse.referentiel", (AGENT,), "tarifs et règles de la Convention"),
    ("FSE reçues", "caisse.fses", (AGENT,), "rejeter une FSE, créer un ordiposte"),
    ("Formulaires", "caisse.formulaires", (MEDECIN_CONSEIL,), "lire les éléments médicaux et décider"),
]


def sections_of(role: str) -> list[tuple[str, str, str]]:
    """The sections installed in this app that this role works in: (words, url, what for)."""
    return [(words, url_for(endpoint), what) for words, endpoint, roles, what in SECTIONS
            if role in roles and endpoint in current_app.view_functions]


@bp.get("")
@staff_required()
def page():
    """« Espace caisse »: the signed-in agent's or médecin conseil's sections."""
    role = current_user.compte.role
    return render_template("caisse/page.html", role_label=ROLE_LABELS[role], sections=sections_of(role))

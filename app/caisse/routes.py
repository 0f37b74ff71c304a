"""The back office's home: who is signed in, in which role, and the sections that role works in."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from app.caisse.access import staff_required
from app.domain.access import AGENT, MEDECIN_CONSEIL, ROLE_LABELS
from app.extensions import db

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


@bp.app_context_processor
def _activation_words() -> dict:
    """How long an activation link lasts, in the words of the pages that show or announce one."""
    from app.auth.cli import ACTIVATION_VALIDITY_WORDS

    return {"activation_validity": ACTIVATION_VALIDITY_WORDS}


def sections_of(role: str) -> list[tuple[str, str, str, str | None]]:
    """The sections installed in this app that this role works in: (words, url, what for, what waits)."""
    waiting = waiting_work(role)
    return [(words, url_for(endpoint), what, waiting.get(endpoint)) for words, endpoint, roles, what in SECTIONS
            if role in roles and endpoint in current_app.view_functions]


def waiting_work(role: str) -> dict[str, str]:
    """What waits for this role, by section: pending requests, HNP FSE to pay, requests to decide."""
    from app.models import DemandeAbonnement, Formulaire, Fse

    def count(query) -> int:
        return db.session.scalar(query) or 0

    def plural(n: int, one: str, many: str) -> str:
        return f"{n} {one if n <= 1 else many}"  # French: 0 and 1 take the singular

    if role == AGENT:
        pending = count(select(func.count()).select_from(DemandeAbonnement)
                        .where(DemandeAbonnement.statut == "en_attente"))
        to_pay = count(select(func.count()).select_from(Fse)
                       .where(Fse.statut == "transmise", Fse.hnp.is_(True), Fse.ordiposte_id.is_(None)))
        return {"caisse.demandes": plural(pending, "demande en attente", "demandes en attente"),
                "caisse.fses": plural(to_pay, "FSE HNP/RDD à payer", "FSE HNP/RDD à payer")}
    if role == MEDECIN_CONSEIL:
        to_decide = count(select(func.count()).select_from(Formulaire)
                          .where(Formulaire.statut == "transmis", Formulaire.type.in_(("etm", "invalidite"))))
        return {"caisse.formulaires": plural(to_decide, "demande à décider", "demandes à décider")}
    return {}


@bp.get("")
@staff_required()
def page():
    """« Espace caisse »: the signed-in agent's or médecin conseil's sections."""
    role = current_user.compte.role
    return render_template("caisse/page.html", role_label=ROLE_LABELS[role], sections=sections_of(role))

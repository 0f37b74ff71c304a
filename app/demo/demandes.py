"""Two pending subscription requests of the demo, for the agent's « Demandes d'abonnement »: made-up
praticiens with well-formed numbers (9-digit ADELI, RPPS whose last digit is its Luhn key) and phones
of Monaco and France, as the public page stores them. Written once: each is known by its token."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.abonnement import new_reference
from app.models import DemandeAbonnement

# (token, days before today, profession, nom, prénom, ADELI, RPPS, e-mail, mobile, fixe, fait à)
DEMO_DEMANDES = [
    ("demo-demande-orthophoniste", 3, "orthophoniste", "Bianchi", "Laura", "986031478", "10009321455",
     "laura.bianchi@exemple.mc", "+377 6 80 86 24 13", "+377 97 98 12 34", "Monaco"),
    ("demo-demande-dentiste", 1, "dentiste", "Crovetto", "Antoine", None, "10009718361",
     "a.crovetto@exemple.fr", "+33 6 12 48 73 95", None, "Beausoleil"),
]
# The reference's random part, fixed for the demo (no 0/O or 1/I, as the page's).
REFERENCE_TOKENS = {"demo-demande-orthophoniste": "DEMQRT", "demo-demande-dentiste": "DEMDNT"}


def ensure_demo_demandes(session: Session, today: date) -> int:
    """The demo's pending requests, unless they exist (whatever became of them); returns how many
    were written."""
    written = 0
    for token, days, profession, nom, prenom, adeli, rpps, email, mobile, fixe, fait_a in DEMO_DEMANDES:
        if session.scalar(select(DemandeAbonnement.id).where(DemandeAbonnement.jeton == token)) is not None:
            continue
        day = today - timedelta(days=days)
        session.add(DemandeAbonnement(
            reference=new_reference(day, REFERENCE_TOKENS[token]), jeton=token, profession=profession, nom=nom,
            prenom=prenom, adeli=adeli, rpps=rpps, sans_carte_cps=False, email=email, mobile=mobile, fixe=fixe,
            fait_a=fait_a, fait_le=day, contrat_accepte=True, statut="en_attente",
            cree_le=datetime.combine(day, time(8, 30 + days), tzinfo=UTC), ip=None))
        written += 1
    session.flush()
    return written

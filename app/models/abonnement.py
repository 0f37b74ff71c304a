"""Subscription requests (« Demande d'abonnement », seed 003): sent by a praticien from the public
page, then approved (an account is created) or refused with a reason by a caisse agent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class DemandeAbonnement(db.Model):
    """One request, as typed (formats checked by app/domain/identifiers.py) and dated."""

    __tablename__ = "demande_abonnement"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Shown to the requester (« AB-20261123-7KQ3MX »), who quotes it when he calls the caisse.
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    # One-time token of the page's form: a double tap or a retry finds the same request, never a second one.
    jeton: Mapped[str] = mapped_column(String(64), unique=True)
    profession: Mapped[str] = mapped_column(String(16))
    nom: Mapped[str] = mapped_column(String(80))
    prenom: Mapped[str] = mapped_column(String(80))
    adeli: Mapped[str | None] = mapped_column(String(9))
    rpps: Mapped[str | None] = mapped_column(String(11))
    sans_carte_cps: Mapped[bool] = mapped_column(default=False)
    email: Mapped[str] = mapped_column(String(254))
    mobile: Mapped[str | None] = mapped_column(String(24))  # international form: « +377 6 12 34 56 78 »
    fixe: Mapped[str | None] = mapped_column(String(24))
    fait_a: Mapped[str] = mapped_column(String(80))
    fait_le: Mapped[date]
    contrat_accepte: Mapped[bool]
    statut: Mapped[str] = mapped_column(String(12), default="en_attente")
    motif_refus: Mapped[str | None] = mapped_column(String(500))
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The client address, for the agent facing abuse (the audit row has it too).
    ip: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (
        CheckConstraint(
            "profession IN ('medecin', 'dentiste', 'sagefemme', 'infirmier', 'kine', "
            "'orthophoniste', 'orthoptiste')",
            name="profession",
        ),
        # « cochez la case utile »: a card and at least one of its numbers, or no card and no number.
        CheckConstraint(
            "(sans_carte_cps AND adeli IS NULL AND rpps IS NULL) "
            "OR (NOT sans_carte_cps AND (adeli IS NOT NULL OR rpps IS NOT NULL))",
            name="carte",
        ),
        CheckConstraint("contrat_accepte", name="contrat_accepte"),
        CheckConstraint("statut IN ('en_attente', 'approuvee', 'refusee')", name="statut"),
        CheckConstraint("adeli IS NULL OR length(adeli) = 9", name="adeli"),
        CheckConstraint("rpps IS NULL OR length(rpps) = 11", name="rpps"),
        # The agent's list: the pending requests, oldest first.
        Index("ix_demande_abonnement_statut_cree_le", "statut", "cree_le"),
    )

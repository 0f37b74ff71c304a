"""The caisse's registry of insured households, beneficiaries and their exonerations (ETM)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class Foyer(db.Model):
    """A household: one insurance card (matricule + code FSE), one caisse, one card colour."""

    __tablename__ = "foyer"

    id: Mapped[int] = mapped_column(primary_key=True)
    matricule: Mapped[str] = mapped_column(String(6), unique=True)
    # The code FSE proves the card is present. It is printed on the card, reissued by the caisse,
    # and has too few combinations for a hash to protect it: lookups are throttled instead.
    code_fse: Mapped[str] = mapped_column(String(4))
    caisse: Mapped[str] = mapped_column(String(5))
    couleur_carte: Mapped[str] = mapped_column(String(8))

    beneficiaires: Mapped[list[Beneficiaire]] = relationship(
        back_populates="foyer", order_by="Beneficiaire.rang", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("caisse IN ('CCSS', 'CAMTI', 'SPME')", name="caisse"),
        CheckConstraint("couleur_carte IN ('verte', 'rose', 'bulle')", name="couleur_carte"),
    )


class Beneficiaire(db.Model):
    """A member of a household: the insured person (rang 1), a spouse or a child."""

    __tablename__ = "beneficiaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    foyer_id: Mapped[int] = mapped_column(ForeignKey("foyer.id", ondelete="CASCADE"), index=True)
    rang: Mapped[int]
    qualite: Mapped[str] = mapped_column(String(8))
    nom: Mapped[str] = mapped_column(String(80))
    prenom: Mapped[str] = mapped_column(String(80))
    date_naissance: Mapped[date]
    droits_debut: Mapped[date]
    droits_fin: Mapped[date | None]

    foyer: Mapped[Foyer] = relationship(back_populates="beneficiaires")
    exonerations: Mapped[list[Exoneration]] = relationship(
        back_populates="beneficiaire", order_by="Exoneration.date_debut", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("foyer_id", "rang"),
        CheckConstraint("qualite IN ('assure', 'conjoint', 'enfant')", name="qualite"),
        CheckConstraint("rang >= 1", name="rang"),
        CheckConstraint("droits_fin IS NULL OR droits_fin >= droits_debut", name="droits"),
    )


class Exoneration(db.Model):
    """An exoneration from the ticket modérateur (ETM) of one beneficiary, with its dates."""

    __tablename__ = "exoneration"

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiaire_id: Mapped[int] = mapped_column(
        ForeignKey("beneficiaire.id", ondelete="CASCADE"), index=True
    )
    nature_code: Mapped[int] = mapped_column(ForeignKey("nature_etm.code"))
    date_debut: Mapped[date]
    date_fin: Mapped[date | None]

    beneficiaire: Mapped[Beneficiaire] = relationship(back_populates="exonerations")
    nature = relationship("NatureEtm", lazy="joined")

    __table_args__ = (CheckConstraint("date_fin IS NULL OR date_fin >= date_debut", name="dates"),)

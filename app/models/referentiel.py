"""Reference data owned by the caisse: nomenclatures, dated tariffs, Convention rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import Money, ScaledDecimal, UTCDateTime, utcnow


class ActeCcam(db.Model):
    """A CCAM act of the v63 nomenclature."""

    __tablename__ = "acte_ccam"

    code: Mapped[str] = mapped_column(String(7), primary_key=True)
    libelle: Mapped[str] = mapped_column(Text)
    regroupement: Mapped[str] = mapped_column(String(8))

    __table_args__ = (CheckConstraint("length(code) = 7", name="code_7"),)


class CodeNgap(db.Model):
    """An NGAP letter key or majoration that the tariff file uses, with its labels."""

    __tablename__ = "code_ngap"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    libelle: Mapped[str] = mapped_column(Text)
    majoration: Mapped[bool]
    # Where the nomenclature (IR_NAT_V) knows the key: its prestation code and label.
    code_prestation: Mapped[int | None]
    libelle_nomenclature: Mapped[str | None] = mapped_column(Text)


class NatureEtm(db.Model):
    """A nature of exoneration from the ticket modérateur (ALD, AT, MP, maternité...)."""

    __tablename__ = "nature_etm"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    code_court: Mapped[str | None] = mapped_column(String(8))
    libelle: Mapped[str] = mapped_column(Text)


class Tarif(db.Model):
    """One dated tariff value of an NGAP key, majoration, CCAM act or CCAM modifier."""

    __tablename__ = "tarif"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(8))
    profession: Mapped[str] = mapped_column(String(16))
    date_effet: Mapped[date]
    montant: Mapped[Decimal | None] = mapped_column(Money())
    pourcentage: Mapped[Decimal | None] = mapped_column(ScaledDecimal(4))
    libelle: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("type", "code", "profession", "date_effet"),
        CheckConstraint("type IN ('NGAP', 'MAJ', 'CCAM', 'MOD')", name="type"),
        CheckConstraint("(montant IS NULL) <> (pourcentage IS NULL)", name="montant_ou_pourcentage"),
        CheckConstraint("pourcentage IS NULL OR type = 'MOD'", name="pourcentage_mod"),
        CheckConstraint("montant IS NULL OR montant >= 0", name="montant_positif"),
        CheckConstraint("pourcentage IS NULL OR pourcentage >= 0", name="pourcentage_positif"),
        Index("ix_tarif_lookup", "type", "code", "profession", "date_effet"),
    )


class RegleCouleur(db.Model):
    """The Convention's rule for one card colour."""

    __tablename__ = "regle_couleur"

    couleur: Mapped[str] = mapped_column(String(8), primary_key=True)
    libelle: Mapped[str] = mapped_column(String(40))
    depassement: Mapped[bool]
    coefficient_max: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    hnp: Mapped[bool]

    __table_args__ = (
        CheckConstraint("couleur IN ('verte', 'rose', 'bulle')", name="couleur"),
        CheckConstraint("coefficient_max >= 100", name="coefficient_max"),
    )


class RegleCouleurDatee(db.Model):
    """A change of one colour's rule by the caisse, in force from its date of effect (for care given on
    or after it) until the next change of that colour. The Convention file's rule (RegleCouleur) holds
    before the first change; every change is kept, so that an older date of care is priced as it was."""

    __tablename__ = "regle_couleur_datee"

    id: Mapped[int] = mapped_column(primary_key=True)
    couleur: Mapped[str] = mapped_column(String(8))
    date_effet: Mapped[date]
    depassement: Mapped[bool]
    coefficient_max: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    hnp: Mapped[bool]
    motif: Mapped[str] = mapped_column(Text)
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cree_par_id: Mapped[int] = mapped_column(ForeignKey("compte.id"))

    cree_par = relationship("Compte")

    __table_args__ = (
        UniqueConstraint("couleur", "date_effet"),
        CheckConstraint("couleur IN ('verte', 'rose', 'bulle')", name="couleur"),
        CheckConstraint("coefficient_max >= 100", name="coefficient_max"),
        CheckConstraint("depassement OR coefficient_max = 100", name="sans_depassement"),
    )


class ParametreConvention(db.Model):
    """The Convention's rates and ETM thresholds: a single row."""

    __tablename__ = "parametre_convention"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    taux_remboursement: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    taux_remboursement_etm: Mapped[Decimal] = mapped_column(ScaledDecimal(4))
    seuil_etm_coefficient_ngap: Mapped[Decimal] = mapped_column(ScaledDecimal(2))
    seuil_etm_ccam: Mapped[Decimal] = mapped_column(Money())

    __table_args__ = (CheckConstraint("id = 1", name="singleton"),)


class ImportReferentiel(db.Model):
    """What was last imported for each part of the reference data, and whether it is a sample."""

    __tablename__ = "import_referentiel"

    partie: Mapped[str] = mapped_column(String(16), primary_key=True)
    fichier: Mapped[str] = mapped_column(Text)
    empreinte_sha256: Mapped[str] = mapped_column(String(64))
    exemple: Mapped[bool]
    lignes: Mapped[int]
    importe_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class VersionReferentiel(db.Model):
    """One row: a random token replaced at every change of the reference data (nomenclatures,
    tariffs, Convention rules, colour rules). The processes' caches of tariffs and rules are keyed by
    it, so every worker and host sees a change at its next request (app/referentiel/cache.py)."""

    __tablename__ = "version_referentiel"

    id: Mapped[int] = mapped_column(primary_key=True)
    jeton: Mapped[str] = mapped_column(String(32))

    __table_args__ = (CheckConstraint("id = 1", name="une_seule_ligne"),)

"""Feuilles de soins électroniques: the draft being built, its lines, the transmitted FSE, favourites."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.extensions import db
from app.models.types import Money, ScaledDecimal, UTCDateTime, utcnow


class Fse(db.Model):
    """One FSE: a draft (one per acting person) until it is transmitted, then a record kept."""

    __tablename__ = "fse"

    id: Mapped[int] = mapped_column(primary_key=True)
    praticien_id: Mapped[int] = mapped_column(ForeignKey("praticien.id"), index=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id"))  # who builds it (praticien or assistant)
    statut: Mapped[str] = mapped_column(String(10), default="brouillon")
    # One-time token of the transmission: a double tap, a retry or a second tab find the same FSE.
    jeton: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    foyer_id: Mapped[int | None] = mapped_column(ForeignKey("foyer.id"))
    beneficiaire_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaire.id"))
    date_soins: Mapped[date]
    nature: Mapped[str] = mapped_column(String(10), default="maladie")
    date_accident: Mapped[date | None]
    etm_appliquee: Mapped[bool] = mapped_column(default=False)
    serie: Mapped[bool] = mapped_column(default=False)
    prescripteur: Mapped[str | None] = mapped_column(String(120))
    date_prescription: Mapped[date | None]
    entente_numero: Mapped[str | None] = mapped_column(String(30))
    entente_date: Mapped[date | None]
    montant_facture_saisi: Mapped[Decimal | None] = mapped_column(Money())
    ponderation: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    hnp: Mapped[bool] = mapped_column(default=False)

    # Copied at transmission, so that the record stays what was sent whatever the registry becomes.
    matricule: Mapped[str | None] = mapped_column(String(6))
    caisse: Mapped[str | None] = mapped_column(String(5))
    couleur_carte: Mapped[str | None] = mapped_column(String(8))
    patient_nom: Mapped[str | None] = mapped_column(String(80))
    patient_prenom: Mapped[str | None] = mapped_column(String(80))
    patient_date_naissance: Mapped[date | None]
    total_base: Mapped[Decimal | None] = mapped_column(Money())
    total_facture: Mapped[Decimal | None] = mapped_column(Money())
    depassement: Mapped[Decimal | None] = mapped_column(Money())
    part_caisse: Mapped[Decimal | None] = mapped_column(Money())
    part_patient: Mapped[Decimal | None] = mapped_column(Money())
    accuse_reception: Mapped[str | None] = mapped_column(String(32), unique=True)
    transmise_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    transmise_par_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id"))
    # Folded « nom prénom » of the patient (accents and case ignored), for the history's search.
    patient_recherche: Mapped[str | None] = mapped_column(String(170))
    # The last change of status after transmission (deletion, rejection, payment) and who made it
    # (a practice account for a deletion; the caisse's staff come with the back office).
    statut_change_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    statut_change_par_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id"))
    motif_rejet: Mapped[str | None] = mapped_column(Text)
    ordiposte_id: Mapped[int | None] = mapped_column(ForeignKey("ordiposte.id"), index=True)
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modifiee_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    lignes: Mapped[list[LigneFse]] = relationship(back_populates="fse", order_by="LigneFse.rang",
                                                  cascade="all, delete-orphan")
    foyer = relationship("Foyer")
    beneficiaire = relationship("Beneficiaire")
    compte = relationship("Compte", foreign_keys=[compte_id])
    transmise_par = relationship("Compte", foreign_keys=[transmise_par_id])
    statut_change_par = relationship("Compte", foreign_keys=[statut_change_par_id])
    ordiposte: Mapped[Ordiposte | None] = relationship(back_populates="fses")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("statut IN ('brouillon', 'transmise', 'supprimee', 'rejetee', 'payee')", name="statut"),
        CheckConstraint("nature IN ('maladie', 'maternite', 'at_mp')", name="nature"),
        CheckConstraint("statut = 'brouillon' OR (accuse_reception IS NOT NULL AND transmise_le IS NOT NULL "
                        "AND total_facture IS NOT NULL AND beneficiaire_id IS NOT NULL)", name="transmise_complete"),
        CheckConstraint("total_base >= 0 AND total_facture >= total_base AND depassement >= 0 "
                        "AND part_caisse >= 0 AND part_patient >= 0", name="montants"),
        CheckConstraint("ponderation IS NULL OR ponderation >= 100", name="ponderation"),
        CheckConstraint("statut <> 'rejetee' OR motif_rejet IS NOT NULL", name="rejet_motive"),
        CheckConstraint("statut <> 'payee' OR (ordiposte_id IS NOT NULL AND hnp)", name="payee_ordiposte"),
        CheckConstraint("statut IN ('brouillon', 'transmise') OR statut_change_le IS NOT NULL", name="statut_date"),
        # One draft at a time per acting person: a reload or a new sign-in finds it again.
        Index("uq_fse_brouillon_par_compte", "compte_id", unique=True,
              sqlite_where=text("statut = 'brouillon'"), postgresql_where=text("statut = 'brouillon'")),
        Index("ix_fse_praticien_transmise", "praticien_id", "transmise_le"),
        Index("ix_fse_praticien_matricule", "praticien_id", "matricule"),
        # The caisse's « FSE reçues » across every praticien, by period of transmission.
        Index("ix_fse_transmise_le", "transmise_le"),
        # The FSE page's rejection notice: a praticien's FSE of one status changed since a date, read
        # at every full page among his tens of thousands (app/fse/rejets.py).
        Index("ix_fse_praticien_statut_change", "praticien_id", "statut", "statut_change_le"),
    )


@event.listens_for(Session, "before_flush")
def _new_version_when_the_basket_changes(session, flush_context, instances) -> None:
    """A draft gets a new version when its basket changes too, not only its own columns: a tab that
    shows an older state then cannot validate or transmit it (SECURITY.md 27)."""
    for obj in list(session.dirty):
        if isinstance(obj, Fse) and obj.statut == "brouillon" and session.is_modified(obj):
            obj.modifiee_le = utcnow()


class LigneFse(db.Model):
    """One act of the basket, with what was entered and its base tariff."""

    __tablename__ = "ligne_fse"

    id: Mapped[int] = mapped_column(primary_key=True)
    fse_id: Mapped[int] = mapped_column(ForeignKey("fse.id", ondelete="CASCADE"), index=True)
    rang: Mapped[int]
    type: Mapped[str] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(8))
    libelle: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(String(120))
    coefficient: Mapped[Decimal | None] = mapped_column(ScaledDecimal(2))
    diviseur: Mapped[int | None]
    majorations: Mapped[str] = mapped_column(String(60), default="")
    activite: Mapped[int | None]
    phase: Mapped[int | None]
    modificateurs: Mapped[str] = mapped_column(String(8), default="")
    association: Mapped[int | None]
    base: Mapped[Decimal] = mapped_column(Money())
    seuil_etm: Mapped[bool] = mapped_column(default=False)
    entente: Mapped[bool] = mapped_column(default=False)

    fse: Mapped[Fse] = relationship(back_populates="lignes")

    __table_args__ = (
        UniqueConstraint("fse_id", "rang"),
        CheckConstraint("type IN ('NGAP', 'CCAM')", name="type"),
        CheckConstraint("base >= 0", name="base"),
        CheckConstraint("diviseur IS NULL OR diviseur IN (1, 2)", name="diviseur"),
        CheckConstraint("association IS NULL OR association IN (1, 2)", name="association"),
    )


class Favori(db.Model):
    """An act the praticien keeps for one-tap reuse (« Ajouter aux favoris »)."""

    __tablename__ = "favori"

    id: Mapped[int] = mapped_column(primary_key=True)
    praticien_id: Mapped[int] = mapped_column(ForeignKey("praticien.id"), index=True)
    type: Mapped[str] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(8))
    # The entry as typed, so that one tap adds the same line: "coefficient|diviseur|majorations"
    # for NGAP, "activite|phase|modificateurs|association" for CCAM.
    parametres: Mapped[str] = mapped_column(String(80))
    libelle: Mapped[str] = mapped_column(String(160))

    __table_args__ = (
        UniqueConstraint("praticien_id", "type", "code", "parametres"),
        CheckConstraint("type IN ('NGAP', 'CCAM')", name="type"),
    )


class Ordiposte(db.Model):
    """A payment order by which a caisse paid HNP/RDD FSE directly to the praticien."""

    __tablename__ = "ordiposte"

    id: Mapped[int] = mapped_column(primary_key=True)
    praticien_id: Mapped[int] = mapped_column(ForeignKey("praticien.id"))
    caisse: Mapped[str] = mapped_column(String(5))
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    date_paiement: Mapped[date]
    nombre_fse: Mapped[int]
    montant: Mapped[Decimal] = mapped_column(Money())
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The agent who created it in the back office (none for the demo's history).
    cree_par_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id"))

    fses: Mapped[list[Fse]] = relationship(back_populates="ordiposte", order_by="Fse.date_soins")

    __table_args__ = (
        CheckConstraint("nombre_fse > 0", name="nombre_fse"),
        CheckConstraint("montant >= 0", name="montant"),
        Index("ix_ordiposte_praticien_date", "praticien_id", "date_paiement"),
    )


class FsePrecodee(db.Model):
    """« FSE pré-codée »: a named basket of acts as entered, shared by the praticien and his assistants."""

    __tablename__ = "fse_precodee"

    id: Mapped[int] = mapped_column(primary_key=True)
    praticien_id: Mapped[int] = mapped_column(ForeignKey("praticien.id"))
    nom: Mapped[str] = mapped_column(String(60))
    # The name folded (accents, case, spaces): « Consultation » and « consultation » are one name.
    nom_cle: Mapped[str] = mapped_column(String(60))
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modifiee_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    lignes: Mapped[list[LignePrecodee]] = relationship(back_populates="precodee", order_by="LignePrecodee.rang",
                                                       cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("praticien_id", "nom_cle"),)


class LignePrecodee(db.Model):
    """One act of a pre-coded basket, as entered (the same encoding as a favourite's)."""

    __tablename__ = "ligne_precodee"

    id: Mapped[int] = mapped_column(primary_key=True)
    precodee_id: Mapped[int] = mapped_column(ForeignKey("fse_precodee.id", ondelete="CASCADE"), index=True)
    rang: Mapped[int]
    type: Mapped[str] = mapped_column(String(4))
    code: Mapped[str] = mapped_column(String(8))
    parametres: Mapped[str] = mapped_column(String(80))
    libelle: Mapped[str] = mapped_column(String(160))

    precodee: Mapped[FsePrecodee] = relationship(back_populates="lignes")

    __table_args__ = (
        UniqueConstraint("precodee_id", "rang"),
        CheckConstraint("type IN ('NGAP', 'CCAM')", name="type"),
    )

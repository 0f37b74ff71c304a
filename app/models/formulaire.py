"""The three forms (prescription d'IT, demande d'ETM, demande d'admission en invalidité): the
praticien's draft, then the document transmitted to the caisse.

The medical elements (motif, diagnoses, arguments…) live only in `elements_medicaux`, a Fernet token
of their JSON made with the portal's key: no other column, no list, no audit row holds them, and only
the caisse's médecin conseil reads them after transmission (app/formulaires/medical.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow



class Formulaire(db.Model):
    """One form of one kind (`type`): a draft per praticien and kind until it is transmitted."""

    __tablename__ = "formulaire"

    id: Mapped[int] = mapped_column(primary_key=True)
    praticien_id: Mapped[int] = mapped_column(ForeignKey("praticien.id"))
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id"))  # the praticien's own account
    type: Mapped[str] = mapped_column(String(10))
    statut: Mapped[str] = mapped_column(String(10), default="brouillon")
    # One-time token of the transmission: a double tap or a retry finds the same document.
    jeton: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)

    # The patient, once identified: by the card (code FSE) or by a birth date (ETM, invalidité), in
    # which case only the members born that day are offered.
    foyer_id: Mapped[int | None] = mapped_column(ForeignKey("foyer.id"))
    beneficiaire_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaire.id"))
    identifie_par: Mapped[str | None] = mapped_column(String(14))
    date_naissance_saisie: Mapped[date | None]

    # Not medical: on the employer's copy (IT) or needed by the caisse's services.
    telephone: Mapped[str | None] = mapped_column(String(20))
    adresse: Mapped[str | None] = mapped_column(String(250))
    prolongation: Mapped[bool] = mapped_column(default=False)
    date_initiale: Mapped[date | None]
    date_debut: Mapped[date | None]
    date_fin: Mapped[date | None]
    sorties: Mapped[str | None] = mapped_column(String(6))
    sorties_horaires: Mapped[str | None] = mapped_column(String(80))
    employeur: Mapped[str | None] = mapped_column(String(120))
    accident_travail: Mapped[bool] = mapped_column(default=False)
    date_accident: Mapped[date | None]
    etm_nature_code: Mapped[int | None] = mapped_column(ForeignKey("nature_etm.code"))
    duree_mois: Mapped[int | None]
    date_arret: Mapped[date | None]

    # The medical elements: a Fernet token of their JSON, never stored in clear.
    elements_medicaux: Mapped[bytes | None] = mapped_column(LargeBinary)

    # Copied at transmission, so that the document stays what was sent whatever the registry becomes.
    matricule: Mapped[str | None] = mapped_column(String(6))
    caisse: Mapped[str | None] = mapped_column(String(5))
    patient_nom: Mapped[str | None] = mapped_column(String(80))
    patient_prenom: Mapped[str | None] = mapped_column(String(80))
    patient_date_naissance: Mapped[date | None]
    patient_recherche: Mapped[str | None] = mapped_column(String(170))  # folded « nom prénom »
    transmis_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The médecin conseil's decision on an ETM or invalidity request (accordé / refusé), with his
    # comment to the praticien.
    decision_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decision_par_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id"))
    decision_commentaire: Mapped[str | None] = mapped_column(Text)
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    modifie_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    praticien = relationship("Praticien")
    compte = relationship("Compte", foreign_keys=[compte_id])
    decision_par = relationship("Compte", foreign_keys=[decision_par_id])
    foyer = relationship("Foyer")
    beneficiaire = relationship("Beneficiaire")
    etm_nature = relationship("NatureEtm")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        CheckConstraint("type IN ('it', 'etm', 'invalidite')", name="type"),
        CheckConstraint("statut IN ('brouillon', 'transmis', 'accorde', 'refuse')", name="statut"),
        CheckConstraint("identifie_par IS NULL OR identifie_par IN ('code_fse', 'date_naissance')",
                        name="identifie_par"),
        CheckConstraint("sorties IS NULL OR sorties IN ('non', 'oui', 'libres')", name="sorties"),
        CheckConstraint("duree_mois IS NULL OR (duree_mois >= 1 AND duree_mois <= 60)", name="duree_mois"),
        # A draft keeps an end typed before the start (the page shows its message); a document never.
        CheckConstraint("statut = 'brouillon' OR date_fin IS NULL OR date_debut IS NULL OR date_fin >= date_debut",
                        name="dates_it"),
        CheckConstraint("statut <> 'brouillon' OR reference IS NULL", name="brouillon_sans_reference"),
        CheckConstraint("statut = 'brouillon' OR (reference IS NOT NULL AND transmis_le IS NOT NULL "
                        "AND beneficiaire_id IS NOT NULL AND matricule IS NOT NULL AND patient_nom IS NOT NULL "
                        "AND elements_medicaux IS NOT NULL)", name="transmis_complet"),
        CheckConstraint("type <> 'it' OR statut = 'brouillon' OR (date_debut IS NOT NULL AND date_fin IS NOT NULL "
                        "AND sorties IS NOT NULL AND (NOT prolongation OR date_initiale IS NOT NULL) "
                        "AND (NOT accident_travail OR date_accident IS NOT NULL))", name="it_complete"),
        CheckConstraint("type <> 'etm' OR statut = 'brouillon' OR (etm_nature_code IS NOT NULL "
                        "AND duree_mois IS NOT NULL)", name="etm_complete"),
        CheckConstraint("type <> 'invalidite' OR statut = 'brouillon' OR date_arret IS NOT NULL",
                        name="invalidite_complete"),
        # Only a request is decided, and a decision says when and by whom.
        CheckConstraint("statut NOT IN ('accorde', 'refuse') OR (type <> 'it' AND decision_le IS NOT NULL "
                        "AND decision_par_id IS NOT NULL)", name="decision"),
        # One draft per praticien and kind: a reload or a new sign-in finds it again.
        Index("uq_formulaire_brouillon", "compte_id", "type", unique=True,
              sqlite_where=text("statut = 'brouillon'"), postgresql_where=text("statut = 'brouillon'")),
        Index("ix_formulaire_historique", "praticien_id", "type", "transmis_le"),
    )


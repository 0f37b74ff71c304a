"""Praticiens, the accounts that act for them (their own and their assistants'), TOTP devices."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class Praticien(db.Model):
    """A conventionné health professional holding a subscription to the portal."""

    __tablename__ = "praticien"

    id: Mapped[int] = mapped_column(primary_key=True)
    profession: Mapped[str] = mapped_column(String(16))
    specialite: Mapped[str] = mapped_column(String(80))
    nom: Mapped[str] = mapped_column(String(80))
    prenom: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(254))
    adeli: Mapped[str | None] = mapped_column(String(9))
    rpps: Mapped[str | None] = mapped_column(String(11))
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Access suspended by the caisse (contract article 5): neither the praticien nor his assistants
    # can sign in, and their open sessions end, until an agent reactivates it. The audit trail names
    # the agent (caisse.praticien.suspension).
    suspendu_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    motif_suspension: Mapped[str | None] = mapped_column(Text)
    # Replaced by every change of the praticien's transmitted FSE (transmission, deletion, rejection,
    # payment): the key of the processes' cache of his history's totals (app/history/cache.py).
    jeton_historique: Mapped[str | None] = mapped_column(String(32))

    comptes: Mapped[list[Compte]] = relationship(back_populates="praticien")

    @property
    def suspendu(self) -> bool:
        return self.suspendu_le is not None

    __table_args__ = (
        CheckConstraint(
            "profession IN ('medecin', 'dentiste', 'sagefemme', 'infirmier', 'kine', "
            "'orthophoniste', 'orthoptiste')",
            name="profession",
        ),
        CheckConstraint("(suspendu_le IS NULL) = (motif_suspension IS NULL)", name="suspension_motivee"),
    )


class Compte(db.Model):
    """A person who signs in: the praticien himself, or one of his assistants."""

    __tablename__ = "compte"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifiant: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    # The praticien the account acts for; none for the caisse's staff (agent, médecin conseil).
    praticien_id: Mapped[int | None] = mapped_column(ForeignKey("praticien.id"), index=True)
    nom: Mapped[str] = mapped_column(String(80))
    prenom: Mapped[str] = mapped_column(String(80))
    valide_du: Mapped[date | None]
    valide_au: Mapped[date | None]
    mot_de_passe_provisoire: Mapped[bool] = mapped_column(default=False)
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # An assistant removed by the praticien: kept, so that the audit trail still names him.
    supprime_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The rejections of the praticien's FSE up to this moment were acknowledged by this account: the
    # home page's notice shows the later ones (none yet: every rejection since the account exists).
    rejets_vus_le: Mapped[datetime | None] = mapped_column(UTCDateTime())

    praticien: Mapped[Praticien | None] = relationship(back_populates="comptes")
    appareil: Mapped[AppareilTotp | None] = relationship(back_populates="compte", uselist=False)

    @property
    def est_praticien(self) -> bool:
        return self.role == "praticien"

    @property
    def est_personnel_caisse(self) -> bool:
        """An agent or the médecin conseil of the caisse (app/domain/access.STAFF_ROLES)."""
        return self.role in ("agent", "medecin_conseil")

    @property
    def a_double_authentification(self) -> bool:
        """True once a TOTP device is activated for this account."""
        return self.appareil is not None and self.appareil.active_le is not None

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}"

    __table_args__ = (
        CheckConstraint("role IN ('praticien', 'assistant', 'agent', 'medecin_conseil')", name="role"),
        # A practice account acts for a praticien; the caisse's staff for none.
        CheckConstraint("(role IN ('praticien', 'assistant')) = (praticien_id IS NOT NULL)", name="role_praticien"),
        CheckConstraint("valide_au IS NULL OR valide_du IS NULL OR valide_au >= valide_du", name="validite"),
    )


class AppareilTotp(db.Model):
    """The TOTP authenticator of one account: its secret, encrypted at rest, and the last step used."""

    __tablename__ = "appareil_totp"

    id: Mapped[int] = mapped_column(primary_key=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id", ondelete="CASCADE"), unique=True)
    secret_chiffre: Mapped[bytes] = mapped_column(LargeBinary)
    active_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Last accepted RFC 6238 time step: a code of this step or an older one is a replay.
    dernier_pas: Mapped[int] = mapped_column(BigInteger, default=0)

    compte: Mapped[Compte] = relationship(back_populates="appareil")

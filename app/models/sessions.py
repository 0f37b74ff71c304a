"""Server-side sessions, sign-in throttling, pending TOTP enrolments and activation links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, utcnow


class SessionOuverte(db.Model):
    """A signed-in session, checked on every request: closing it here ends it everywhere (SECURITY 11)."""

    __tablename__ = "session_ouverte"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # random token, in the signed cookie
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id"), index=True)
    double_authentification: Mapped[bool]
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    derniere_activite: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Last time the praticien retyped his password and code (assistant management needs < 5 min).
    reauthentifie_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fermee_le: Mapped[datetime | None] = mapped_column(UTCDateTime())
    raison_fermeture: Mapped[str | None] = mapped_column(String(20))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(256))

    compte = relationship("Compte", lazy="joined")


class TentativeConnexion(db.Model):
    """Consecutive failures of one identifiant (known or not, so throttling reveals nothing)."""

    __tablename__ = "tentative_connexion"

    identifiant: Mapped[str] = mapped_column(String(64), primary_key=True)
    echecs: Mapped[int] = mapped_column(default=0)
    dernier_echec: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("echecs >= 0", name="echecs"),)


class EnrolementEnAttente(db.Model):
    """A TOTP secret shown as a QR code and not yet confirmed by a code (SECURITY 8)."""

    __tablename__ = "enrolement_en_attente"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who is enrolling: the account itself ("soi"), or a praticien enrolling a new assistant.
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id", ondelete="CASCADE"))
    objet: Mapped[str] = mapped_column(String(10))
    secret_chiffre: Mapped[bytes] = mapped_column(LargeBinary)
    cree_le: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (
        UniqueConstraint("compte_id", "objet"),
        CheckConstraint("objet IN ('soi', 'assistant')", name="objet"),
    )


class Activation(db.Model):
    """A one-time activation link of a new praticien account; only its SHA-256 is stored."""

    __tablename__ = "activation"

    empreinte: Mapped[str] = mapped_column(String(64), primary_key=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id", ondelete="CASCADE"), index=True)
    expire_le: Mapped[datetime] = mapped_column(UTCDateTime())
    utilisee_le: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ConnexionEnAttente(db.Model):
    """Between the password step and the code step: kept on the server, single-use, short-lived.

    The cookie holds a random token; only its SHA-256 is stored. A sign-in, a logout or the expiry
    deletes the row, so a copy of the cookie taken before is worth nothing (SECURITY.md 9, 11).
    """

    __tablename__ = "connexion_en_attente"

    empreinte: Mapped[str] = mapped_column(String(64), primary_key=True)
    compte_id: Mapped[int] = mapped_column(ForeignKey("compte.id", ondelete="CASCADE"), index=True)
    etape: Mapped[str] = mapped_column(String(12))
    expire_le: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (CheckConstraint("etape IN ('code', 'activation')", name="etape"),)

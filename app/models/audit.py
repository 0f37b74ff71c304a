"""The audit trail (SECURITY.md 22-23): append-only journal rows chained by hash, and the chain's head."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.extensions import db
from app.models.types import UTCDateTime

APPEND_ONLY_MESSAGE = "Le journal d'audit est en ajout seul : une ligne ne peut être ni modifiée ni supprimée."


class JournalAudit(db.Model):
    """One security event or action on health data: when, who, for whom, what, from where, outcome."""

    __tablename__ = "journal_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    numero: Mapped[int] = mapped_column(BigInteger, unique=True)
    horodatage: Mapped[datetime] = mapped_column(UTCDateTime())
    # No ON DELETE action on purpose: nulling the column would break the chain, so an account that
    # appears in the journal cannot be deleted (its validity is ended instead).
    compte_id: Mapped[int | None] = mapped_column(ForeignKey("compte.id"), index=True)
    praticien_id: Mapped[int | None] = mapped_column(ForeignKey("praticien.id"))
    identifiant_saisi: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    objet_type: Mapped[str | None] = mapped_column(String(30))
    objet_id: Mapped[str | None] = mapped_column(String(40))
    resultat: Mapped[str] = mapped_column(String(12))
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(256))
    details: Mapped[str | None] = mapped_column(Text)
    hash_precedent: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (
        CheckConstraint("resultat IN ('succes', 'echec', 'refus')", name="resultat"),
        # Serves both the praticien filter and "newest first" of the Profil page's recent sign-ins.
        Index("ix_journal_audit_praticien_id_numero", "praticien_id", "numero"),
    )


class AuditTete(db.Model):
    """The chain's head, a single row: its UPDATE serialises the writers of the journal."""

    __tablename__ = "audit_tete"

    id: Mapped[int] = mapped_column(primary_key=True)
    numero: Mapped[int] = mapped_column(BigInteger)
    dernier_hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (CheckConstraint("id = 1", name="une_seule_ligne"),)


@event.listens_for(JournalAudit, "before_update")
@event.listens_for(JournalAudit, "before_delete")
def _refuse_change(mapper, connection, target) -> None:
    """The ORM never rewrites history; raw SQL still can, and the hash chain shows it."""
    raise RuntimeError(APPEND_ONLY_MESSAGE)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_change(state) -> None:
    """Bulk ORM UPDATE/DELETE skip the mapper events above, so they are refused here."""
    if (state.is_update or state.is_delete) and state.is_orm_statement:
        if any(mapper.class_ is JournalAudit for mapper in state.all_mappers):
            raise RuntimeError(APPEND_ONLY_MESSAGE)

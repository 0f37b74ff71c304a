"""What a database holds, read inside one transaction: tables and their row counts, the schema's
Alembic revision, the audit chain's head and whether the chain verifies. Written into a backup's
manifest, and read again from a restored copy to compare."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import func, inspect, select, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.audit.services import verify_chain
from app.config import PROJECT_ROOT


@dataclass(frozen=True)
class Inventory:
    """A database's contents in figures (one transaction's view)."""

    revision: str | None
    tables: dict[str, int]
    audit_numero: int | None
    audit_hash: str | None
    chain_ok: bool
    chain_message: str

    @property
    def rows(self) -> int:
        return sum(self.tables.values())


def read_inventory(connection: Connection) -> Inventory:
    """Every table's row count, the revision and the audit chain, through `connection` (whose
    transaction, a PostgreSQL snapshot for a backup, the caller holds)."""
    names = sorted(inspect(connection).get_table_names())
    counts = {name: int(connection.scalar(select(func.count()).select_from(table(name)))) for name in names}
    revision = None
    if "alembic_version" in names:
        revision = connection.scalar(text("SELECT version_num FROM alembic_version"))
    numero = last_hash = None
    if "audit_tete" in names:
        head = connection.execute(text("SELECT numero, dernier_hash FROM audit_tete WHERE id = 1")).one_or_none()
        if head is not None:
            numero, last_hash = int(head.numero), head.dernier_hash
    if "journal_audit" in names and "audit_tete" in names:
        with Session(bind=connection) as session:
            chain_ok, _checked, chain_message = verify_chain(session)
    else:
        chain_ok, chain_message = False, "Journal d'audit absent de la base."
    return Inventory(revision, counts, numero, last_hash, chain_ok, chain_message)


@lru_cache(maxsize=1)
def _script_directory():
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    config = AlembicConfig()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return ScriptDirectory.from_config(config)


def code_head_revision() -> str:
    """The newest migration this code knows (what `flask db upgrade` brings a database to)."""
    return _script_directory().get_current_head()


def known_revisions() -> set[str]:
    """Every migration of this code's history."""
    return {revision.revision for revision in _script_directory().walk_revisions()}


def manifest_inventory(manifest: dict[str, Any]) -> Inventory:
    """The figures a manifest records, in the shape read_inventory gives."""
    journal = manifest.get("journal_audit") or {}
    return Inventory(
        revision=manifest.get("revision_alembic"),
        tables={str(name): int(count) for name, count in (manifest.get("tables") or {}).items()},
        audit_numero=journal.get("dernier_numero"),
        audit_hash=journal.get("dernier_hash"),
        chain_ok=bool(journal.get("integre")),
        chain_message=str(journal.get("verification", "")),
    )

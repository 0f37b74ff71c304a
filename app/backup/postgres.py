"""PostgreSQL: pg_dump on an exported snapshot for a backup; pg_restore into a temporary database,
checked, then swapped in by renaming databases for a restore."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from app.backup.inventory import Inventory, read_inventory
from app.backup.services import (
    BackupError, Confirm, Echo, RestoreRefused, RestoreResult, check_copy, confirmation_question, utc_stamp,
)

MAINTENANCE_DATABASE = "postgres"
_LIBPQ_QUERY = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                "sslkey": "PGSSLKEY", "host": "PGHOST", "port": "PGPORT"}


def live_url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def tool(name: str) -> str:
    """pg_dump / pg_restore: FSE_PG_BIN, else the newest /usr/lib/postgresql/*/bin (Debian), else PATH.
    The newest, because pg_dump refuses a server newer than itself."""
    candidates = []
    if os.environ.get("FSE_PG_BIN"):
        candidates.append(Path(os.environ["FSE_PG_BIN"]) / name)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    candidates += [folder / name for folder in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    raise BackupError(f"{name} introuvable : installez le paquet Debian « postgresql-client » "
                      f"(ou indiquez son dossier dans FSE_PG_BIN).")


def libpq_environment(url: URL, database: str | None = None) -> dict[str, str]:
    """The connection for pg_dump/pg_restore in PG* variables: the password never on a command line
    (where `ps` shows it)."""
    environment = dict(os.environ)
    for key, value in {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                       "PGPASSWORD": url.password, "PGDATABASE": database or url.database}.items():
        if value is not None:
            environment[key] = str(value)
    for key, variable in _LIBPQ_QUERY.items():
        value = url.query.get(key)
        if value:
            environment[variable] = value if isinstance(value, str) else value[0]
    environment["PGCONNECT_TIMEOUT"] = environment.get("PGCONNECT_TIMEOUT", "10")
    return environment


def _run(command: list[str], environment: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=environment, capture_output=True, text=True, check=False)


def _last_lines(output: str, count: int = 3) -> str:
    lines = [line.strip() for line in (output or "").strip().splitlines() if line.strip()]
    return " / ".join(lines[-count:]) or "sans message"


def backup(dump: Path) -> tuple[Inventory, str]:
    """pg_dump (custom format) of the configured database on a snapshot that a REPEATABLE READ,
    read-only transaction exports; the manifest's figures are read in that same transaction, so
    dump and manifest describe the same instant while the portal keeps writing."""
    from app.extensions import db

    url = live_url()
    pg_dump = tool("pg_dump")
    with db.engine.connect() as connection:
        connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            connection.execute(text("SET TRANSACTION READ ONLY"))
            snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
            inventory = read_inventory(connection)
            result = _run([pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}",
                           "--file", str(dump)], libpq_environment(url))
            if result.returncode != 0:
                raise BackupError(f"pg_dump a échoué : {_last_lines(result.stderr)}")
    return inventory, f"{url.host or 'socket'}:{url.port or 5432}/{url.database}"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _database_name(base: str, suffix: str) -> str:
    """A database name of at most 63 bytes (PostgreSQL cuts longer ones silently)."""
    return base[: 63 - len(suffix)] + suffix


def restore(dump: Path, manifest: dict[str, Any], name: str, confirm: Confirm, echo: Echo) -> RestoreResult:
    """pg_restore into a new database beside the target, check it, then in one transaction rename the
    target to <base>_avant_<UTC> and the copy to the target. The previous database stays, renamed,
    until the operator drops it."""
    from app.extensions import db

    url = live_url()
    target = url.database
    if not target:
        raise BackupError("FSE_DATABASE_URL ne nomme pas de base PostgreSQL.")
    stamp = utc_stamp().lower()
    temporary = _database_name(target, f"_restauration_{stamp}")
    kept_name = _database_name(target, f"_avant_{stamp}")
    maintenance = create_engine(url.set(database=MAINTENANCE_DATABASE), poolclass=NullPool)
    replaced = created = False
    try:
        with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"CREATE DATABASE {_identifier(temporary)} TEMPLATE template0 ENCODING 'UTF8'"))
        created = True
        result = _run([tool("pg_restore"), "--no-password", "--exit-on-error", "--single-transaction", "--no-owner",
                       "--no-privileges", "--dbname", temporary, str(dump)], libpq_environment(url, temporary))
        if result.returncode != 0:
            raise RestoreRefused("restauration dans une base temporaire (pg_restore)", _last_lines(result.stderr))
        echo(f"✓ Restaurée dans la base temporaire {temporary} (pg_restore).")
        copy_engine = create_engine(url.set(database=temporary), poolclass=NullPool)
        try:
            with copy_engine.connect() as connection:
                copy = read_inventory(connection)
        finally:
            copy_engine.dispose()
        to_upgrade = check_copy(copy, manifest, echo)
        if not confirm(confirmation_question(f"PostgreSQL « {target} »")):
            raise RestoreRefused("confirmation", "restauration annulée")
        db.session.remove()
        db.engine.dispose()
        kept = _swap(maintenance, target, temporary, kept_name)
        replaced = True
    finally:
        if created and not replaced:
            with maintenance.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {_identifier(temporary)} WITH (FORCE)"))
        maintenance.dispose()
    notes = [f"Ancienne base conservée sous le nom « {kept} » : supprimez-la (DROP DATABASE) une fois la "
             f"restauration vérifiée."] if kept else []
    return RestoreResult(f"PostgreSQL « {target} »", kept, to_upgrade, manifest, notes)


def _swap(maintenance, target: str, temporary: str, kept_name: str) -> str | None:
    """Both renames in one transaction: the target is never missing. Refused while anyone is
    connected to the target (the portal must be stopped); a connection arriving meanwhile makes
    PostgreSQL refuse the rename, and the transaction leaves everything as it was."""
    with maintenance.connect() as connection, connection.begin():
        others = connection.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name "
                                        "AND pid <> pg_backend_pid()"), {"name": target})
        if others:
            raise RestoreRefused("base en service", f"{others} connexion(s) ouverte(s) sur la base « {target} » : "
                                                     f"arrêtez le portail, puis relancez la restauration")
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target})
        try:
            if exists:
                connection.execute(text(f"ALTER DATABASE {_identifier(target)} RENAME TO {_identifier(kept_name)}"))
            connection.execute(text(f"ALTER DATABASE {_identifier(temporary)} RENAME TO {_identifier(target)}"))
        except Exception as exc:
            raise RestoreRefused("base en service", f"renommage refusé par PostgreSQL ({_last_lines(str(exc), 1)}) : "
                                                     f"arrêtez le portail, puis relancez la restauration") from None
    return kept_name if exists else None


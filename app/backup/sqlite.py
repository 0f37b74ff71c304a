"""SQLite: the online backup API for a backup; a checked temporary copy and an atomic os.replace for
a restore."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.backup.inventory import Inventory, read_inventory
from app.backup.services import (
    BackupError, Confirm, Echo, RestoreRefused, RestoreResult, _fsync_dir, check_copy, confirmation_question,
    utc_stamp,
)


def live_path() -> Path:
    """The database file the portal is configured on."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if not url.database or url.database == ":memory:" or url.query.get("mode") == "memory":
        raise BackupError("Base SQLite en mémoire : rien à sauvegarder ni à restaurer (FSE_DATABASE_URL).")
    return Path(url.database).resolve()


def _timeout() -> float:
    return current_app.config.get("SQLITE_BUSY_TIMEOUT_MS", 5000) / 1000


def backup(dump: Path) -> tuple[Inventory, str]:
    """Copy the live database into `dump` with sqlite3's backup API, in one step: one read
    transaction, so the copy is the database at one instant, whatever the portal writes meanwhile
    (WAL: readers and the writer do not block each other). Then read its figures from the copy."""
    source_path = live_path()
    if not source_path.is_file():
        raise BackupError(f"Base SQLite introuvable : {source_path}.")
    source = sqlite3.connect(source_path, timeout=_timeout())
    try:
        target = sqlite3.connect(dump)
        try:
            source.backup(target)  # pages=-1: everything in one step
        finally:
            target.close()
    finally:
        source.close()
    inventory = _inventory_of(dump)
    _self_contained(dump)
    return inventory, source_path.name


def _inventory_of(path: Path) -> Inventory:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return read_inventory(connection)
    finally:
        engine.dispose()


def _self_contained(path: Path) -> None:
    """One file, no -wal beside it (the copy is in the portal's WAL mode after being read)."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode=DELETE").fetchone()
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _integrity(path: Path) -> None:
    """PRAGMA integrity_check and foreign_key_check on the restored copy."""
    connection = sqlite3.connect(path)
    try:
        problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise RestoreRefused("intégrité SQLite (PRAGMA integrity_check)", "; ".join(problems[:3]))
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            table, rowid, parent, _ = orphans[0]
            raise RestoreRefused("clés étrangères (PRAGMA foreign_key_check)",
                                 f"{len(orphans)} ligne(s) orpheline(s), dont « {table} » n° {rowid} → « {parent} »")
    except sqlite3.DatabaseError as exc:
        raise RestoreRefused("intégrité SQLite", f"fichier illisible ({exc})") from None
    finally:
        connection.close()


def restore(dump: Path, manifest: dict[str, Any], name: str, confirm: Confirm, echo: Echo) -> RestoreResult:
    """Copy the dump next to the live file, check the copy, then put it in the live file's place."""
    from app.extensions import db

    live = live_path()
    live.parent.mkdir(parents=True, exist_ok=True)
    stamp = utc_stamp()
    temporary = live.with_name(f".{live.name}.restauration-{stamp}")
    try:
        shutil.copyfile(dump, temporary)
        _same_owner_and_mode(temporary, live)
        _integrity(temporary)
        echo("✓ Intégrité SQLite de la copie restaurée (integrity_check, foreign_key_check).")
        try:
            copy = _inventory_of(temporary)
        except Exception as exc:
            raise RestoreRefused("lecture de la copie restaurée", type(exc).__name__) from None
        to_upgrade = check_copy(copy, manifest, echo)
        _self_contained(temporary)
        if not confirm(confirmation_question(str(live))):
            raise RestoreRefused("confirmation", "restauration annulée")
        db.session.remove()
        db.engine.dispose()
        kept = _put_in_place(temporary, live, stamp)
    finally:
        for path in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            path.unlink(missing_ok=True)
    notes = [f"Ancienne base conservée : {kept}."] if kept else []
    return RestoreResult(str(live), str(kept) if kept else None, to_upgrade, manifest, notes)


def _same_owner_and_mode(path: Path, live: Path) -> None:
    """The restored file gets the live file's owner and mode (a restore run as root must not leave
    the portal's user unable to write); a first database is readable by its owner only."""
    if not live.exists():
        os.chmod(path, 0o600)
        return
    status = live.stat()
    os.chmod(path, status.st_mode & 0o777)
    if os.geteuid() == 0:
        os.chown(path, status.st_uid, status.st_gid)


def _put_in_place(temporary: Path, live: Path, stamp: str) -> Path | None:
    """Fold the live file's WAL into it, keep it under another name, then os.replace (atomic) the
    checked copy over it and drop the stale -wal/-shm. A busy database (the portal serving) stops
    here with nothing replaced."""
    kept = None
    if live.exists():
        holders = processes_holding(live)
        if holders:
            raise RestoreRefused("base en service", f"{live} est ouverte par le(s) processus {', '.join(map(str, holders))} "
                                                     f": arrêtez le portail, puis relancez la restauration")
        connection = sqlite3.connect(live, timeout=_timeout())
        try:
            busy, *_ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError as exc:
            busy = str(exc)
        finally:
            connection.close()
        if busy:
            raise RestoreRefused("base en service", f"{live} est en cours d'utilisation : arrêtez le portail, puis "
                                                     f"relancez la restauration")
        kept = live.with_name(f"{live.name}.avant-restauration-{stamp}")
        try:
            os.link(live, kept)
        except OSError:
            shutil.copy2(live, kept)
    os.replace(temporary, live)
    for suffix in ("-wal", "-shm"):
        Path(f"{live}{suffix}").unlink(missing_ok=True)
    _fsync_dir(live.parent)
    return kept


def processes_holding(live: Path) -> list[int]:
    """Processes that have the database (or its -wal) open, as Linux's /proc shows them to this user
    (all of them to root): a running portal. Elsewhere, nothing is seen and the operator's word
    (the message and the README: stop the portal first) is all there is."""
    names = {str(live), f"{live}-wal"}
    holders = set()
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            for fd in fd_dir.iterdir():
                try:
                    if os.readlink(fd) in names:
                        holders.add(int(fd_dir.parent.name))
                        break
                except OSError:
                    continue
        except OSError:
            continue
    return sorted(holders)

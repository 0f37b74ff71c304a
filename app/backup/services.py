"""Backups and restores of the portal's database (SECURITY.md 29).

A backup is one folder, `fse-AAAAMMJJTHHMMSSZ/` (UTC), holding the dump and `manifeste.json`:
- SQLite: `base.sqlite3`, made by SQLite's online backup API (one read transaction: the copy is the
  database at one instant while the portal keeps writing), never a file copy;
- PostgreSQL: `base.pgdump`, `pg_dump --format=custom` run on a snapshot exported by a
  REPEATABLE READ transaction, in which the manifest's figures are read too.
The manifest records the date, the kind of database, the Alembic revision, every table's row
count, the audit chain's head and check, and the dump's size and SHA-256.

A restore checks before it replaces: the dump's SHA-256, then on a restored copy (a temporary file
next to the SQLite database; a temporary database next to the PostgreSQL one) SQLite's integrity
and foreign keys, the revision, the row counts and the audit chain. Only then, after confirmation,
the copy takes the live database's place and the previous one is kept aside.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy.engine import make_url

from app.backup.inventory import Inventory, code_head_revision, known_revisions, manifest_inventory

MANIFEST_NAME = "manifeste.json"
MANIFEST_FORMAT = 1
DUMP_NAMES = {"sqlite": "base.sqlite3", "postgresql": "base.pgdump"}
KIND_WORDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PREFIX = "fse-"

Echo = Callable[[str], None]
Confirm = Callable[[str], bool]


class BackupError(Exception):
    """A backup or a restore that cannot go on; its message is French, for the operator."""


class RestoreRefused(BackupError):
    """A check failed (or the operator said no): nothing was replaced."""

    def __init__(self, check: str, detail: str):
        super().__init__(f"Restauration refusée — {check} : {detail}. Rien n'a été remplacé.")
        self.check = check


@dataclass
class BackupResult:
    folder: Path
    manifest: dict[str, Any]


@dataclass
class RestoreResult:
    target: str
    kept: str | None
    revision_to_upgrade: bool
    manifest: dict[str, Any]
    notes: list[str] = field(default_factory=list)


# --- Where and what ---------------------------------------------------------------------------------

def database_kind(uri: str | None = None) -> str:
    """« sqlite » or « postgresql », from the configured URL; anything else is refused."""
    url = make_url(uri or current_app.config["SQLALCHEMY_DATABASE_URI"])
    kind = url.get_backend_name()
    if kind not in DUMP_NAMES:
        raise BackupError(f"Base « {kind} » non prise en charge : seules SQLite et PostgreSQL le sont.")
    return kind


def default_destination() -> Path:
    """instance/sauvegardes/ (git-ignored, like the SQLite database itself)."""
    return Path(current_app.instance_path) / "sauvegardes"


def utc_stamp(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- Backup -----------------------------------------------------------------------------------------

def create_backup(destination: Path | None = None, echo: Echo = print) -> BackupResult:
    """Write a new backup folder under `destination` (default instance/sauvegardes/) and audit it."""
    kind = database_kind()
    root = Path(destination) if destination else default_destination()
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    created = datetime.now(UTC)
    name = _free_name(root, PREFIX + utc_stamp(created))
    partial = root / f".{name}.partiel"
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(mode=0o700)
    dump = partial / DUMP_NAMES[kind]
    try:
        if kind == "sqlite":
            from app.backup import sqlite

            inventory, source = sqlite.backup(dump)
        else:
            from app.backup import postgres

            inventory, source = postgres.backup(dump)
        os.chmod(dump, 0o600)
        manifest = _manifest(kind, source, created, dump, inventory)
        manifest_path = partial / MANIFEST_NAME
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.chmod(manifest_path, 0o600)
        for path in (dump, manifest_path):
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        folder = root / name
        os.rename(partial, folder)  # a half-written backup never bears a backup's name
        _fsync_dir(root)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    _audit_backup(name, f"{KIND_WORDS[kind]}, {manifest['taille']} octets", echo)
    return BackupResult(folder, manifest)


def _free_name(root: Path, name: str) -> str:
    """The folder's name, with -2, -3… when a backup of the same second exists."""
    candidate, number = name, 1
    while (root / candidate).exists():
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def _manifest(kind: str, source: str, created: datetime, dump: Path, inventory: Inventory) -> dict[str, Any]:
    return {
        "format": MANIFEST_FORMAT,
        "portail": "Portail FSE",
        "cree_le": created.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "base": kind,
        "source": source,
        "fichier": dump.name,
        "taille": dump.stat().st_size,
        "sha256": sha256_of(dump),
        "revision_alembic": inventory.revision,
        "tables": inventory.tables,
        "lignes": inventory.rows,
        "journal_audit": {
            "dernier_numero": inventory.audit_numero,
            "dernier_hash": inventory.audit_hash,
            "integre": inventory.chain_ok,
            "verification": inventory.chain_message,
        },
    }


def _audit_backup(name: str, details: str, echo: Echo) -> None:
    from app.audit.services import record

    _journal(lambda: record("sauvegarde.creation", "succes", objet_type="sauvegarde", objet_id=name,
                            details=details), echo)


def _audit_restore(name: str, details: str, echo: Echo) -> None:
    from app.audit.services import record

    _journal(lambda: record("sauvegarde.restauration", "succes", objet_type="sauvegarde", objet_id=name,
                            details=details), echo)


def _journal(write: Callable[[], Any], echo: Echo) -> None:
    """One row in the journal of the database now in service (after the backup's instant: a backup
    does not hold its own row). Failing that, say so: the operation itself is done."""
    from app.extensions import db

    try:
        write()
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        echo(f"Attention : l'opération n'a pas pu être inscrite au journal d'audit ({type(exc).__name__}).")


# --- Restore ----------------------------------------------------------------------------------------

def read_backup(source: Path) -> tuple[Path, dict[str, Any], Path]:
    """The backup's folder, its manifest and its dump; `source` is the folder or its manifest."""
    source = Path(source)
    folder = source.parent if source.is_file() else source
    manifest_path = folder / MANIFEST_NAME
    if not manifest_path.is_file():
        raise RestoreRefused("manifeste", f"{manifest_path} introuvable")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreRefused("manifeste", f"{manifest_path} illisible ({exc})") from None
    missing = [key for key in ("format", "base", "fichier", "sha256", "tables", "journal_audit") if key not in manifest]
    if missing or not isinstance(manifest.get("tables"), dict):
        raise RestoreRefused("manifeste", f"champs absents ou invalides : {', '.join(missing) or 'tables'}")
    if manifest["format"] != MANIFEST_FORMAT:
        raise RestoreRefused("manifeste", f"format {manifest['format']} inconnu de ce code (attendu {MANIFEST_FORMAT})")
    file_name = str(manifest["fichier"])
    if file_name != Path(file_name).name or file_name.startswith("."):
        raise RestoreRefused("manifeste", f"nom de fichier « {file_name} » invalide")
    dump = folder / file_name
    if not dump.is_file():
        raise RestoreRefused("fichier de sauvegarde", f"{dump} introuvable")
    return folder, manifest, dump


def restore_backup(source: Path, confirm: Confirm, echo: Echo = print) -> RestoreResult:
    """Check the backup and a restored copy of it; replace the live database only if all is right
    and the operator confirms. Raises RestoreRefused (nothing replaced) otherwise."""
    kind = database_kind()
    folder, manifest, dump = read_backup(source)
    if manifest["base"] != kind:
        raise RestoreRefused("type de base", f"la sauvegarde est une base {KIND_WORDS.get(manifest['base'], manifest['base'])}, "
                                             f"le portail est configuré sur {KIND_WORDS[kind]} (FSE_DATABASE_URL)")
    echo(f"Sauvegarde {folder.name} du {manifest.get('cree_le', '?')} ({KIND_WORDS[kind]}, "
         f"{manifest.get('lignes', sum(manifest['tables'].values()))} lignes).")
    actual = sha256_of(dump)
    if actual != manifest["sha256"]:
        raise RestoreRefused("empreinte SHA-256", f"le fichier {dump.name} ne correspond pas au manifeste "
                                                   f"(fichier modifié ou abîmé)")
    echo("✓ Empreinte SHA-256 du fichier conforme au manifeste.")
    if kind == "sqlite":
        from app.backup import sqlite

        result = sqlite.restore(dump, manifest, folder.name, confirm, echo)
    else:
        from app.backup import postgres

        result = postgres.restore(dump, manifest, folder.name, confirm, echo)
    if not result.revision_to_upgrade:
        _audit_restore(folder.name, f"{KIND_WORDS[kind]}, sauvegarde du {manifest.get('cree_le')}", echo)
    return result


def check_copy(copy: Inventory, manifest: dict[str, Any], echo: Echo) -> bool:
    """Compare a restored copy with its manifest and with this code; True when the copy's schema is
    older than the code's (restorable, to migrate after). Raises RestoreRefused on any difference."""
    expected = manifest_inventory(manifest)
    head = code_head_revision()
    if copy.revision != expected.revision:
        raise RestoreRefused("version du schéma", f"révision {copy.revision} dans la copie, {expected.revision} "
                                                   f"au manifeste")
    to_upgrade = False
    if copy.revision == head:
        echo(f"✓ Schéma à jour (révision Alembic {head}).")
    elif copy.revision in known_revisions():
        to_upgrade = True
        echo(f"✓ Schéma connu, plus ancien que ce code (révision {copy.revision}, actuelle {head}) : "
             f"exécutez « flask db upgrade » après la restauration.")
    else:
        raise RestoreRefused("version du schéma", f"révision Alembic {copy.revision} inconnue de ce code "
                                                   f"(sauvegarde d'une version plus récente du portail ?)")
    differences = []
    for name in sorted(set(copy.tables) | set(expected.tables)):
        found, wanted = copy.tables.get(name), expected.tables.get(name)
        if found != wanted:
            found_words = "absente" if found is None else f"{found} ligne(s)"
            wanted_words = "absente" if wanted is None else f"{wanted} ligne(s)"
            differences.append(f"table « {name} » : {found_words} dans la copie, {wanted_words} au manifeste")
    if differences:
        raise RestoreRefused("nombre de lignes", " ; ".join(differences[:5]))
    echo(f"✓ Nombre de lignes conforme au manifeste ({len(copy.tables)} tables, {copy.rows} lignes).")
    if not copy.chain_ok:
        raise RestoreRefused("journal d'audit", copy.chain_message.rstrip("."))
    if (copy.audit_numero, copy.audit_hash) != (expected.audit_numero, expected.audit_hash):
        raise RestoreRefused("journal d'audit", f"tête du journal n° {copy.audit_numero} dans la copie, "
                                                 f"n° {expected.audit_numero} au manifeste")
    echo(f"✓ {copy.chain_message}")
    return to_upgrade


def confirmation_question(target: str) -> str:
    return (f"Toutes les vérifications sont passées. Remplacer la base {target} par cette sauvegarde ? "
            f"Le portail doit être arrêté pendant la restauration.")

"""`flask backup` and `flask restore` (SECURITY.md 29) on the run's database kind (SQLite, or the
throwaway PostgreSQL with FSE_TEST_POSTGRES=1): a round trip, each refusal with nothing replaced,
and a backup taken while another connection writes."""

from __future__ import annotations

import json
import re
import shutil
import stat
import tempfile
import threading
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from app.audit.services import record, verify_chain
from app.backup.inventory import code_head_revision
from app.extensions import db
from app.models import Compte, JournalAudit
from tests.conftest import _state, make_app

POSTGRES = _state["url"].startswith("postgresql")
PREFIX = f"fse_sv_{uuid.uuid4().hex[:6]}"


# --- Databases of this module: files in a temporary folder, or databases on the run's server ---

@dataclass
class Database:
    url: str
    app: Flask

    def invoke(self, *args: str, input: str | None = None):
        return self.app.test_cli_runner().invoke(args=list(args), input=input)

    def scalar(self, statement):
        with self.app.app_context():
            try:
                return db.session.scalar(statement)
            finally:
                db.session.remove()

    def execute(self, sql: str) -> None:
        with self.app.app_context():
            db.session.execute(text(sql))
            db.session.commit()
            db.session.remove()

    def journal_count(self) -> int:
        return self.scalar(select(func.count()).select_from(JournalAudit))

    def last_action(self) -> str:
        return self.scalar(select(JournalAudit.action).order_by(JournalAudit.numero.desc()).limit(1))

    def dispose(self) -> None:
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()


class Databases:
    """Makes databases for the module and drops them all at its end."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="fse-sauvegardes-"))
        self.made: list[Database] = []
        self.counter = 0

    def new(self, create: bool = False) -> Database:
        self.counter += 1
        if POSTGRES:
            url = make_url(_state["url"]).set(database=f"{PREFIX}_{self.counter}")
            if create:
                with self._maintenance() as connection:
                    connection.execute(text(f'CREATE DATABASE "{url.database}"'))
            url = url.render_as_string(hide_password=False)
        else:
            url = f"sqlite:///{self.folder}/base-{self.counter}.sqlite3"
        database = Database(url, make_app(SQLALCHEMY_DATABASE_URI=url))
        self.made.append(database)
        return database

    def _maintenance(self):
        engine = create_engine(make_url(_state["url"]).set(database="postgres"), poolclass=NullPool)
        return engine.connect().execution_options(isolation_level="AUTOCOMMIT")

    def leftovers(self) -> list[str]:
        """Temporary copies a restore left behind (there must be none)."""
        if POSTGRES:
            with self._maintenance() as connection:
                return list(connection.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                               {"p": f"{PREFIX}%restauration%"}))
        return [path.name for path in self.folder.glob(".*restauration*")]

    def kept(self, database: Database) -> list[str]:
        """Previous databases a restore kept aside."""
        if POSTGRES:
            name = make_url(database.url).database
            with self._maintenance() as connection:
                return list(connection.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                               {"p": f"{name}_avant_%"}))
        path = Path(make_url(database.url).database)
        return [kept.name for kept in path.parent.glob(f"{path.name}.avant-restauration-*")]

    def close(self) -> None:
        for database in self.made:
            database.dispose()
        if POSTGRES:
            with self._maintenance() as connection:
                for name in connection.scalars(text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                               {"p": f"{PREFIX}%"}).all():
                    connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="module")
def databases():
    made = Databases()
    yield made
    made.close()


@pytest.fixture(scope="module")
def source(databases):
    """A migrated database with the referentiel, demo accounts, a small registry and a journal,
    and one backup of it."""
    from flask_migrate import upgrade

    from app.demo.seed import seed_demo
    from app.referentiel.importer import import_referentiel

    database = databases.new(create=True)
    with database.app.app_context():
        upgrade()
        import_referentiel(db.session)
        seed_demo(db.session, "test", date(2026, 11, 22), count=40)
        for action in ("connexion.mot_de_passe", "connexion.code", "patient.recherche", "deconnexion"):
            record(action, "succes", details="essai")
        db.session.commit()
        db.session.remove()
    result = database.invoke("backup", str(databases.folder / "sauvegardes"))
    assert result.exit_code == 0, result.output
    database.backup = Path(re.search(r"Sauvegarde écrite : (\S+)", result.output).group(1))
    database.backup_output = result.output
    return database


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifeste.json").read_text(encoding="utf-8"))


@pytest.fixture
def target(databases, source):
    """A database restored from the source's backup (a restore onto a new host: the database did
    not exist), then marked with a witness row that a refused restore must leave in place."""
    database = databases.new()
    result = database.invoke("restore", str(source.backup), "--oui")
    assert result.exit_code == 0, result.output
    with database.app.app_context():
        record("connexion", "succes", identifiant="temoin", details="témoin")
        db.session.commit()
        db.session.remove()
    database.witness_count = database.journal_count()
    return database


def assert_nothing_replaced(databases, database, result, check: str):
    assert result.exit_code == 1, result.output
    assert f"Restauration refusée — {check}" in result.output and "Rien n'a été remplacé." in result.output
    assert database.journal_count() == database.witness_count and database.last_action() == "connexion"
    assert databases.leftovers() == []
    assert databases.kept(database) == []


def copy_backup(source, tmp_path) -> Path:
    copy = tmp_path / source.backup.name
    shutil.copytree(source.backup, copy)
    return copy


def rewrite_manifest(folder: Path, **changes) -> None:
    manifest = {**manifest_of(folder), **changes}
    (folder / "manifeste.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


# --- Backup ---------------------------------------------------------------------------------------

def test_backup_is_a_folder_with_the_dump_and_its_manifest(source):
    folder = source.backup
    assert re.fullmatch(r"fse-\d{8}T\d{6}Z", folder.name)
    dump_name = "base.pgdump" if POSTGRES else "base.sqlite3"
    assert sorted(path.name for path in folder.iterdir()) == sorted([dump_name, "manifeste.json"])
    for path in (folder, *folder.iterdir()):  # health data: the owner only
        assert stat.S_IMODE(path.stat().st_mode) in (0o700, 0o600)
    manifest = manifest_of(folder)
    assert manifest["base"] == ("postgresql" if POSTGRES else "sqlite")
    assert manifest["fichier"] == dump_name and manifest["taille"] == (folder / dump_name).stat().st_size
    import hashlib

    assert manifest["sha256"] == hashlib.sha256((folder / dump_name).read_bytes()).hexdigest()
    assert manifest["revision_alembic"] == code_head_revision()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["cree_le"])
    tables = manifest["tables"]
    assert tables["compte"] == source.scalar(select(func.count()).select_from(Compte)) > 0
    assert tables["acte_ccam"] > 8000 and tables["alembic_version"] == 1
    journal = manifest["journal_audit"]
    assert journal["integre"] is True and journal["dernier_numero"] == tables["journal_audit"] >= 4
    assert re.fullmatch(r"[0-9a-f]{64}", journal["dernier_hash"])
    assert f"Sauvegarde écrite : {folder}" in source.backup_output and "SHA-256" in source.backup_output


def test_the_backup_is_in_the_journal_after_its_own_instant(source):
    """The row is written once the dump is made: the backup holds the journal up to just before."""
    manifest = manifest_of(source.backup)
    with source.app.app_context():
        row = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "sauvegarde.creation"))
        assert row.objet_type == "sauvegarde" and row.objet_id == source.backup.name
        assert row.numero == manifest["journal_audit"]["dernier_numero"] + 1 and row.resultat == "succes"
        assert verify_chain()[0]
        db.session.remove()


def test_default_destination_is_instance_sauvegardes(source):
    from app.backup.services import default_destination

    with source.app.app_context():
        assert default_destination() == Path(source.app.instance_path) / "sauvegardes"
    assert "instance/" in (Path(__file__).resolve().parents[2] / ".gitignore").read_text()


# --- Restore: the round trip --------------------------------------------------------------------

def test_round_trip_backup_change_restore_brings_the_data_back(databases, source, target):
    manifest = manifest_of(source.backup)
    target.execute("UPDATE compte SET nom = 'Modifié après la sauvegarde' WHERE identifiant = 'medecin.demo'")
    target.execute("DELETE FROM exoneration")
    result = target.invoke("restore", str(source.backup / "manifeste.json"), "--oui")
    assert result.exit_code == 0, result.output
    for line in ("✓ Empreinte SHA-256 du fichier conforme au manifeste.", "✓ Schéma à jour",
                 "✓ Nombre de lignes conforme au manifeste", "✓ Journal d'audit intègre", "Base restaurée",
                 "Le portail doit être arrêté pendant la restauration"):
        assert line in result.output
    if not POSTGRES:
        assert "✓ Intégrité SQLite de la copie restaurée" in result.output
    assert target.scalar(select(Compte.nom).where(Compte.identifiant == "medecin.demo")) == "Lorenzi"
    assert target.scalar(text("SELECT count(*) FROM exoneration")) == manifest["tables"]["exoneration"] > 0
    # the backup's journal, then the restore's own row; the chain verifies
    assert target.journal_count() == manifest["tables"]["journal_audit"] + 1
    assert target.last_action() == "sauvegarde.restauration"
    verified = target.invoke("audit", "verify")
    assert verified.exit_code == 0 and "Journal d'audit intègre" in verified.output
    # the replaced database is kept aside, with the change in it
    kept = databases.kept(target)
    assert len(kept) == 1 and kept[0] in result.output
    assert databases.leftovers() == []


def test_restore_asks_before_replacing_and_no_keeps_everything(databases, source, target):
    result = target.invoke("restore", str(source.backup), input="n\n")
    assert "Remplacer la base" in result.output and "[o/N]" in result.output
    assert_nothing_replaced(databases, target, result, "confirmation")


# --- Restore: each refusal, with nothing replaced -----------------------------------------------

def test_a_tampered_dump_is_refused(databases, source, target, tmp_path):
    copy = copy_backup(source, tmp_path)
    dump = copy / manifest_of(copy)["fichier"]
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = target.invoke("restore", str(copy), "--oui")
    assert_nothing_replaced(databases, target, result, "empreinte SHA-256")


def test_a_manifest_whose_counts_differ_is_refused(databases, source, target, tmp_path):
    copy = copy_backup(source, tmp_path)
    tables = manifest_of(copy)["tables"]
    rewrite_manifest(copy, tables={**tables, "compte": tables["compte"] + 1})
    result = target.invoke("restore", str(copy), "--oui")
    assert_nothing_replaced(databases, target, result, "nombre de lignes")
    assert f"table « compte » : {tables['compte']} ligne(s) dans la copie, {tables['compte'] + 1} ligne(s) au " \
           f"manifeste" in result.output


def backup_of_altered(databases, source, statement: str, name: str):
    """A new database restored from the source's backup, altered by `statement`, then backed up:
    the backup command's result and the folder it wrote."""
    altered = databases.new()
    assert altered.invoke("restore", str(source.backup), "--oui").exit_code == 0
    altered.execute(statement)
    made = altered.invoke("backup", str(databases.folder / name))
    return made, Path(re.search(r"Sauvegarde écrite : (\S+)", made.output).group(1))


def test_a_dump_whose_audit_chain_is_broken_is_refused(databases, source, target):
    """A database whose journal was edited is backed up (it is evidence) but never restored."""
    made, folder = backup_of_altered(databases, source, "UPDATE journal_audit SET details = 'réécrit' WHERE numero = 2",
                                     "alteree")
    assert made.exit_code == 0, made.output
    assert "Journal d'audit altéré" in made.output and "sera refusée à la restauration" in made.output
    assert manifest_of(folder)["journal_audit"]["integre"] is False
    result = target.invoke("restore", str(folder), "--oui")
    assert_nothing_replaced(databases, target, result, "journal d'audit")
    assert "contenu modifié (empreinte différente) (ligne numéro 2)" in result.output


def test_a_schema_unknown_to_this_code_is_refused(databases, source, target):
    _, folder = backup_of_altered(databases, source, "UPDATE alembic_version SET version_num = '9999_futur'", "futur")
    result = target.invoke("restore", str(folder), "--oui")
    assert_nothing_replaced(databases, target, result, "version du schéma")
    assert "révision Alembic 9999_futur inconnue de ce code" in result.output


def test_a_backup_of_another_database_kind_is_refused(databases, source, target, tmp_path):
    copy = copy_backup(source, tmp_path)
    rewrite_manifest(copy, base="sqlite" if POSTGRES else "postgresql")
    result = target.invoke("restore", str(copy), "--oui")
    assert_nothing_replaced(databases, target, result, "type de base")


@pytest.mark.skipif(POSTGRES, reason="SQLite's own checks")
def test_a_corrupt_sqlite_file_with_a_matching_manifest_is_refused(databases, source, target, tmp_path):
    import hashlib

    copy = copy_backup(source, tmp_path)
    dump = copy / "base.sqlite3"
    data = bytearray(dump.read_bytes())
    data[4096 * 3: 4096 * 3 + 64] = b"\x00" * 64  # a page's header: SQLite's integrity check notices
    dump.write_bytes(bytes(data))
    rewrite_manifest(copy, sha256=hashlib.sha256(bytes(data)).hexdigest())
    result = target.invoke("restore", str(copy), "--oui")
    assert result.exit_code == 1
    assert re.search(r"Restauration refusée — (intégrité SQLite|clés étrangères|nombre de lignes|lecture)", result.output)
    assert target.journal_count() == target.witness_count and databases.leftovers() == []


# --- Online: a backup while another connection writes -------------------------------------------

def test_a_backup_taken_while_the_portal_writes_is_consistent(databases, source, target):
    """Rows are committed on another connection before, during and after the backup: the dump and
    its manifest describe one instant (the restore's checks compare them), and that instant lies
    between the first and the last write."""
    stop, written, errors = threading.Event(), [], []

    def writer():
        with target.app.app_context():
            try:
                while not stop.is_set():
                    record("patient.recherche", "succes", details="écriture concurrente")
                    db.session.commit()
                    written.append(1)
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20 and thread.is_alive():
            pass
        made = target.invoke("backup", str(databases.folder / "en-ligne"))
        during = len(written)
        while len(written) < during + 20 and thread.is_alive():
            pass
    finally:
        stop.set()
        thread.join()
    assert not errors, errors
    assert made.exit_code == 0, made.output
    folder = Path(re.search(r"Sauvegarde écrite : (\S+)", made.output).group(1))
    manifest = manifest_of(folder)
    in_backup = manifest["tables"]["journal_audit"]
    assert target.witness_count + 20 <= in_backup < target.journal_count() - 20
    assert manifest["journal_audit"]["integre"] and manifest["journal_audit"]["dernier_numero"] == in_backup
    # restored elsewhere: every check against the manifest passes
    copy = databases.new()
    restored = copy.invoke("restore", str(folder), "--oui")
    assert restored.exit_code == 0, restored.output
    assert copy.journal_count() == in_backup + 1


def test_a_database_in_use_is_not_replaced(databases, source, target):
    """The portal must be stopped: another connection to the live database (a reader in the middle
    of a transaction, for SQLite) makes the restore stop before replacing anything."""
    engine = create_engine(target.url, poolclass=NullPool)
    try:
        with engine.connect() as other:
            other.begin()
            other.execute(text("SELECT count(*) FROM compte")).scalar()
            result = target.invoke("restore", str(source.backup), "--oui")
    finally:
        engine.dispose()
    assert_nothing_replaced(databases, target, result, "base en service")
    assert "arrêtez le portail" in result.output

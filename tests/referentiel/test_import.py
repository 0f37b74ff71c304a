"""`flask referentiel import`: loads everything, is idempotent, and refuses a broken file whole."""

import shutil
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import ActeCcam, CodeNgap, ImportReferentiel, RegleCouleur, Tarif
from app.referentiel.importer import DATA_DIR, SAMPLE_TARIFFS


@pytest.fixture
def restore_referentiel(runner):
    """Re-import the shipped files after a test that loaded others."""
    yield
    result = runner.invoke(args=["referentiel", "import"])
    assert result.exit_code == 0, result.output


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_loads_everything_and_a_second_run_changes_nothing(runner, app_ctx):
    result = runner.invoke(args=["referentiel", "import"])
    assert result.exit_code == 0, result.output
    assert "Référentiel déjà à jour : aucune modification." in result.output  # loaded by the fixture
    assert "tarifs d'EXEMPLE" in result.output
    assert count(ActeCcam) == 8160
    assert count(Tarif) == 48
    assert count(CodeNgap) == 18
    assert count(RegleCouleur) == 3
    before = db.session.get(ImportReferentiel, "tarifs").importe_le
    db.session.expire_all()
    assert db.session.get(ImportReferentiel, "tarifs").importe_le == before
    consultation = db.session.scalar(select(Tarif).where(Tarif.code == "C", Tarif.profession == "medecin",
                                                         Tarif.date_effet == date(2026, 1, 1)))
    assert consultation.montant == Decimal("30.00")
    modifier = db.session.scalar(select(Tarif).where(Tarif.type == "MOD", Tarif.code == "N"))
    assert modifier.pourcentage == Decimal("15.7") and modifier.montant is None
    md = db.session.get(CodeNgap, "MD")
    assert md.majoration and md.libelle == "Majoration de déplacement (visite)"
    assert md.libelle_nomenclature == "MD (CRITERES MEDICAUX)"


def test_broken_tariff_file_is_refused_whole(runner, app_ctx, tmp_path, restore_referentiel):
    lines = SAMPLE_TARIFFS.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("30.00", "32.00")  # a valid change that must not be applied
    lines[19] = lines[19].replace("10.00", "dix")  # file line 20: MAJ MD
    broken = tmp_path / "tarifs-2027.csv"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = {(t.type, t.code, t.profession, t.date_effet): t.montant for t in db.session.scalars(select(Tarif))}

    result = runner.invoke(args=["referentiel", "import", "--tarifs", str(broken)])

    assert result.exit_code != 0
    assert "import refusé, rien n'a été modifié" in result.output
    assert "tarifs-2027.csv, ligne 20 : valeur « dix » invalide" in result.output
    db.session.expire_all()
    after = {(t.type, t.code, t.profession, t.date_effet): t.montant for t in db.session.scalars(select(Tarif))}
    assert after == before
    assert db.session.get(ImportReferentiel, "tarifs").fichier == "tarifs-exemple.csv"


def test_official_file_replaces_the_sample_and_removes_the_banner(runner, client, app_ctx, tmp_path,
                                                                  restore_referentiel):
    official = tmp_path / "tarifs-officiels.csv"
    lines = SAMPLE_TARIFFS.read_text(encoding="utf-8").splitlines()
    official.write_text("\n".join([lines[0], *lines[1:3], "NGAP;G;medecin;26.50;2026-01-01;Consultation G"]) + "\n",
                        encoding="utf-8")
    assert "Données d'exemple" in client.get("/").get_data(as_text=True)

    result = runner.invoke(args=["referentiel", "import", "--tarifs", str(official)])

    assert result.exit_code == 0, result.output
    tarifs_line = next(line for line in result.output.splitlines() if line.startswith("tarifs"))
    assert tarifs_line.split(maxsplit=1)[1] == "3 lignes : 1 ajoutées, 0 modifiées, 46 supprimées"
    db.session.expire_all()
    assert count(Tarif) == 3
    assert not db.session.get(ImportReferentiel, "tarifs").exemple
    assert "Données d'exemple" not in client.get("/").get_data(as_text=True)


def test_a_copy_of_the_sample_is_still_a_sample(runner, app_ctx, tmp_path, restore_referentiel):
    copy = tmp_path / "mes-tarifs.csv"
    shutil.copy(SAMPLE_TARIFFS, copy)
    result = runner.invoke(args=["referentiel", "import", "--tarifs", str(copy)])
    assert result.exit_code == 0
    assert "tarifs d'EXEMPLE" in result.output
    forced = runner.invoke(args=["referentiel", "import", "--tarifs", str(copy), "--officiel"])
    assert "tarifs d'EXEMPLE" not in forced.output


def test_broken_convention_is_refused(runner, app_ctx, tmp_path):
    text = (DATA_DIR / "convention.toml").read_text(encoding="utf-8").replace('coefficient_max = "1.20"',
                                                                            'coefficient_max = "x"')
    path = tmp_path / "convention.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(args=["referentiel", "import", "--convention", str(path)])
    assert result.exit_code != 0
    assert "convention.toml : [couleurs.rose] coefficient_max : « x » n'est pas un nombre" in result.output
    db.session.expire_all()
    assert db.session.get(RegleCouleur, "rose").coefficient_max == Decimal("1.20")


def test_if_empty_keeps_a_loaded_referentiel(runner, app_ctx, tmp_path, restore_referentiel):
    official = tmp_path / "officiel.csv"
    official.write_text(SAMPLE_TARIFFS.read_text(encoding="utf-8").splitlines()[0] + "\n"
                        "NGAP;G;medecin;26.50;2026-01-01;Consultation G\n", encoding="utf-8")
    runner.invoke(args=["referentiel", "import", "--tarifs", str(official)])
    result = runner.invoke(args=["referentiel", "import", "--si-vide"])
    assert result.exit_code == 0
    assert "Référentiel déjà chargé : conservé tel quel." in result.output
    db.session.expire_all()
    assert count(Tarif) == 1

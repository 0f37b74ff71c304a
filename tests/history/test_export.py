"""« Exporter »: the filtered history as CSV for a French Excel, read back by Python's csv module and
converted by LibreOffice headless (as a French spreadsheet would open it), then read with openpyxl."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date, datetime, timedelta

import pytest

from tests.conftest import system_tool
from sqlalchemy import select

from app.extensions import db as _db
from app.models import Beneficiaire, Foyer, JournalAudit
from tests.history.conftest import monaco

FORMULA_NAME = '=HYPERLINK("x")'


@pytest.fixture(scope="session")
def soffice_path():
    """LibreOffice's soffice, to read the CSV as a French spreadsheet does."""
    return system_tool("soffice", "libreoffice", package="libreoffice-calc-nogui",
                       purpose="Le test de conversion CSV n'est pas exécuté.")


@pytest.fixture
def formula_patient(db, demo_accounts):
    """A beneficiary whose name a spreadsheet would run as a formula, and one with accents."""
    foyer = Foyer(matricule="199999", code_fse="Z9Z9", caisse="CCSS", couleur_carte="verte")
    foyer.beneficiaires = [
        Beneficiaire(rang=1, qualite="assure", nom=FORMULA_NAME, prenom="Zoé", date_naissance=date(1980, 5, 4),
                     droits_debut=date(2000, 1, 1)),
        Beneficiaire(rang=2, qualite="conjoint", nom="Lécuyer-Œstrem", prenom="Hélène",
                     date_naissance=date(1982, 7, 1), droits_debut=date(2000, 1, 1))]
    _db.session.add(foyer)
    _db.session.commit()


@pytest.fixture
def exported(make_fse, formula_patient, medecin):
    """Three FSE, the export's response and its rows read by the csv module."""
    t = make_fse.today
    ids = [make_fse(matricule="199999", sent=monaco(t - timedelta(days=1), 9)),
           make_fse(matricule="199999", rang=2, sent=monaco(t - timedelta(days=20), 9),
                    acts=(("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1"))),
           make_fse(who="assistant.demo", matricule="100004", sent=monaco(t - timedelta(days=30), 9), hnp=True)]
    return ids, export(medecin)


def export(auth):
    """« Exporter », the streamed body consumed inside the request (as a WSGI server would)."""
    return auth.post("/historique/export", {}, get_path="/historique", buffered=True)


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_csv_for_a_french_excel(exported, make_fse):
    ids, response = exported
    assert response.status_code == 200 and "Content-Length" not in response.headers  # streamed
    assert response.mimetype == "text/csv"
    stamp = make_fse.today.strftime("%Y%m%d")
    assert response.headers["Content-Disposition"] == f'attachment; filename="historique-fse-{stamp}.csv"'
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Cache-Control"] == "no-store"
    rows = read_csv(response.get_data())
    assert rows[0] == ["Date des soins", "Référence", "Transmise le", "Caisse", "Matricule", "Patient", "Actes",
                       "Base", "Facturé", "Dépassement", "Part caisse", "Part patient", "HNP/RDD", "Statut",
                       "Saisie par"]
    assert len(rows) == 4
    first, second, third = rows[1:]
    yesterday = (make_fse.today - timedelta(days=1)).strftime("%d/%m/%Y")
    assert first[0] == first[2] == yesterday
    assert first[5] == "'" + FORMULA_NAME + " Zoé"
    assert first[7:12] == ["30,00", "30,00", "0,00", "24,00", "6,00"] and first[12] == "" and first[13] == "Transmise"
    assert first[14] == "Claire Lorenzi" and first[4] == "199999" and first[3] == "CCSS"
    assert second[5] == "Lécuyer-Œstrem Hélène" and second[6] == "C 1 + DEQP003 act. 1 ph. 0 asso. 1"
    assert third[12] == "HNP" and third[14] == "Camille Rey"


def test_amounts_over_a_thousand_have_no_thousands_separator():
    from decimal import Decimal

    from app.history.export import amount, neutralise

    assert amount(Decimal("1234.5")) == "1234,50"
    assert [neutralise(v) for v in ("=1", "+1", "-1", "@a", "\tx", "\rx", "ok")] == \
        ["'=1", "'+1", "'-1", "'@a", "'\tx", "'\rx", "ok"]


def test_export_follows_the_filters_and_is_audited(exported, medecin, make_fse):
    ids, _ = exported
    medecin.post("/historique", {"patient": "hélène", "du": "", "au": "", "caisse": "", "statut": "", "hnp": "",
                                 "montant_min": "", "montant_max": "", "personne": ""}, get_path="/historique")
    rows = read_csv(export(medecin).get_data())
    assert [row[5] for row in rows[1:]] == ["Lécuyer-Œstrem Hélène"]
    audit = _db.session.scalars(select(JournalAudit).where(JournalAudit.action == "fse.export")
                                .order_by(JournalAudit.numero)).all()
    assert [a.details for a in audit] == ["3 FSE exportées", "1 FSE exportée"]
    assert all("lène" not in (a.details or "") and "199999" not in (a.details or "") for a in audit)


def test_export_without_csrf_is_refused(medecin):
    assert medecin.client.post("/historique/export").status_code == 400


def test_libreoffice_reads_dates_numbers_accents_and_the_formula_as_text(exported, soffice_path, tmp_path):
    from openpyxl import load_workbook

    _, response = exported
    source = tmp_path / "historique.csv"
    source.write_bytes(response.get_data())
    profile = tmp_path / "profil-libreoffice"
    result = subprocess.run(
        [soffice_path, f"-env:UserInstallation=file://{profile}", "--headless",
         "--infilter=CSV:59,34,76,1,,1036,false,true", "--convert-to", "xlsx", "--outdir", str(tmp_path),
         str(source)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    sheet = load_workbook(tmp_path / "historique.xlsx").active
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 3
    first = rows[0]
    assert isinstance(first[0].value, datetime)
    assert first[0].value.strftime("%d/%m/%Y") == read_csv(response.get_data())[1][0]
    assert isinstance(first[2].value, datetime)
    assert [c.value for c in first[7:12]] == [30, 30, 0, 24, 6]
    assert all(isinstance(c.value, (int, float)) for c in first[7:12])
    assert first[5].data_type == "s" and FORMULA_NAME in first[5].value and not first[5].value.startswith("=")
    assert rows[1][5].value == "Lécuyer-Œstrem Hélène" and rows[1][13].value == "Transmise"
    assert rows[2][14].value == "Camille Rey"

"""The fiche de décompte PDF: its text, its embedded font, its access rules and its headers."""

from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from app.domain.money import format_euros
from app.extensions import db
from app.models import JournalAudit

pytestmark = pytest.mark.usefixtures("poppler")


def pdf_text(content: bytes, tmp_path, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "decompte.pdf"
    path.write_bytes(content)
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    text = subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, check=True, text=True).stdout
    # One space for any run of blanks: a long name may wrap inside its cell.
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


def pdf_pages(content: bytes, tmp_path) -> int:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def french(amount) -> str:
    return format_euros(amount).replace("\u00a0", " ")


def test_the_decompte_lists_each_fse_paid_and_the_total_in_french(practice, auth, tmp_path):
    ordiposte = practice.pay(practice.fses(12))
    auth.login("medecin.demo")
    response = auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="decompte-{ordiposte.reference}.pdf"'
    text = pdf_text(response.data, tmp_path)
    for fse in ordiposte.fses:
        assert fse.accuse_reception in text
        assert f"{fse.date_soins:%d/%m/%Y}" in text
    assert "Marc Bellando" in text and "Hugo Bellando" in text
    assert ordiposte.reference in text and f"{ordiposte.date_paiement:%d/%m/%Y}" in text
    assert "Caisse de Compensation des Services Sociaux" in text
    assert "Claire Lorenzi" in text and "Médecin généraliste" in text
    assert "Total : 12 FSE" in text
    assert french(ordiposte.montant) in text
    assert re.search(r"\d,\d\d €", text) and "Page 1 / 1" in text


def test_the_font_is_embedded_and_prints_names_beyond_latin_1(practice, auth, tmp_path):
    members = practice.members()
    members[1].prenom, members[1].nom = "Łucja", "Wiśniewska–Œuvrard"
    ordiposte = practice.pay([practice.fse(member=1), practice.fse(member=0)])
    auth.login("medecin.demo")
    content = auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf").data
    path = tmp_path / "fonts.pdf"
    path.write_bytes(content)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    embedded = [line.split() for line in fonts.splitlines() if "DejaVuSans" in line]
    assert {row[0].split("+")[-1] for row in embedded} == {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(row[-5] == "yes" for row in embedded), fonts  # the « emb » column
    assert "Łucja Wiśniewska–Œuvrard" in pdf_text(content, tmp_path)


def test_a_script_in_a_patient_name_prints_as_text(practice, auth, tmp_path):
    practice.members()[2].nom = "<script>alert(1)</script>"
    ordiposte = practice.pay([practice.fse(member=2)])
    auth.login("medecin.demo")
    text = pdf_text(auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf").data, tmp_path)
    assert "Léa <script>alert(1)</script>" in text


def test_the_pdf_carries_the_security_headers_and_no_store(practice, auth):
    ordiposte = practice.pay([practice.fse()])
    auth.login("medecin.demo")
    response = auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cache-Control"] == "no-store"


def test_another_praticien_gets_404_and_the_assistant_gets_the_pdf(practice, auth, client, app, totp_clock):
    ordiposte = practice.pay([practice.fse()])
    auth.login("dentiste.demo")
    assert auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf").status_code == 404
    assert auth.client.get(f"/hnp/{ordiposte.id + 1000}/decompte.pdf").status_code == 404
    assert ordiposte.reference not in auth.client.get("/hnp").get_data(as_text=True)

    from tests.conftest import AuthActions

    assistant = AuthActions(app.test_client(), totp_clock)
    assistant.login("assistant.demo", "Assistant-FSE-2026")
    response = assistant.client.get(f"/hnp/{ordiposte.id}/decompte.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    rows = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "ordiposte.decompte")).all()
    assert len(rows) == 1  # the refused attempts are 404s, not downloads
    assert (rows[0].objet_type, rows[0].objet_id, rows[0].resultat) == ("ordiposte", str(ordiposte.id), "succes")
    assert rows[0].compte_id == practice.compte("assistant.demo").id
    assert rows[0].praticien_id == practice.compte("medecin.demo").praticien_id
    assert rows[0].details is None  # nothing medical in the journal


def test_sixty_fse_make_two_pages_with_the_table_header_repeated(practice, auth, tmp_path):
    ordiposte = practice.pay(practice.fses(60))
    auth.login("medecin.demo")
    content = auth.client.get(f"/hnp/{ordiposte.id}/decompte.pdf").data
    assert pdf_pages(content, tmp_path) == 2
    first, second = pdf_text(content, tmp_path, 1, 1), pdf_text(content, tmp_path, 2, 2)
    for text in (first, second):
        assert "Date des soins" in text and "Référence (accusé de réception)" in text and "Montant payé" in text
    assert "Page 1 / 2" in first and "Page 2 / 2" in second
    assert "Total : 60 FSE" in second and french(ordiposte.montant) in second
    assert sum(fse.accuse_reception in first + second for fse in ordiposte.fses) == 60

"""The medical elements of the three forms stay the médecin conseil's: after an IT, an ETM and an
invalidity request are transmitted with distinctive medical words, no database column holds them in
clear, no page the praticien or his assistant can open shows them, no audit row, no log line and not
the employer's copy (its text nor its decompressed streams). And who reaches which form: another
praticien gets 404, an assistant 403 on the forms (logged), a profession that writes none no menu.

The medical words are made-up ASCII words: nothing else in the portal can contain them by chance, and
ASCII text is written as such in the PDF's content streams (see test_the_employer_copy_…)."""

from __future__ import annotations

import base64
import logging
import re
import subprocess
import zlib
from dataclasses import dataclass

import pytest
from sqlalchemy import inspect, text

from app.extensions import db
from tests.conftest import AuthActions, csrf_from
from tests.formulaires.common import (
    HX,
    audit,
    body,
    days,
    etm_values,
    fr,
    invalidite_values,
    medical_of,
    sent,
)
from tests.formulaires.conftest import Doctor, it_values

IT_WORDS = {"motif": "Zorblaxite lombaire", "elements_medicaux": "Quimbrelle paravertebrale",
            "motif_sorties_libres": "Fravastine ambulatoire"}
ETM_WORDS = {"affection": "Glormitose chronique", "arguments": "Vextrapoline inefficace"}
INVALIDITE_WORDS = {"diagnostics": "Brundlemal bilateral", "incapacite": "Okkultasie severe",
                    "traitement": "Prendavix quotidien", "pronostic": "Tholmirine reserve"}
DRAFT_WORDS = {"motif": "Draftomycose naissante", "elements_medicaux": "Skrelloptose"}
SENT = ["Zorblaxite", "Quimbrelle", "Fravastine", "Glormitose", "Vextrapoline", "Brundlemal", "Okkultasie",
        "Prendavix", "Tholmirine"]
DRAFT = ["Draftomycose", "Skrelloptose"]
EVERY = SENT + DRAFT


def leaked(content: str | bytes, words=EVERY) -> list[str]:
    """The words found in a text or in bytes, whatever their case."""
    if isinstance(content, bytes):
        content = content.decode("latin-1")
    folded = content.lower()
    return [word for word in words if word.lower() in folded]


@dataclass
class Practice:
    doctor: Doctor
    documents: dict  # kind → Formulaire


def sign_in(app, totp_clock, identifiant, password="Demo-FSE-2026"):
    client = app.test_client()
    AuthActions(client, totp_clock).login(identifiant, password)
    return client


@pytest.fixture
def practice(auth, caplog):
    """medecin.demo transmits an IT (sorties sans restriction), an ETM and an invalidity request with
    the medical words, then leaves an IT draft with other medical words; every log line of it is kept."""
    caplog.set_level(logging.DEBUG)
    # The portal itself logs only its errors: the engine's log (every SQL statement, its parameters
    # and the rows read) is what would carry a medical word if one ever left the sealed column.
    caplog.set_level(logging.DEBUG, logger="sqlalchemy.engine")
    auth.login("medecin.demo")
    it, etm, invalidite = Doctor(auth, "it"), Doctor(auth, "etm"), Doctor(auth, "invalidite")
    it.identify()
    marc = it.member_ids()[0]
    values = it_values(sorties="libres", sorties_horaires="", employeur="Monaco Logistique", **IT_WORDS)
    assert it.post("enregistrer", {"beneficiaire": marc, **values}).status_code == 303
    assert it.post("transmettre", {"beneficiaire": marc, **values}).status_code == 200
    etm.identify(code_fse="", date_naissance="03/09/1986")
    julie, = etm.member_ids()
    assert etm.post("transmettre", {"beneficiaire": julie, **etm_values(**ETM_WORDS)}, headers=HX).status_code == 200
    invalidite.identify("100002", "R4M8")
    sophie, = invalidite.member_ids()
    assert invalidite.post("transmettre", {"beneficiaire": sophie, **invalidite_values(**INVALIDITE_WORDS)}) \
        .status_code == 200
    # The next IT, typed and kept by the autosave, not transmitted.
    page = it.page()
    saved = it.client.post("/formulaires/it/brouillon", headers=HX,
                           data={"csrf_token": csrf_from(page), **it.hidden(page), **DRAFT_WORDS})
    assert saved.status_code == 200
    documents = {document.type: document for document in sent()}
    assert set(documents) == {"it", "etm", "invalidite"}
    return Practice(it, documents)


# --- (a) The database: encrypted at rest, nowhere in clear -----------------------------------------

def test_the_medical_elements_are_sealed_and_the_right_ones(practice):
    """The token opens, with the portal's key, on exactly what was typed (the check below is not
    vacuous: the words were stored)."""
    documents = practice.documents
    assert medical_of(documents["it"]) == IT_WORDS
    assert medical_of(documents["etm"]) == ETM_WORDS
    assert medical_of(documents["invalidite"]) == INVALIDITE_WORDS


def test_no_column_of_the_formulaire_table_holds_a_medical_word(practice):
    rows = db.session.execute(text("SELECT * FROM formulaire")).mappings().all()
    assert len(rows) == 4  # three documents and the draft
    for row in rows:
        token = bytes(row["elements_medicaux"])
        assert token.startswith(b"gAAAAA")  # a Fernet token (version byte 0x80, base64url)
        assert not leaked(token)
        for column, value in row.items():
            assert not leaked(str(value) if not isinstance(value, bytes | memoryview) else bytes(value)), column


def test_no_table_of_the_database_holds_a_medical_word(practice):
    engine = db.engine
    tables = inspect(engine).get_table_names()
    assert "formulaire" in tables and "journal_audit" in tables
    for table in tables:
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')).all():
            for value in row:
                content = bytes(value) if isinstance(value, bytes | memoryview) else str(value)
                assert not leaked(content), table


def test_the_sqlite_files_hold_no_medical_word(practice):
    """Below SQL: the database file and its write-ahead log, byte by byte (SQLite runs only)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        pytest.skip("fichiers SQLite seulement")
    db.session.commit()
    with db.engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(FULL)")
    from pathlib import Path

    path = Path(url.database)
    for file in (path, path.with_name(path.name + "-wal")):
        if file.exists():
            assert not leaked(file.read_bytes()), file.name


# --- (b) The pages the praticien and the assistant can open ---------------------------------------

def get_urls(app, documents) -> list[tuple[str, str]]:
    """Every GET route of the app, its arguments filled with the forms' kinds and documents."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        arguments = set(rule.arguments)
        if not arguments:
            urls.append((rule.endpoint, rule.rule))
        elif arguments == {"kind"}:
            urls += [(rule.endpoint, rule.build({"kind": kind})[1]) for kind in ("it", "etm", "invalidite")]
        elif arguments == {"document_id"}:
            urls += [(rule.endpoint, rule.build({"document_id": d.id})[1]) for d in documents.values()]
    return urls


def pdf_streams(data: bytes) -> list[bytes]:
    """Every stream of a PDF, decoded through its filters (ASCII85Decode, FlateDecode), read by its
    /Length: ReportLab writes `endstream` right after the data, without the line break that the
    usual `stream\\r?\\n(.*?)\\r?\\nendstream` expects, so that pattern alone finds none."""
    streams = []
    for match in re.finditer(rb"<<((?:[^<>]|<<(?:[^<>]|<<[^<>]*>>)*>>)*)>>\s*stream\r?\n", data):
        dictionary = match.group(1)
        length = int(re.search(rb"/Length (\d+)", dictionary).group(1))
        raw = data[match.end():match.end() + length]
        filters = re.search(rb"/Filter\s*(\[[^\]]*\]|/\w+)", dictionary)
        for name in re.findall(rb"/(\w+)", filters.group(1)) if filters else []:
            if name == b"ASCII85Decode":
                raw = base64.a85decode(raw.strip().removesuffix(b"~>"))
            elif name == b"FlateDecode":
                raw = zlib.decompress(raw)
            else:
                raise AssertionError(f"filtre PDF non lu par ce test : {name!r}")
        streams.append(raw)
    return streams


def check_pages(client, urls, words, skip=()) -> int:
    """GET every url; no response (page, fragment, CSV, PDF and its streams) shows a word."""
    seen = 0
    for endpoint, url in urls:
        if endpoint in skip:
            continue
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            data = response.get_data()
            assert not leaked(data, words), (url, headers, response.status_code)
            if data.startswith(b"%PDF"):
                for stream in pdf_streams(data):
                    assert not leaked(stream, words), url
            seen += response.status_code == 200
    return seen


def test_no_page_of_the_praticien_shows_a_medical_word(practice, app):
    urls = get_urls(app, practice.documents)
    endpoints = {endpoint for endpoint, _ in urls}
    assert {"formulaires.page", "formulaires.document", "formulaires.employer_copy", "profile.journal",
            "history.page", "fse.page", "main.index", "formulaires.edit"} <= endpoints
    client = practice.doctor.client
    # His own draft is his to read on its form's page; anywhere else, no medical word at all.
    assert check_pages(client, urls, SENT) > 20
    assert check_pages(client, urls, DRAFT, skip={"formulaires.edit"}) > 20
    assert "Skrelloptose" in client.get("/formulaires/it").get_data(as_text=True)  # the draft is there
    # The histories, filtered by patient and by period, as their form posts them (without htmx: the
    # redirect to the history, which lists with the kept filters).
    for kind in ("it", "etm", "invalidite"):
        history = f"/formulaires/{kind}/historique"
        if client.get(history).status_code == 404:
            continue
        token = csrf_from(client.get(history).get_data(as_text=True))
        for data in ({"patient": "Bellando"}, {"patient": "100001"}, {"du": fr(days(-1)), "au": fr(days(0))}, {}):
            for headers in ({}, HX):
                response = client.post(history, data={"csrf_token": token, **data}, headers=headers,
                                       follow_redirects=not headers)
                assert response.status_code == 200 and not leaked(response.get_data()), (kind, data)


def test_no_page_of_the_assistant_shows_a_medical_word(practice, app, totp_clock):
    assistant = sign_in(app, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    urls = get_urls(app, practice.documents)
    assert check_pages(assistant, urls, EVERY) > 10
    landing = assistant.get("/formulaires").get_data(as_text=True)
    for document in practice.documents.values():
        assert document.reference in landing
        page = assistant.get(f"/formulaires/document/{document.id}")
        assert page.status_code == 200 and document.reference in page.get_data(as_text=True)


def test_the_journal_names_the_transmissions_without_their_content(practice):
    journal = practice.doctor.client.get("/profil/journal")
    assert journal.status_code == 200
    assert not leaked(journal.get_data())
    assert len(audit("formulaire.transmission")) == 3


def test_the_session_cookie_holds_no_medical_word(practice, app):
    cookie = practice.doctor.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    session = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert not leaked(repr(session))


# --- (c) The audit trail ------------------------------------------------------------------------

def test_no_audit_row_holds_a_medical_word(practice):
    rows = db.session.execute(text("SELECT * FROM journal_audit")).all()
    actions = db.session.execute(text("SELECT action FROM journal_audit")).scalars().all()
    assert "formulaire.transmission" in actions and "patient.recherche" in actions
    for row in rows:
        assert not leaked(" ".join(str(value) for value in row)), row


# --- (d) The employer's copy --------------------------------------------------------------------

def test_the_employer_copy_has_the_facts_and_no_medical_word(practice, poppler, tmp_path):
    """The text poppler extracts (through the fonts' ToUnicode maps) has the patient, the dates,
    the reference and the employer, and no medical word.

    The raw bytes are checked too, each stream decoded through its filters: ReportLab (under
    xhtml2pdf) embeds DejaVu Sans as a subset and writes text as literal strings of the font's
    codes — ASCII as itself, accented letters as subset codes (« Arr\\001t »). The medical words here
    are ASCII, so a leak would be readable in the decoded content stream: the patient's name and the
    reference found there prove the check sees the text (an accented word would be caught by the
    extracted text only, which is why both are asserted)."""
    document = practice.documents["it"]
    response = practice.doctor.client.get(f"/formulaires/document/{document.id}/copie-employeur.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_data()
    pdf = tmp_path / "copie.pdf"
    pdf.write_bytes(data)
    extracted = subprocess.run([poppler, "-layout", str(pdf), "-"], capture_output=True, check=True,
                               text=True).stdout
    for fact in ("Marc Bellando", fr(days(0)), fr(days(6)), document.reference, "Monaco Logistique",
                 "Arrêt initial", "Autorisées sans restriction d'horaire", "Dr Claire Lorenzi", "RPPS 10009812347",
                 "N'oubliez pas de signer et d'apposer votre cachet"):
        assert fact in extracted, fact
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", extracted) and not re.search(r"\d{4}-\d{2}-\d{2}", extracted)
    assert not leaked(extracted)
    assert "boulevard des Moulins" not in extracted  # the address is for the caisse, not the employer
    for label in ("Motif", "Éléments d'ordre médical", "Raison médicale"):
        assert label not in extracted
    assert not leaked(data)
    streams = pdf_streams(data)
    contents = [s for s in streams if b"BT" in s and b"Tj" in s]
    assert contents, "aucun flux de contenu décodé"
    assert any(b"Bellando" in s for s in contents) and any(document.reference.encode() in s for s in contents)
    for stream in streams:
        assert not leaked(stream)


def test_the_employer_copy_of_an_it_with_a_prolongation_and_an_accident(auth, poppler, tmp_path):
    auth.login("medecin.demo")
    it = Doctor(auth, "it")
    it.identify()
    values = it_values(nature_arret="prolongation", date_initiale=fr(days(-20)), accident_travail="y",
                       date_accident=fr(days(-25)), sorties="non", sorties_horaires="", employeur="",
                       **{**IT_WORDS, "motif_sorties_libres": ""})
    assert it.post("transmettre", {"beneficiaire": it.member_ids()[1], **values}).status_code == 200
    document, = sent("it")
    data = it.client.get(f"/formulaires/document/{document.id}/copie-employeur.pdf").get_data()
    pdf = tmp_path / "copie.pdf"
    pdf.write_bytes(data)
    extracted = subprocess.run([poppler, str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    assert "Julie Bellando" in extracted and "Prolongation" in extracted and fr(days(-20)) in extracted
    assert fr(days(-25)) in extracted and "Non autorisées" in extracted
    assert not leaked(extracted) and not leaked(data)
    assert all(not leaked(stream) for stream in pdf_streams(data))


# --- (e) The logs -------------------------------------------------------------------------------

def test_no_log_line_holds_a_medical_word(practice, caplog):
    """Everything logged at DEBUG while the forms were identified, saved, autosaved and transmitted
    (the SQL and its parameters included, when the engine logs them), then the documents opened."""
    client = practice.doctor.client
    for document in practice.documents.values():
        client.get(f"/formulaires/document/{document.id}")
    client.get(f"/formulaires/document/{practice.documents['it'].id}/copie-employeur.pdf")
    records = caplog.get_records("setup") + caplog.get_records("call")  # the fixture's transmissions too
    logged = "\n".join(record.getMessage() for record in records)
    # The log is not empty: the transmissions' statements and their parameters are in it.
    assert "UPDATE formulaire SET" in logged and "INSERT INTO journal_audit" in logged
    assert all(document.reference in logged for document in practice.documents.values())
    for record in records:
        assert not leaked(record.getMessage()), record.name
        assert not leaked(repr(record.args)), record.name
    assert not leaked(logged)


# --- Who reaches which form ----------------------------------------------------------------------

def test_another_praticien_gets_404_on_the_documents_and_the_pdf(practice, app, totp_clock):
    dentist = sign_in(app, totp_clock, "dentiste.demo")
    for document in practice.documents.values():
        assert dentist.get(f"/formulaires/document/{document.id}").status_code == 404
        assert dentist.get(f"/formulaires/document/{document.id}/copie-employeur.pdf").status_code == 404
    landing = dentist.get("/formulaires").get_data(as_text=True)
    assert all(d.reference not in landing for d in practice.documents.values())
    history = dentist.get("/formulaires/it/historique")
    assert history.status_code in (200, 404)
    assert practice.documents["it"].reference not in history.get_data(as_text=True)


def test_the_assistant_sees_the_documents_and_gets_403_on_the_forms(practice, app, totp_clock):
    assistant = sign_in(app, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    assert assistant.get("/formulaires").status_code == 200
    it = practice.documents["it"]
    assert assistant.get(f"/formulaires/document/{it.id}").status_code == 200
    pdf = assistant.get(f"/formulaires/document/{it.id}/copie-employeur.pdf")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")
    before = len(audit("acces.refuse"))
    token = csrf_from(assistant.get("/profil").get_data(as_text=True))
    for kind in ("it", "etm", "invalidite"):
        assert assistant.get(f"/formulaires/{kind}").status_code == 403
        posted = assistant.post(f"/formulaires/{kind}", data={"csrf_token": token, "action": "identifier",
                                                             "matricule": "100001", "code_fse": "K7P2"})
        assert posted.status_code == 403
        autosaved = assistant.post(f"/formulaires/{kind}/brouillon", data={"csrf_token": token, "motif": "x"},
                                   headers=HX)
        assert autosaved.status_code == 403
    refused = audit("acces.refuse")[before:]
    assert [r.objet_id for r in refused] == ["formulaires.edit", "formulaires.submit", "formulaires.autosave"] * 3
    assert all(r.resultat == "refus" and r.objet_type == "route" for r in refused)
    assert audit("patient.recherche")[-1].compte_id != refused[0].compte_id  # he looked nobody up
    assert "Remplir" not in assistant.get("/formulaires").get_data(as_text=True)


def test_a_profession_that_writes_no_form_has_no_menu_and_gets_403(app, demo_accounts, totp_clock):
    nurse = sign_in(app, totp_clock, "infirmier.demo")
    page = nurse.get("/fse").get_data(as_text=True)
    assert not re.search(r">\s*Formulaires\s*<", page) and 'href="/formulaires"' not in page
    assert nurse.get("/formulaires").status_code == 403
    for kind in ("it", "etm", "invalidite"):
        assert nurse.get(f"/formulaires/{kind}").status_code == 403
    assert [r.objet_id for r in audit("acces.refuse")] == ["formulaires.page"] + ["formulaires.edit"] * 3


def test_a_dentist_writes_the_it_only(app, demo_accounts, totp_clock):
    dentist = sign_in(app, totp_clock, "dentiste.demo")
    page = dentist.get("/fse").get_data(as_text=True)
    assert 'href="/formulaires"' in page
    landing = body(dentist.get("/formulaires"))
    assert "Prescription d'interruption de travail" in landing
    assert "ETM" not in landing and "invalidité" not in landing
    assert dentist.get("/formulaires/it").status_code == 200
    token = csrf_from(dentist.get("/formulaires/it").get_data(as_text=True))
    for kind in ("etm", "invalidite"):
        assert dentist.get(f"/formulaires/{kind}").status_code == 403
        assert dentist.post(f"/formulaires/{kind}", data={"csrf_token": token}).status_code == 403
        assert dentist.post(f"/formulaires/{kind}/brouillon", data={"csrf_token": token}).status_code == 403


def test_a_medecin_has_the_menu_and_the_three_forms(auth):
    auth.login("medecin.demo")
    page = auth.client.get("/fse").get_data(as_text=True)
    assert 'href="/formulaires"' in page
    landing = body(auth.client.get("/formulaires"))
    for title in ("Prescription d'interruption de travail", "Demande d'exonération du ticket modérateur (ETM)",
                  "Demande d'admission en invalidité"):
        assert title in landing

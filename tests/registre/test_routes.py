"""« Registre » in the back office: the counts, the upload (no JS: post/redirect/get; htmx: the region
or HX-Redirect), the report, a refused file (422, nothing written, audited), the size limit of this
route alone (20 MB, a French 413), and who may do it."""

import io
import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.caisse import registre as view
from app.extensions import db
from app.models import Beneficiaire, Compte, Foyer, JournalAudit
from tests.caisse.accounts_helpers import HX, body, signed_in, text
from tests.conftest import csrf_from
from tests.registre.helpers import SAMPLE, csv_bytes, snapshot

PAGE = "/caisse/registre"
IMPORT = "/caisse/registre/import"


@pytest.fixture
def agent(app, totp_clock, demo_accounts):
    client = app.test_client()
    signed_in(client, totp_clock)
    return client


def upload(client, data: bytes | None, name: str = "registre.csv", headers=None, token: str | None = None):
    form = {"csrf_token": token or csrf_from(body(client.get(PAGE)))}
    if data is not None:
        form["fichier"] = (io.BytesIO(data), name)
    return client.post(IMPORT, data=form, content_type="multipart/form-data", headers=headers)


def audits(resultat: str | None = None) -> list[JournalAudit]:
    db.session.expire_all()
    query = select(JournalAudit).where(JournalAudit.action == "caisse.registre.import").order_by(JournalAudit.numero)
    if resultat:
        query = query.where(JournalAudit.resultat == resultat)
    return list(db.session.scalars(query))


def members() -> int:
    return db.session.scalar(select(func.count()).select_from(Beneficiaire))


def test_the_page_shows_the_counts_the_form_and_the_format(agent, app_ctx):
    page = body(agent.get(PAGE))
    words = text(page)
    assert "Registre des assurés" in words and "Fichier du registre (CSV)" in words
    assert 'enctype="multipart/form-data"' in page and 'name="fichier"' in page and 'type="file"' in page
    assert ";".join(["matricule", "code_fse", "caisse", "couleur", "rang"]) in page
    assert "Aucun import du registre enregistré." in words
    assert "Foyers 5 Bénéficiaires 9" in words  # the demo's five fixed cards
    assert re.search(r"CCSS\s*</th>\s*<td[^>]*>3</td>\s*<td[^>]*>1</td>\s*<td[^>]*>0</td>", page)


def test_the_home_lists_the_section(agent):
    assert 'href="/caisse/registre"' in body(agent.get("/caisse"))


def test_the_sample_file_downloads(agent):
    response = agent.get("/caisse/registre/exemple.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data == SAMPLE.read_bytes()


def test_import_without_javascript_redirects_to_the_report(agent, app_ctx):
    response = upload(agent, SAMPLE.read_bytes(), "exemple-registre.csv")
    assert response.status_code == 303 and response.headers["Location"].endswith("/caisse/registre#registre-rapport")
    words = text(body(agent.get(PAGE)))
    assert "Registre importé : 10 lignes de « exemple-registre.csv »." in words
    assert "Import terminé" in words
    assert "Foyers 5 0 0 Bénéficiaires 10 0 0" in words
    assert "Foyers 10 Bénéficiaires 19" in words  # counts now include the file's
    assert re.search(r"Dernier import : le \d\d/\d\d/\d{4} \d\d:\d\d, par \S+ \S+ — exemple-registre.csv \(sha256", words)
    # the report is shown once
    assert "Import terminé" not in text(body(agent.get(PAGE)))
    (row,) = audits("succes")
    agent_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == "agent.demo"))
    assert row.compte_id == agent_id and row.praticien_id is None and row.objet_type == "registre"
    assert "exemple-registre.csv (sha256 " in row.details and "foyers : 5 créés" in row.details


def test_a_second_import_of_the_same_file_changes_nothing(agent, app_ctx):
    upload(agent, SAMPLE.read_bytes())
    before = snapshot()
    upload(agent, SAMPLE.read_bytes())
    words = text(body(agent.get(PAGE)))
    assert "Foyers 0 0 5 Bénéficiaires 0 0 10" in words and "le registre était déjà à jour" in words
    assert snapshot() == before


def test_a_refused_file_writes_nothing_and_names_its_lines(agent, app_ctx):
    before = snapshot()
    bad = csv_bytes("100011;H3K7;CCSS;verte;1;assure;Fautrier;Claire;14/02/1975;01/01/2000;;",
                    "100012;P8N4;CAMTI;rose;1;assure;D'Agostino;Hélène;05/05/1962;01/01/1995;;42:01/01/2020",
                    "100013;W5T2;SPME;bleue;1;assure;Médecin;<b>Jean</b>;30/11/1948;01/01/1995;;")
    response = upload(agent, bad, "mauvais.csv")
    assert response.status_code == 422
    page = body(response)
    words = text(page)
    assert "Fichier refusé : rien n'a été modifié" in words
    assert "« mauvais.csv » : 2 erreurs sur 3 lignes." in words
    assert "3 exonerations exonération n° 1 « 42:01/01/2020 » : nature d'exonération inconnue « 42 »" in words
    assert "4 couleur couleur inconnue « bleue »" in words
    assert "<b>Jean</b>" not in page
    assert snapshot() == before
    (row,) = audits("refus")
    assert "mauvais.csv" in row.details and "lignes 3, 4" in row.details


def test_a_refused_file_lists_at_most_100_errors(agent, app_ctx):
    lines = [f"{100100 + i};H3K7;CCSS;verte;1;assure;;Claire;14/02/1975;01/01/2000;;" for i in range(130)]
    words = text(body(upload(agent, csv_bytes(*lines))))
    assert "130 erreurs sur 130 lignes" in words and "… et 30 autres erreurs, non affichées." in words


def test_no_file_is_a_422_next_to_the_field(agent, app_ctx):
    response = upload(agent, None)
    assert response.status_code == 422
    assert "Choisissez le fichier du registre (CSV)." in text(body(response))
    assert not audits()


def test_a_missing_csrf_token_is_refused(agent, app_ctx):
    response = agent.post(IMPORT, data={"fichier": (io.BytesIO(SAMPLE.read_bytes()), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400 and members() == 9


def test_htmx_gets_the_region_on_refusal_and_a_redirect_on_success(agent, app_ctx):
    refused = upload(agent, csv_bytes("1;2;3"), headers=HX)
    assert refused.status_code == 422 and "<html" not in body(refused)
    assert 'id="registre-import"' in body(refused) and "Fichier refusé" in body(refused)
    assert "HX-Request" in refused.headers.get("Vary", "")
    done = upload(agent, SAMPLE.read_bytes(), headers=HX)
    assert done.status_code == 200 and done.headers["HX-Redirect"] == "/caisse/registre"
    assert "Import terminé" in text(body(agent.get(PAGE)))


def test_files_above_2_mb_are_admitted_here(agent, app_ctx):
    padded = SAMPLE.read_bytes() + (b" " * 100_000 + b"\n") * 32  # 3.2 MB: blank lines are ignored
    response = upload(agent, padded)
    assert response.status_code == 303 and members() == 19


def test_files_above_20_mb_get_a_french_413(agent, app_ctx):
    token = csrf_from(body(agent.get(PAGE)))
    big = b"x" * (view.UPLOAD_MAX_BYTES + 1)
    response = upload(agent, big, token=token)
    assert response.status_code == 413
    words = text(body(response))
    assert "Le fichier dépasse 20 Mo, la taille permise ici" in words and "Registre des assurés" in words
    htmx = upload(agent, big, token=token, headers=HX)
    assert htmx.status_code == 422 and "Le fichier dépasse 20 Mo" in text(body(htmx))
    assert members() == 9 and not audits()


def test_others_keep_the_2_mb_limit_and_see_nothing_of_the_registry(app, totp_clock, demo_accounts, app_ctx):
    client = app.test_client()
    signed_in(client, totp_clock, "medecin.demo")
    token = csrf_from(body(client.get("/profil")))
    response = client.post(IMPORT, data={"csrf_token": token, "fichier": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413 and "Registre" not in text(body(response))
    anonymous = app.test_client().post(IMPORT, data={"fichier": (io.BytesIO(b"x" * (3 * 1024 * 1024)), "r.csv")},
                                       content_type="multipart/form-data")
    assert anonymous.status_code == 413 and "Registre" not in text(body(anonymous))


@pytest.mark.parametrize("identifiant", ["conseil.demo", "medecin.demo"])
def test_others_are_refused(app, totp_clock, demo_accounts, app_ctx, identifiant):
    client = app.test_client()
    signed_in(client, totp_clock, identifiant)
    assert client.get(PAGE).status_code == 403
    assert client.get("/caisse/registre/exemple.csv").status_code == 403
    token = csrf_from(body(client.get("/caisse" if identifiant == "conseil.demo" else "/profil")))
    response = client.post(IMPORT, data={"csrf_token": token, "fichier": (io.BytesIO(SAMPLE.read_bytes()), "r.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403 and members() == 9


def test_anonymous_goes_to_the_login_page(client):
    assert client.get(PAGE).headers["Location"].endswith("/connexion")
    token = csrf_from(body(client.get("/connexion")))
    assert client.post(IMPORT, data={"csrf_token": token}).headers["Location"].endswith("/connexion")


def test_a_concurrent_import_that_collides_writes_nothing(agent, app_ctx, monkeypatch):
    from app.registre import importer

    real = importer.write_rows

    def colliding(session, rows, report, progress=None):
        real(session, rows, report, progress)
        raise IntegrityError("INSERT", {}, Exception("unique"))

    monkeypatch.setattr(importer, "write_rows", colliding)
    response = upload(agent, SAMPLE.read_bytes())
    assert response.status_code == 409
    assert "Le registre a été modifié pendant cet import" in text(body(response))
    assert members() == 9 and db.session.scalar(select(func.count()).select_from(Foyer)) == 5 and not audits()


def test_the_display_name_keeps_only_the_file_name():
    assert view._display_name("C:\\Users\\agent\\registre 2026.csv") == "registre 2026.csv"
    assert view._display_name("../../etc/x\x00.csv") == "x.csv"
    assert view._display_name("") == "fichier" and len(view._display_name("a" * 300)) == 80


def test_numbers_in_french():
    assert view.nombre(100000) == "100\u00a0000" and view.nombre(7) == "7"

"""Each form's history (« Historique »): its own kind only, newest first, filtered by period and
patient through a posted form, 25 a page, alike for the praticien and his assistant, nothing of
another practice, never a medical word; the region for htmx, a redirect to the page without; 422 on a
bad period. The filters are kept per kind for the signed-in session only (encrypted in the session
cookie), so the pages (?page=N) and coming back from a document keep them, and no name is ever in a URL."""

from __future__ import annotations

import base64
import itertools
import re
import zlib
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain.calendar import MONACO
from app.domain.formulaires import new_reference
from app.domain.text import fold
from app.extensions import db
from app.formulaires import medical
from app.models import Beneficiaire, Compte, Formulaire, JournalAudit
from tests.conftest import csrf_from
from tests.formulaires.conftest import it_values, text

HX = {"HX-Request": "true"}
MEDICAL = {
    "it": {"motif": "Pneumopathie franche lobaire", "elements_medicaux": "Crépitants base droite, fièvre 39,5"},
    "etm": {"affection": "Sclérose en plaques rémittente", "arguments": "Poussées répétées, IRM évolutive"},
    "invalidite": {"diagnostics": "Coxarthrose bilatérale destructrice", "incapacite": "Marche limitée à 100 m",
                   "traitement": "Prothèse totale de hanche gauche", "pronostic": "Aggravation prévisible"},
}
MEDICAL_WORDS = ("Pneumopathie", "Crépitants", "Sclérose", "IRM évolutive", "Coxarthrose", "Prothèse",
                 "Aggravation")
_serial = itertools.count(1)


def _monaco(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MONACO).astimezone(UTC)


def sent_document(kind: str, prenom: str, sent: datetime, identifiant: str = "medecin.demo",
                  statut: str = "transmis") -> str:
    """A transmitted document as « Transmettre » leaves it (patient copied, medical elements sealed),
    for the registry member of this first name; returns its reference."""
    compte = db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))
    member = db.session.scalar(select(Beneficiaire).where(Beneficiaire.prenom == prenom))
    day = sent.astimezone(MONACO).date()
    doc = Formulaire(praticien_id=compte.praticien_id, compte_id=compte.id, type=kind, statut=statut,
                     jeton=f"jeton-{next(_serial)}", reference=new_reference(kind, day),
                     foyer_id=member.foyer_id, beneficiaire_id=member.id, identifie_par="code_fse",
                     elements_medicaux=medical.seal(MEDICAL[kind]), matricule=member.foyer.matricule,
                     caisse=member.foyer.caisse, patient_nom=member.nom, patient_prenom=member.prenom,
                     patient_date_naissance=member.date_naissance,
                     patient_recherche=fold(f"{member.nom} {member.prenom}"), transmis_le=sent)
    if kind == "it":
        doc.date_debut, doc.date_fin, doc.sorties = day, day + timedelta(days=6), "non"
    elif kind == "etm":
        doc.etm_nature_code, doc.duree_mois = 41, 24
    else:
        doc.date_arret = day - timedelta(days=200)
    if statut in ("accorde", "refuse"):  # decided by the médecin conseil (the demo's)
        doc.decision_le = sent + timedelta(days=1)
        doc.decision_par_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == "conseil.demo"))
    db.session.add(doc)
    db.session.commit()
    return doc.reference


@pytest.fixture
def make_doc(auth):
    """sent_document, once the demo accounts and cards are there."""
    return sent_document


def references(html: str) -> list[str]:
    """The references listed, in their order."""
    return re.findall(r'<td data-label="Référence" class="history-ref"><a href="[^"]+">([^<]+)</a>', html)


def search(client, kind: str, headers=None, **fields):
    """Post the history's filter form as the page gives it (its CSRF token). Without htmx, valid
    filters answer 303 to the history (never a posted page for Back to resubmit): followed here."""
    url = f"/formulaires/{kind}/historique"
    data = {"csrf_token": csrf_from(client.get(url).get_data(as_text=True)), "du": "", "au": "", "patient": "",
            **fields}
    response = client.post(url, data=data, headers=headers or {})
    if response.status_code == 303:
        assert response.headers["Location"] == url
        return client.get(url)
    return response


def reset(client, kind: str, headers=None):
    """« Réinitialiser les filtres », with the token of the history's page."""
    url = f"/formulaires/{kind}/historique"
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(f"{url}/reinitialiser", data={"csrf_token": token}, headers=headers or {})


def urls(html: str) -> list[str]:
    """Every address a page links to, posts to or loads."""
    return re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', html)


@pytest.fixture
def medecin(auth):
    auth.login("medecin.demo")
    return auth.client


def test_each_history_lists_its_own_kind_newest_first(make_doc, medecin):
    today = date.today()
    old_it = make_doc("it", "Marc", _monaco(today - timedelta(days=20)))
    new_it = make_doc("it", "Julie", _monaco(today - timedelta(days=2)))
    etm = make_doc("etm", "Hélène", _monaco(today - timedelta(days=5)), statut="accorde")
    inv = make_doc("invalidite", "Philippe", _monaco(today - timedelta(days=9)), statut="refuse")
    pages = {kind: text(medecin.get(f"/formulaires/{kind}/historique")) for kind in ("it", "etm", "invalidite")}
    assert references(pages["it"]) == [new_it, old_it]
    assert references(pages["etm"]) == [etm]
    assert references(pages["invalidite"]) == [inv]
    # The row: date and time of transmission, patient and matricule, who sent it, the status.
    assert _monaco(today - timedelta(days=2)).astimezone(MONACO).strftime("%d/%m/%Y 10:00") in pages["it"]
    assert "Julie Bellando" in pages["it"] and "matricule 100001" in pages["it"]
    assert "Claire Lorenzi" in pages["it"] and ">Transmis<" in pages["it"]
    assert ">Accordé<" in pages["etm"] and ">Refusé<" in pages["invalidite"]
    # The IT's arrêt and its employer copy, downloadable again from the row; not on the other kinds.
    doc_id = db.session.scalar(select(Formulaire.id).where(Formulaire.reference == new_it))
    assert f"/formulaires/document/{doc_id}/copie-employeur.pdf" in pages["it"]
    assert f"du {today - timedelta(days=2):%d/%m/%Y}" in pages["it"]
    assert "copie-employeur" not in pages["etm"] + pages["invalidite"]
    pdf = medecin.get(f"/formulaires/document/{doc_id}/copie-employeur.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    # The landing page leads to each history.
    landing = text(medecin.get("/formulaires"))
    for kind in ("it", "etm", "invalidite"):
        assert f'href="/formulaires/{kind}/historique"' in landing


def test_filter_by_period_of_transmission_in_monaco_days(make_doc, medecin):
    day = date(2026, 3, 10)
    before = make_doc("it", "Marc", _monaco(day - timedelta(days=1), 23, 30))
    first = make_doc("it", "Julie", _monaco(day, 0, 10))  # 23:10 UTC the day before: still the 10th in Monaco
    last = make_doc("it", "Léa", _monaco(day + timedelta(days=2), 23, 50))
    after = make_doc("it", "Sophie", _monaco(day + timedelta(days=3), 0, 5))
    response = search(medecin, "it", du="10/03/2026", au="2026-03-12")
    html = text(response)
    assert response.status_code == 200 and references(html) == [last, first]
    assert "2 documents transmis</strong>, du 10/03/2026 au 12/03/2026" in html
    assert 'value="2026-03-10"' in html or 'value="10/03/2026"' in html  # the filter stays shown
    assert references(text(search(medecin, "it", du="13/03/2026"))) == [after]
    assert references(text(search(medecin, "it", au="09/03/2026"))) == [before]
    assert references(text(search(medecin, "it"))) == [after, last, first, before]


def test_filter_by_patient_name_folded_or_matricule(make_doc, medecin):
    today = date.today()
    helene = make_doc("etm", "Hélène", _monaco(today - timedelta(days=1)))
    philippe = make_doc("etm", "Philippe", _monaco(today - timedelta(days=2)))
    marc = make_doc("etm", "Marc", _monaco(today - timedelta(days=3)))
    assert references(text(search(medecin, "etm", patient="helene NOTARI"))) == [helene]
    assert references(text(search(medecin, "etm", patient="notari hélène"))) == [helene]
    assert references(text(search(medecin, "etm", patient="Notari"))) == [helene, philippe]
    assert references(text(search(medecin, "etm", patient="100001"))) == [marc]
    assert references(text(search(medecin, "etm", patient="10000"))) == [helene, philippe, marc]
    html = text(search(medecin, "etm", patient="Gastaud"))
    assert references(html) == [] and "Aucun document ne correspond à ces filtres." in html
    # The patient stays in the posted form, never in a link or an address.
    html = text(search(medecin, "etm", patient="helene"))
    assert 'value="helene"' in html and not re.search(r'(href|action|hx-post)="[^"]*helene', html)


def test_pagination_links_keep_the_filters(make_doc, medecin):
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    marc = [make_doc("it", "Marc", start + timedelta(hours=i)) for i in range(27)]
    others = [make_doc("it", "Sophie", start + timedelta(days=10, hours=i)) for i in range(3)]
    html = text(medecin.get("/formulaires/it/historique"))
    assert references(html) == (marc + others)[::-1][:25] and "Page 1 sur 2" in html
    # The pages are links with the page number only (GET: Back and a reload show them again).
    assert re.search(r'<a class="button" id="historique-formulaires-anciens" href="/formulaires/it/historique\?page=2"'
                     r' hx-get="/formulaires/it/historique\?page=2" hx-target="#historique-formulaires"', html)
    assert "Plus récents" not in html and 'name="page"' not in html
    page2 = text(medecin.get("/formulaires/it/historique?page=2"))
    assert references(page2) == marc[::-1][22:] and "Page 2 sur 2" in page2 and "Plus récents" in page2
    assert 'href="/formulaires/it/historique?page=1"' in page2
    # Filtered: the pages are those of the selection, read from the session's filters.
    assert references(text(search(medecin, "it", patient="bellando"))) == marc[::-1][:25]
    bellando = text(medecin.get("/formulaires/it/historique?page=2"))
    assert references(bellando) == marc[:2][::-1] and "27 documents transmis" in bellando
    assert 'value="bellando"' in bellando
    assert references(text(medecin.get("/formulaires/it/historique?page=9"))) == marc[:2][::-1]  # the last
    assert references(text(medecin.get("/formulaires/it/historique?page=x"))) == marc[::-1][:25]
    fragment = medecin.get("/formulaires/it/historique?page=2", headers=HX)
    assert references(text(fragment)) == marc[:2][::-1] and "<html" not in text(fragment)
    assert "HX-Replace-Url" not in fragment.headers  # the pagination pushes its own address


def test_the_assistant_sees_the_same_histories(make_doc, auth):
    today = date.today()
    it = make_doc("it", "Marc", _monaco(today - timedelta(days=1)))
    etm = make_doc("etm", "Hélène", _monaco(today - timedelta(days=1)))
    auth.login("assistant.demo", "Assistant-FSE-2026")
    html = text(auth.client.get("/formulaires/it/historique"))
    assert references(html) == [it] and "copie-employeur.pdf" in html
    assert references(text(auth.client.get("/formulaires/etm/historique"))) == [etm]
    assert references(text(search(auth.client, "etm", patient="notari"))) == [etm]
    landing = text(auth.client.get("/formulaires"))
    assert 'href="/formulaires/invalidite/historique"' in landing
    assert auth.client.get("/formulaires/it").status_code == 403  # the forms themselves are the praticien's


def test_another_practice_sees_none_of_them(make_doc, auth, client):
    today = date.today()
    make_doc("it", "Marc", _monaco(today - timedelta(days=1)))
    make_doc("etm", "Hélène", _monaco(today - timedelta(days=1)))
    theirs = make_doc("it", "Sophie", _monaco(today - timedelta(days=1)), identifiant="dentiste.demo")
    auth.login("dentiste.demo")
    html = text(auth.client.get("/formulaires/it/historique"))
    assert references(html) == [theirs] and "Bellando" not in html
    assert references(text(search(auth.client, "it", patient="100001"))) == []
    # A kind the dentist does not write: refused and logged, as on the forms.
    assert auth.client.get("/formulaires/etm/historique").status_code == 403
    refused = db.session.scalar(select(JournalAudit).where(JournalAudit.action == "acces.refuse")
                                .order_by(JournalAudit.numero.desc()))
    assert refused.objet_id == "formulaires.history"
    auth.logout()
    auth.login("nouveau.demo")  # a médecin of another practice
    assert references(text(auth.client.get("/formulaires/etm/historique"))) == []
    assert references(text(auth.client.get("/formulaires/it/historique"))) == []


def test_no_medical_word_in_the_histories(make_doc, doctor):
    today = date.today()
    for kind, prenom in (("it", "Marc"), ("etm", "Hélène"), ("invalidite", "Philippe")):
        make_doc(kind, prenom, _monaco(today - timedelta(days=1)))
    # And one transmitted through the real page, its medical words typed.
    doctor.identify()
    response = doctor.post("transmettre", {"beneficiaire": doctor.member_ids()[0], **it_values()})
    assert response.status_code == 200, text(response)
    typed = ("Lombalgie", "hyperalgique", "Contracture", "Lasègue")
    for kind in ("it", "etm", "invalidite"):
        for html in (text(doctor.client.get(f"/formulaires/{kind}/historique")),
                     text(search(doctor.client, kind, patient="1000", headers=HX)),
                     text(search(doctor.client, kind))):
            assert references(html)
            for word in MEDICAL_WORDS + typed:
                assert word not in html, (kind, word)


def test_fragment_for_htmx_page_without(make_doc, medecin):
    ref = make_doc("invalidite", "Philippe", _monaco(date.today() - timedelta(days=1)))
    fragment = search(medecin, "invalidite", headers=HX, patient="notari")
    html = text(fragment)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="historique-formulaires"') and references(html) == [ref]
    assert 'hx-post="/formulaires/invalidite/historique"' in html and 'hx-target="#historique-formulaires"' in html
    # The address bar goes back to the history's (a pushed ?page=N belonged to the former selection).
    assert fragment.headers["HX-Replace-Url"] == "/formulaires/invalidite/historique"
    token = csrf_from(text(medecin.get("/formulaires/invalidite/historique")))
    posted = medecin.post("/formulaires/invalidite/historique", data={"csrf_token": token, "patient": "notari"})
    # Without JavaScript: 303 to the history, whose GET shows the kept filters.
    assert posted.status_code == 303 and posted.headers["Location"] == "/formulaires/invalidite/historique"
    page = medecin.get("/formulaires/invalidite/historique")
    assert page.status_code == 200 and "<html" in text(page) and references(text(page)) == [ref]
    assert 'value="notari"' in text(page)
    get = medecin.get("/formulaires/invalidite/historique")
    assert "<html" in text(get) and "HX-Request" in get.headers["Vary"]
    assert medecin.get("/formulaires/invalidite/historique", headers=HX).get_data(as_text=True).lstrip() \
        .startswith('<div id="historique-formulaires"')


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_bad_period_is_422_with_the_message_next_to_the_field(make_doc, medecin, headers):
    make_doc("it", "Marc", _monaco(date.today() - timedelta(days=1)))
    response = search(medecin, "it", headers=headers, du="12/03/2026", au="10/03/2026", patient="bellando")
    html = text(response)
    assert response.status_code == 422 and ("<html" in html) == (not headers)
    assert re.search(r'<p class="field-error" id="au-erreur">La date de fin précède la date de début.</p>', html)
    assert 'value="bellando"' in html and "10/03/2026" in html and references(html) == []
    response = search(medecin, "it", headers=headers, du="32/13/2026")
    html = text(response)
    assert response.status_code == 422 and 'id="du-erreur">Date invalide : saisissez-la au format jj/mm/aaaa.' in html
    assert 'value="32/13/2026"' in html
    # Nothing was kept: the history still lists everything.
    after = text(medecin.get("/formulaires/it/historique"))
    assert len(references(after)) == 1 and 'value="bellando"' not in after


@pytest.mark.parametrize("headers, code", [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_token_keeps_the_filters_typed(make_doc, medecin, app, headers, code):
    from tests.fse.test_fse_fixes import fresh_token_in, stale_token

    ref = make_doc("it", "Marc", _monaco(date.today() - timedelta(days=1)))
    medecin.get("/formulaires/it/historique")
    stale = stale_token(medecin, app)
    response = medecin.post("/formulaires/it/historique", data={"patient": "bellando", "csrf_token": stale},
                            headers=headers)
    html = text(response)
    assert response.status_code == code and "Le formulaire a expiré" in html and 'value="bellando"' in html
    assert references(html) == []  # nothing applied, nothing kept
    assert 'value="bellando"' not in text(medecin.get("/formulaires/it/historique"))
    again = medecin.post("/formulaires/it/historique",
                         data={"patient": "bellando", "csrf_token": fresh_token_in(html, stale)}, headers=headers)
    assert again.status_code == (200 if headers else 303)
    assert references(text(medecin.get("/formulaires/it/historique"))) == [ref]


@pytest.mark.parametrize("headers, code", [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_reset_keeps_the_filters_and_their_list(make_doc, medecin, app, headers, code):
    from tests.fse.test_fse_fixes import fresh_token_in, stale_token

    marc = make_doc("it", "Marc", _monaco(date.today() - timedelta(days=1)))
    make_doc("it", "Sophie", _monaco(date.today() - timedelta(days=2)))
    search(medecin, "it", patient="bellando")
    stale = stale_token(medecin, app)
    response = medecin.post("/formulaires/it/historique/reinitialiser", data={"csrf_token": stale},
                            headers=headers)
    html = text(response)
    assert response.status_code == code and "Le formulaire a expiré" in html
    assert 'value="bellando"' in html and references(html) == [marc]
    again = medecin.post("/formulaires/it/historique/reinitialiser",
                         data={"csrf_token": fresh_token_in(html, stale)}, headers=headers)
    assert again.status_code == (200 if headers else 303)
    assert len(references(text(medecin.get("/formulaires/it/historique")))) == 2


def test_refused_to_professions_without_forms(auth):
    auth.login("infirmier.demo")
    for kind in ("it", "etm", "invalidite"):
        assert auth.client.get(f"/formulaires/{kind}/historique").status_code == 403


def test_the_filters_stay_per_kind_across_a_document_and_reset_clears_them(make_doc, medecin):
    today = date.today()
    marc = make_doc("it", "Marc", _monaco(today - timedelta(days=1)))
    sophie = make_doc("it", "Sophie", _monaco(today - timedelta(days=2)))
    etm = make_doc("etm", "Hélène", _monaco(today - timedelta(days=1)))
    search(medecin, "it", patient="bellando", du=(today - timedelta(days=10)).strftime("%d/%m/%Y"))
    # A document, its employer copy, another kind's history: the IT's filters are still there after.
    doc_id = db.session.scalar(select(Formulaire.id).where(Formulaire.reference == marc))
    document = text(medecin.get(f"/formulaires/document/{doc_id}"))
    assert re.search(r'<a href="/formulaires/it/historique" id="retour-historique">← Historique</a>', document)
    assert medecin.get(f"/formulaires/document/{doc_id}/copie-employeur.pdf").status_code == 200
    assert references(text(medecin.get("/formulaires/etm/historique"))) == [etm]  # its own state: none
    html = text(medecin.get("/formulaires/it/historique"))
    assert references(html) == [marc] and 'value="bellando"' in html
    assert f'value="{today - timedelta(days=10):%Y-%m-%d}"' in html
    assert not re.search(r'id="historique-reinitialiser"[^>]*disabled', html)
    # Opened from page 2, the document leads back to page 2 (a number only).
    document = text(medecin.get(f"/formulaires/document/{doc_id}?page=2"))
    assert 'href="/formulaires/it/historique?page=2" id="retour-historique"' in document
    # « Réinitialiser les filtres »: 303 without JavaScript, the region with htmx; everything again.
    response = reset(medecin, "it")
    assert response.status_code == 303 and response.headers["Location"] == "/formulaires/it/historique"
    html = text(medecin.get("/formulaires/it/historique"))
    assert references(html) == [marc, sophie] and 'value="bellando"' not in html
    assert re.search(r'id="historique-reinitialiser"[^>]*disabled', html)
    search(medecin, "it", patient="crovetto")
    fragment = reset(medecin, "it", headers=HX)
    assert fragment.status_code == 200 and references(text(fragment)) == [marc, sophie]
    assert fragment.headers["HX-Replace-Url"] == "/formulaires/it/historique"
    assert text(fragment).lstrip().startswith('<div id="historique-formulaires"')
    assert references(text(medecin.get("/formulaires/it/historique"))) == [marc, sophie]
    # A reset without its token is refused.
    assert medecin.post("/formulaires/it/historique/reinitialiser").status_code == 400


def test_another_session_or_a_new_sign_in_does_not_get_the_filters(make_doc, auth, app, totp_clock):
    from tests.conftest import AuthActions

    today = date.today()
    marc = make_doc("it", "Marc", _monaco(today - timedelta(days=1)))
    sophie = make_doc("it", "Sophie", _monaco(today - timedelta(days=2)))
    auth.login("medecin.demo")
    search(auth.client, "it", patient="bellando")
    assert references(text(auth.client.get("/formulaires/it/historique"))) == [marc]
    with auth.client.session_transaction() as session:
        token = session["formulaires:it"]
    # The same praticien signed in on another tablet: unfiltered, even with the first session's token.
    other = app.test_client()
    AuthActions(other, totp_clock).login("medecin.demo")
    assert references(text(other.get("/formulaires/it/historique"))) == [marc, sophie]
    with other.session_transaction() as session:
        session["formulaires:it"] = token
    html = text(other.get("/formulaires/it/historique"))
    assert references(html) == [marc, sophie] and 'value="bellando"' not in html
    # The assistant of the practice, handed the token: nothing either.
    assistant = app.test_client()
    AuthActions(assistant, totp_clock).login("assistant.demo", "Assistant-FSE-2026")
    with assistant.session_transaction() as session:
        session["formulaires:it"] = token
    assert references(text(assistant.get("/formulaires/it/historique"))) == [marc, sophie]
    # Signed out then in again in the same browser: a new session starts unfiltered.
    assert references(text(auth.client.get("/formulaires/it/historique"))) == [marc]
    auth.logout()
    auth.login("medecin.demo")
    with auth.client.session_transaction() as session:
        session["formulaires:it"] = token  # even if the browser kept the old cookie's value
    html = text(auth.client.get("/formulaires/it/historique"))
    assert references(html) == [marc, sophie] and 'value="bellando"' not in html


def test_a_tampered_state_gives_no_filter(make_doc, medecin):
    today = date.today()
    marc = make_doc("it", "Marc", _monaco(today - timedelta(days=1)))
    sophie = make_doc("it", "Sophie", _monaco(today - timedelta(days=2)))
    search(medecin, "it", patient="bellando")
    with medecin.session_transaction() as session:
        token = session["formulaires:it"]
    raw = bytearray(base64.urlsafe_b64decode(token))
    raw[-40] ^= 0x01  # one bit of the ciphertext
    for forged in (base64.urlsafe_b64encode(bytes(raw)).decode(), token[:-8], "pas-un-jeton", 12, ""):
        with medecin.session_transaction() as session:
            session["formulaires:it"] = forged
        response = medecin.get("/formulaires/it/historique")
        assert response.status_code == 200 and references(text(response)) == [marc, sophie], forged
        assert 'value="bellando"' not in text(response)


def test_the_state_reads_back_and_malformed_gives_no_filter():
    from app.formulaires.history_services import FormHistoryFilters

    filters = FormHistoryFilters(du=date(2026, 3, 10), au=date(2026, 3, 12), patient="Bellando")
    assert FormHistoryFilters.from_json(filters.to_json()) == filters
    assert FormHistoryFilters.from_json(FormHistoryFilters().to_json()) == FormHistoryFilters()
    for bad in ({"du": "2026-13-40"}, {"du": 20260310}, {"patient": ["x"]}, {"patient": "x" * 81},
                {"du": "2026-03-12", "au": "2026-03-10"}, {"au": {"a": 1}}):
        assert FormHistoryFilters.from_json(bad) == FormHistoryFilters(), bad


def test_no_name_or_matricule_in_any_url_or_in_the_cookie(make_doc, medecin):
    start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    ids = [make_doc("it", "Marc", start + timedelta(hours=i)) for i in range(27)]
    doc_id = db.session.scalar(select(Formulaire.id).where(Formulaire.reference == ids[0]))
    token = csrf_from(text(medecin.get("/formulaires/it/historique")))
    posted = medecin.post("/formulaires/it/historique", data={"csrf_token": token, "patient": "Bellando"})
    fragment = medecin.post("/formulaires/it/historique", data={"csrf_token": token, "patient": "100001"},
                            headers=HX)
    addresses = [posted.headers["Location"], fragment.headers["HX-Replace-Url"]]
    pages = [text(fragment), text(medecin.get("/formulaires/it/historique")),
             text(medecin.get("/formulaires/it/historique?page=2")),
             text(medecin.get("/formulaires/it/historique?page=2", headers=HX)),
             text(medecin.get(f"/formulaires/document/{doc_id}?page=2"))]
    assert 'value="100001"' in pages[1]
    for html in pages:
        found = urls(html)
        assert found and not re.search(r'<form[^>]*method="get"', html)
        addresses.extend(found)
    for address in addresses:
        assert not re.search(r"10000\d|bellando|marc", address, re.I), address
    # The session cookie holds an opaque token: neither the name nor the matricule can be read in it.
    cookie = medecin.get_cookie("fse_session").value
    payload = cookie.split(".")[1 if cookie.startswith(".") else 0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    decoded = (zlib.decompress(raw) if cookie.startswith(".") else raw).decode("utf-8", "replace")
    assert "formulaires:it" in decoded and "100001" not in decoded and "bellando" not in decoded.lower()


def test_the_employer_copy_opens_in_a_new_tab_labelled_as_such(make_doc, medecin):
    ref = make_doc("it", "Marc", _monaco(date.today() - timedelta(days=1)))
    doc_id = db.session.scalar(select(Formulaire.id).where(Formulaire.reference == ref))
    html = text(medecin.get("/formulaires/it/historique"))
    assert re.search(rf'<td data-label="Exemplaire employeur" class="history-copy"><a href="/formulaires/document/'
                     rf'{doc_id}/copie-employeur.pdf" target="_blank" rel="noopener">Ouvrir le PDF<span class='
                     rf'"visually-hidden"> de l\'exemplaire employeur {ref} \(nouvel onglet\)</span></a></td>', html)
    assert '<th scope="col">Exemplaire employeur</th>' in html and 'data-label="Employeur"' not in html

"""« Historique FSE » through the real routes: the list, each filter, the totals, pages, the 12 months,
the detail, fragments and pages, and no patient data in any URL."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.history.conftest import monaco

HX = {"HX-Request": "true"}
ECG = (("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1"))


def rows(html: str) -> list[int]:
    return [int(value) for value in re.findall(r'data-fse="(\d+)"', html)]


def count(html: str) -> int:
    return int(re.search(r'data-count="(\d+)"', html).group(1))


def totals(html: str) -> dict[str, str]:
    return {name: value.replace("\u00a0", " ") for name, value in re.findall(r'data-total="(\w+)">([^<]+)<', html)}


def filter_(auth, headers=None, follow_redirects=False, **data):
    """Post the filter form as the browser would, every field present."""
    fields = {"du": "", "au": "", "patient": "", "caisse": "", "statut": "", "hnp": "", "montant_min": "",
              "montant_max": "", "personne": ""}
    fields.update(data)
    return auth.post("/historique", fields, get_path="/historique", headers=headers or {},
                     follow_redirects=follow_redirects)


@pytest.fixture
def sample(make_fse):
    """Six FSE of medecin.demo's practice over the year, and one of dentiste.demo."""
    t = make_fse.today
    ids = {
        "bellando": make_fse(matricule="100001", rang=1, sent=monaco(t - timedelta(days=2), 9)),
        "hugo": make_fse(matricule="100001", rang=4, sent=monaco(t - timedelta(days=40), 11), acts=ECG),
        "crovetto": make_fse(matricule="100002", sent=monaco(t - timedelta(days=100), 15),
                             ponderation=Decimal("1.20")),
        "notari_hnp": make_fse(who="assistant.demo", matricule="100003", rang=2,
                               sent=monaco(t - timedelta(days=200), 10)),
        "gastaud": make_fse(matricule="100004", sent=monaco(t - timedelta(days=300), 16), hnp=True),
        "assistant": make_fse(who="assistant.demo", matricule="100004", sent=monaco(t - timedelta(days=5), 17)),
        "dentiste": make_fse(who="dentiste.demo", matricule="100001", sent=monaco(t - timedelta(days=3), 12)),
    }
    return ids


def test_the_list_newest_first_with_who_made_each_row(sample, medecin):
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [sample[k] for k in ("bellando", "assistant", "hugo", "crovetto", "notari_hnp", "gastaud")]
    assert sample["dentiste"] not in rows(html)
    row = re.search(rf'<tr data-fse="{sample["assistant"]}">(.*?)</tr>', html, re.S).group(1)
    assert "Camille Rey" in row and "Alain" in row and "Transmise" in row
    mine = re.search(rf'<tr data-fse="{sample["bellando"]}">(.*?)</tr>', html, re.S).group(1)
    assert "Claire Lorenzi" in mine and f'href="/historique/{sample["bellando"]}"' in mine


def test_an_assistant_sees_his_praticiens_history(sample, auth):
    auth.login("assistant.demo", "Assistant-FSE-2026")
    html = auth.client.get("/historique").get_data(as_text=True)
    assert count(html) == 6 and sample["dentiste"] not in rows(html)


def test_twelve_months_only(make_fse, medecin):
    """From the same day twelve months ago (Monaco days): the day before is out, 13 months ago too."""
    from app.history.services import twelve_months_before

    t = make_fse.today
    first = twelve_months_before(t)
    old = make_fse(sent=monaco(first - timedelta(days=1), 23, 55))
    thirteen = make_fse(sent=monaco(t - timedelta(days=395), 10))
    edge = make_fse(sent=monaco(first, 0, 5))
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [edge]
    assert old not in rows(html) and thirteen not in rows(html)
    # A period reaching further back is clamped to the 12 months.
    response = filter_(medecin, du=(t - timedelta(days=500)).strftime("%d/%m/%Y"), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert rows(html) == [edge]
    assert (f'id="historique-periode">Période ramenée au {first:%d/%m/%Y} : seuls les 12 derniers mois sont '
            "consultables.") in html.replace("&#39;", "'")
    assert f"période du {first:%d/%m/%Y} au {t:%d/%m/%Y}" in html


@pytest.mark.parametrize("data, expected", [
    ({"patient": "bellando"}, ["bellando", "hugo"]),
    ({"patient": "BELLANDÓ  marc"}, ["bellando"]),
    ({"patient": "hélène NOTARI"}, ["notari_hnp"]),
    ({"patient": "100004"}, ["assistant", "gastaud"]),
    ({"patient": "1000"}, ["bellando", "assistant", "hugo", "crovetto", "notari_hnp", "gastaud"]),
    ({"caisse": "CAMTI"}, ["notari_hnp"]),
    ({"statut": "rejetee"}, ["crovetto"]),
    ({"hnp": "oui"}, ["gastaud"]),
    ({"hnp": "non"}, ["bellando", "assistant", "hugo", "crovetto", "notari_hnp"]),
    ({"montant_min": "35,5"}, ["hugo", "crovetto"]),
    ({"montant_max": "30"}, ["bellando", "assistant", "notari_hnp", "gastaud"]),
    ({"montant_min": "36,00", "montant_max": "36,00"}, ["crovetto"]),
])
def test_each_filter_alone(sample, medecin, db, data, expected):
    from app.models import Fse

    fse = db.session.get(Fse, sample["crovetto"])
    fse.statut, fse.motif_rejet, fse.statut_change_le = "rejetee", "Droits fermés", fse.transmise_le
    db.session.commit()
    response = filter_(medecin, **data)
    assert response.status_code == 302 and response.headers["Location"] == "/historique"
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [sample[k] for k in expected]


def test_period_and_person_filters_and_their_combination(sample, medecin, make_fse):
    from tests.history.conftest import compte

    t = make_fse.today
    assistant = compte("assistant.demo").id
    html = filter_(medecin, personne=str(assistant), follow_redirects=True).get_data(as_text=True)
    assert rows(html) == [sample["assistant"], sample["notari_hnp"]]
    du, au = (t - timedelta(days=150)).strftime("%d/%m/%Y"), (t - timedelta(days=3)).isoformat()
    html = filter_(medecin, du=du, au=au, follow_redirects=True).get_data(as_text=True)
    assert rows(html) == [sample["assistant"], sample["hugo"], sample["crovetto"]]
    html = filter_(medecin, du=du, au=au, personne=str(assistant), patient="gastaud",
                   follow_redirects=True).get_data(as_text=True)
    assert rows(html) == [sample["assistant"]]
    html = filter_(medecin, du=du, au=au, caisse="CCSS", montant_min="31").get_data(as_text=True)
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [sample["hugo"], sample["crovetto"]]


def test_another_praticiens_account_is_refused_as_person(sample, medecin):
    from tests.history.conftest import compte

    response = filter_(medecin, personne=str(compte("dentiste.demo").id))
    assert response.status_code == 422
    assert "Choisissez une personne de la liste." in response.get_data(as_text=True)


def test_totals_line_covers_the_whole_selection(sample, medecin, monkeypatch, db):
    from app.domain.money import format_euros
    from app.models import Fse

    monkeypatch.setattr("app.history.services.PAGE_SIZE", 2)
    filter_(medecin, montant_max="30")
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert count(html) == 4 and len(rows(html)) == 2
    selected = [db.session.get(Fse, sample[k]) for k in ("bellando", "assistant", "notari_hnp", "gastaud")]
    expected = {name: format_euros(sum(getattr(f, column) for f in selected)).replace("\u00a0", " ")
                for name, column in (("base", "total_base"), ("facture", "total_facture"),
                                     ("part_caisse", "part_caisse"), ("part_patient", "part_patient"))}
    assert totals(html) == expected and expected["facture"] == "120,00 €"
    assert "4 FSE</strong>, période du" in html and "historique-exclues" not in html


def test_pagination_keeps_the_filters(sample, medecin, monkeypatch):
    monkeypatch.setattr("app.history.services.PAGE_SIZE", 2)
    filter_(medecin, hnp="non")
    first = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(first) == [sample["bellando"], sample["assistant"]]
    assert 'href="/historique?page=2"' in first and "Page 1 sur 3" in first
    second = medecin.client.get("/historique?page=2").get_data(as_text=True)
    assert rows(second) == [sample["hugo"], sample["crovetto"]]
    third = medecin.client.get("/historique?page=9", headers=HX)
    assert rows(third.get_data(as_text=True)) == [sample["notari_hnp"]]
    assert "<html" not in third.get_data(as_text=True) and "HX-Request" in third.headers["Vary"]


def test_filters_survive_a_detail_and_reset_clears_them(sample, medecin):
    filter_(medecin, patient="bellando")
    medecin.client.get(f"/historique/{sample['bellando']}")
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [sample["bellando"], sample["hugo"]] and 'value="bellando"' in html
    response = medecin.post("/historique/reinitialiser", {}, get_path="/historique")
    assert response.status_code == 302
    assert count(medecin.client.get("/historique").get_data(as_text=True)) == 6


def test_filters_are_not_readable_in_the_cookie(sample, medecin):
    filter_(medecin, patient="bellando")
    import base64
    import zlib

    session_cookie = medecin.client.get_cookie("fse_session").value
    payload = session_cookie.split(".")[1 if session_cookie.startswith(".") else 0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    text = (zlib.decompress(raw) if session_cookie.startswith(".") else raw).decode("utf-8", "replace")
    assert "historique" in text and "bellando" not in text.lower()


def test_filters_as_fragment_and_as_page(sample, medecin):
    fragment = filter_(medecin, patient="crovetto", headers=HX)
    html = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and html.lstrip().startswith("<div id=\"historique\"")
    assert rows(html) == [sample["crovetto"]] and "HX-Request" in fragment.headers["Vary"]
    page = medecin.client.get("/historique")
    assert "<html" in page.get_data(as_text=True) and "HX-Request" in page.headers["Vary"]
    reset = medecin.post("/historique/reinitialiser", {}, get_path="/historique", headers=HX)
    assert reset.status_code == 200 and count(reset.get_data(as_text=True)) == 6


@pytest.mark.parametrize("data, field, message", [
    ({"du": "31/02/2026"}, "du", "Date invalide"),
    ({"montant_min": "douze"}, "montant_min", "Montant invalide"),
    ({"montant_max": "12,345"}, "montant_max", "Montant invalide"),
    ({"montant_min": "50", "montant_max": "20"}, "montant_max", "inférieur au minimum"),
])
@pytest.mark.parametrize("headers", [{}, HX])
def test_bad_input_is_422_with_the_message_and_the_input_kept(sample, medecin, data, field, message, headers):
    response = filter_(medecin, patient="bellando", headers=headers, **data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="field-error" id="{field}-erreur">([^<]+)</p>', html)
    assert error and message in error.group(1)
    for value in data.values():
        assert f'value="{value}"' in html
    assert 'value="bellando"' in html
    assert ("<html" in html) == (not headers)


def test_filter_without_csrf_is_refused(sample, medecin):
    assert medecin.client.post("/historique", data={"patient": "x"}).status_code == 400


def test_no_matricule_or_name_in_any_url(sample, medecin, monkeypatch):
    monkeypatch.setattr("app.history.services.PAGE_SIZE", 2)
    pages = [filter_(medecin, patient="100001", follow_redirects=True).get_data(as_text=True),
             filter_(medecin, patient="Bellando", headers=HX).get_data(as_text=True),
             medecin.client.get("/historique?page=2").get_data(as_text=True),
             medecin.client.get(f"/historique/{sample['bellando']}").get_data(as_text=True)]
    for html in pages:
        urls = re.findall(r'(?:href|action|hx-get|hx-post|src)="([^"]*)"', html)
        assert urls
        for url in urls:
            assert not re.search(r"10000\d|bellando|notari|crovetto|gastaud", url, re.I), url
        assert not re.search(r'<form[^>]*method="get"', html)


def test_detail_shows_acts_amounts_people_and_status(sample, medecin, db):
    from app.models import Fse

    html = medecin.client.get(f"/historique/{sample['hugo']}").get_data(as_text=True)
    for text in ("DEQP003", "Hugo Bellando", "100001 · CCSS", "Claire Lorenzi", "Transmise", "Tarif de base",
                 "Dépassement", "Part caisse", "Part patient", "Maladie"):
        assert text in html, text
    assert "Motif du rejet" not in html and "Supprimer cette FSE" not in html
    html = medecin.client.get(f"/historique/{sample['notari_hnp']}").get_data(as_text=True)
    assert "Saisie par</dt><dd>Camille Rey" in html
    fse = db.session.get(Fse, sample["gastaud"])
    fse.statut, fse.motif_rejet, fse.statut_change_le = "rejetee", "Bénéficiaire inconnu à cette date", fse.transmise_le
    db.session.commit()
    html = medecin.client.get(f"/historique/{sample['gastaud']}").get_data(as_text=True)
    assert "Rejetée" in html and "Motif du rejet :</strong> Bénéficiaire inconnu à cette date" in html
    assert "@media print" in medecin.client.get("/static/css/app.css").get_data(as_text=True)


def test_another_praticien_gets_404(sample, auth):
    auth.login("dentiste.demo")
    for path in (f"/historique/{sample['bellando']}", f"/historique/{sample['bellando']}/supprimer"):
        assert auth.client.get(path).status_code == 404
    html = auth.client.get("/historique").get_data(as_text=True)
    assert rows(html) == [sample["dentiste"]] and "RDD" in html


def test_a_draft_is_not_in_the_history(sample, medecin, db):
    from app.models import Fse

    from sqlalchemy import select

    medecin.client.get("/fse")  # makes the draft
    draft = db.session.scalars(select(Fse).where(Fse.statut == "brouillon")).first()
    assert draft is not None
    assert medecin.client.get(f"/historique/{draft.id}").status_code == 404


def month_row(html: str, label: str) -> tuple[int, str]:
    match = re.search(rf'<th scope="row">{label}</th><td>(\d+)</td><td>([^<]+)</td>', html)
    return int(match.group(1)), match.group(2).replace("\u00a0", " ")


def test_chart_buckets_months_in_monaco_time(make_fse, medecin):
    """00:30 on the 1st in Monaco is still the previous month in UTC (22:30 in summer, 23:30 in winter)."""
    from datetime import date

    t = make_fse.today
    july = date(t.year if (t.month, t.day) >= (7, 2) else t.year - 1, 7, 1)
    january = date(t.year if (t.month, t.day) >= (1, 2) else t.year - 1, 1, 1)
    make_fse(sent=monaco(july, 0, 30))
    make_fse(sent=monaco(january, 0, 30))
    make_fse(sent=monaco(january - timedelta(days=1), 23, 30))
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert month_row(html, f"juillet {july.year}")[0] == 1
    assert month_row(html, f"juin {july.year}")[0] == 0
    assert month_row(html, f"janvier {january.year}")[0] == 1
    if january - timedelta(days=1) >= t.replace(year=t.year - 1):
        assert month_row(html, f"décembre {january.year - 1}")[0] == 1
    assert html.count('class="chart-bar"') >= 2 and "<svg" in html
    # The chart follows the filters.
    html = filter_(medecin, au=(january - timedelta(days=1)).strftime("%d/%m/%Y"), headers=HX).get_data(as_text=True)
    assert month_row(html, f"juillet {july.year}")[0] == 0


# --- Fixes after review -------------------------------------------------------------------------

def summary(html: str) -> str:
    text = re.search(r'id="historique-total"[^>]*>(.*?)</p>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", "", text).replace("\u00a0", " ").split())


def status(db, fse_id, statut, **values):
    from app.models import Fse

    fse = db.session.get(Fse, fse_id)
    fse.statut, fse.statut_change_le = statut, fse.transmise_le
    for name, value in values.items():
        setattr(fse, name, value)
    db.session.commit()


@pytest.fixture
def deleted_and_kept(make_fse, db):
    """Two 30 € consultations: one transmitted, one deleted; a third rejected."""
    t = make_fse.today
    kept = make_fse(sent=monaco(t - timedelta(days=3), 10))
    deleted = make_fse(sent=monaco(t - timedelta(days=2), 10))
    rejected = make_fse(sent=monaco(t - timedelta(days=1), 10))
    status(db, deleted, "supprimee")
    status(db, rejected, "rejetee", motif_rejet="Droits fermés")
    return kept, deleted, rejected


def test_deleted_and_rejected_fse_are_listed_but_not_summed_nor_charted(deleted_and_kept, medecin, make_fse):
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert count(html) == 3 and len(rows(html)) == 3
    assert totals(html)["facture"] == "30,00 €" and totals(html)["base"] == "30,00 €"
    t = make_fse.today
    assert summary(html).startswith("3 FSE, période du")
    assert "Dont 1 supprimée et 1 rejetée, non comptées dans les montants ni le graphique." in summary(html)
    months = re.findall(r'<th scope="row">[^<]+</th><td>(\d+)</td><td>([^<]+)</td>', html)
    assert sum(int(n) for n, _ in months) == 1
    assert "Montant facturé par mois · 30,00\u00a0€ sur la période" in html
    assert f"au {t:%d/%m/%Y} (filtrées)" not in html and f"au {t:%d/%m/%Y}." in summary(html)


@pytest.mark.parametrize("statut, words", [("supprimee", "supprimée"), ("rejetee", "rejetée")])
def test_filtering_exactly_the_deleted_sums_them_labelled_so(deleted_and_kept, medecin, statut, words):
    html = filter_(medecin, statut=statut, follow_redirects=True).get_data(as_text=True)
    assert count(html) == 1 and totals(html)["facture"] == "30,00 €"
    text = summary(html)
    assert text.startswith(f"1 FSE {words}, période du") and "transmise" not in text
    assert f"Les montants ci-dessous sont ceux de ces FSE {words}s : ils ne comptent pas dans le facturé." in text
    assert f"Montant des FSE {words}s par mois" in html
    months = re.findall(r'<th scope="row">[^<]+</th><td>(\d+)</td>', html)
    assert sum(int(n) for n in months) == 1


def test_filtering_the_transmitted_says_so(deleted_and_kept, medecin):
    html = filter_(medecin, statut="transmise", follow_redirects=True).get_data(as_text=True)
    assert summary(html).startswith("1 FSE transmise, période du") and totals(html)["facture"] == "30,00 €"


def test_the_date_column_says_what_its_two_dates_are(sample, medecin):
    html = medecin.client.get("/historique").get_data(as_text=True)
    assert '<th scope="col">Date des soins<br><span class="muted">transmise le</span></th>' in html
    assert "Soins · transmise" not in html


@pytest.mark.parametrize("headers", [{}, HX])
def test_a_period_wholly_before_the_twelve_months_is_refused(sample, medecin, make_fse, headers):
    from app.history.services import twelve_months_before

    first = twelve_months_before(make_fse.today)
    before = (first - timedelta(days=1)).strftime("%d/%m/%Y")
    response = filter_(medecin, du="01/01/2020", au=before, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'<p class="field-error" id="au-erreur">([^<]+)</p>', html)
    assert error and error.group(1) == f"Seuls les 12 derniers mois sont consultables (depuis le {first:%d/%m/%Y})."
    assert f'value="{before}"' in html and 'value="01/01/2020"' in html


def test_a_period_starting_after_today_is_refused(sample, medecin, make_fse):
    response = filter_(medecin, du=(make_fse.today + timedelta(days=3)).strftime("%d/%m/%Y"))
    assert response.status_code == 422
    assert "postérieure à aujourd" in response.get_data(as_text=True)


def test_the_detail_brings_back_to_the_lists_page(sample, medecin, monkeypatch):
    monkeypatch.setattr("app.history.services.PAGE_SIZE", 2)
    second = medecin.client.get("/historique?page=2", headers=HX).get_data(as_text=True)
    assert f'href="/historique/{sample["hugo"]}?page=2"' in second
    detail = medecin.client.get(f"/historique/{sample['hugo']}?page=2").get_data(as_text=True)
    assert 'class="back-link" href="/historique?page=2"' in detail
    first = medecin.client.get("/historique").get_data(as_text=True)
    assert f'href="/historique/{sample["bellando"]}"' in first
    detail = medecin.client.get(f"/historique/{sample['bellando']}").get_data(as_text=True)
    assert 'class="back-link" href="/historique"' in detail
    assert 'href="/historique?page=' not in medecin.client.get(
        f"/historique/{sample['bellando']}?page=abc").get_data(as_text=True)


def test_filter_and_reset_replace_a_pushed_page_number_in_the_address(sample, medecin):
    for response in (filter_(medecin, patient="bellando", headers=HX),
                     filter_(medecin, montant_min="douze", headers=HX),
                     medecin.post("/historique/reinitialiser", {}, get_path="/historique", headers=HX)):
        assert response.headers["HX-Replace-Url"] == "/historique", response.status_code
    assert "HX-Replace-Url" not in medecin.client.get("/historique?page=2", headers=HX).headers


@pytest.mark.parametrize("headers, code", [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_token_on_the_filters_keeps_the_input_and_applies_nothing(sample, medecin, app, headers, code):
    from tests.fse.test_fse_fixes import fresh_token_in, stale_token

    filter_(medecin, caisse="CAMTI")
    stale = stale_token(medecin.client, app)
    response = medecin.client.post("/historique", data={"patient": "bellando", "montant_min": "12,5",
                                                        "csrf_token": stale}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == code
    assert "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau." in html.replace("&#39;", "'")
    assert 'value="bellando"' in html and 'value="12,5"' in html and ("<html" in html) == (not headers)
    assert rows(html) == [sample["notari_hnp"]]  # the list still of the filters applied before
    token = fresh_token_in(html, stale)
    again = medecin.client.post("/historique", data={"patient": "bellando", "csrf_token": token})
    assert again.status_code == 302
    assert rows(medecin.client.get("/historique").get_data(as_text=True)) == [sample["bellando"], sample["hugo"]]


def test_the_intro_is_right_for_an_assistant(sample, auth):
    auth.login("assistant.demo", "Assistant-FSE-2026")
    html = auth.client.get("/historique").get_data(as_text=True)
    assert "celles de Dr Claire Lorenzi et de ses assistant(e)s" in html.replace("&#39;", "'")
    assert "vos assistant" not in html


def test_the_list_shows_the_acts_as_entered(sample, medecin):
    html = medecin.client.get("/historique").get_data(as_text=True)
    row = re.search(rf'<tr data-fse="{sample["hugo"]}">(.*?)</tr>', html, re.S).group(1)
    acts = re.search(r'data-label="Actes"[^>]*>([^<]+)<', row).group(1)
    detail = medecin.client.get(f"/historique/{sample['hugo']}").get_data(as_text=True)
    assert acts.startswith("C 1") and "DEQP003" in acts and acts.split(" + ")[0] in detail

"""The « HNP » page through the real routes: list, period filter (page and htmx fragment), pagination."""

from __future__ import annotations

import re
from datetime import timedelta

from app.domain.money import format_euros

HX = {"HX-Request": "true"}


def references(html: str) -> list[str]:
    return re.findall(r'class="nowrap hnp-reference">([^<]+)<', html)


def test_the_page_lists_the_ordipostes_newest_first(practice, auth):
    older = practice.pay(practice.fses(3, days_ago=70), days_ago=40)
    newer = practice.pay(practice.fses(2, days_ago=20), days_ago=5)
    auth.login("medecin.demo")
    response = auth.client.get("/hnp")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert references(html) == [newer.reference, older.reference]
    assert "HNP : ordipostes" in html and "Un ordiposte est l'ordre de paiement" in html
    row = html[html.index(f'data-ordiposte="{newer.id}"'):]
    row = row[:row.index("</tr>")]
    assert f"{newer.date_paiement:%d/%m/%Y}" in row and ">CCSS<" in row
    assert 'data-label="FSE" class="num">2<' in row and format_euros(newer.montant) in row
    assert f'href="/hnp/{newer.id}/decompte.pdf"' in row
    assert f'aria-label="Télécharger la fiche de décompte de l\'ordiposte {newer.reference} en PDF"' in row
    assert "2 ordipostes</strong>" in html and format_euros(older.montant + newer.montant) in html
    assert response.headers["Cache-Control"] == "no-store" and "HX-Request" in response.headers["Vary"]


def test_unpaid_and_other_praticiens_fse_are_not_listed_and_the_empty_state_says_so(practice, auth):
    practice.fse()  # an HNP FSE not paid yet
    auth.login("medecin.demo")
    html = auth.client.get("/hnp").get_data(as_text=True)
    assert "Aucun ordiposte pour le moment" in html and "<table" not in html


def test_the_assistant_sees_his_praticien_s_ordipostes(practice, auth):
    paid = practice.pay([practice.fse()])
    auth.login("assistant.demo", "Assistant-FSE-2026")
    assert references(auth.client.get("/hnp").get_data(as_text=True)) == [paid.reference]


def test_a_dentist_reads_rdd(auth):
    auth.login("dentiste.demo")
    html = auth.client.get("/hnp").get_data(as_text=True)
    assert "RDD : ordipostes" in html and "règlement direct au dentiste" in html
    assert "HNP" not in html.split('id="contenu"')[1]
    assert "quand la caisse paiera vos FSE RDD" in html


def test_the_period_filters_on_the_payment_date_as_a_page_and_as_a_fragment(practice, auth):
    april = practice.pay(practice.fses(2, days_ago=70), days_ago=60)
    may = practice.pay(practice.fses(2, days_ago=40), days_ago=30)
    june = practice.pay(practice.fses(2, days_ago=10), days_ago=1)
    auth.login("medecin.demo")
    du, au = may.date_paiement - timedelta(days=1), may.date_paiement
    query = {"du": du.isoformat(), "au": au.strftime("%d/%m/%Y")}  # a date picker's and a typed date
    page = auth.client.get("/hnp", query_string=query)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert references(html) == [may.reference] and "<html" in html
    assert f'value="{du.isoformat()}"' in html and f'value="{au:%d/%m/%Y}"' in html
    fragment = auth.client.get("/hnp", query_string=query, headers=HX)
    text = fragment.get_data(as_text=True)
    assert fragment.status_code == 200 and "<html" not in text
    assert 'id="ordipostes"' in text and references(text) == [may.reference]
    assert "HX-Request" in fragment.headers["Vary"]
    # Only a start, only an end: both bounds included.
    since = auth.client.get("/hnp", query_string={"du": may.date_paiement.isoformat()}).get_data(as_text=True)
    assert references(since) == [june.reference, may.reference]
    until = auth.client.get("/hnp", query_string={"au": may.date_paiement.isoformat()}).get_data(as_text=True)
    assert references(until) == [may.reference, april.reference]
    none = auth.client.get("/hnp", query_string={"du": (june.date_paiement + timedelta(days=1)).isoformat()})
    assert "Aucun ordiposte payé sur cette période." in none.get_data(as_text=True)


def test_a_wrong_period_is_a_422_with_the_message_next_to_the_field_and_the_input_kept(practice, auth):
    practice.pay([practice.fse()])
    auth.login("medecin.demo")
    for headers in ({}, HX):
        reversed_ = auth.client.get("/hnp", query_string={"du": "2026-06-10", "au": "2026-06-01"}, headers=headers)
        html = reversed_.get_data(as_text=True)
        assert reversed_.status_code == 422
        assert re.search(r'id="au"[^>]*value="2026-06-01"|value="2026-06-01"[^>]*id="au"', html)
        assert 'aria-invalid="true"' in html and 'id="au-erreur">La date de fin précède la date de début.' in html
        assert "hnp-reference" not in html
        invalid = auth.client.get("/hnp", query_string={"du": "31/02/2026"}, headers=headers)
        html = invalid.get_data(as_text=True)
        assert invalid.status_code == 422
        assert 'value="31/02/2026"' in html
        assert 'id="du-erreur">Date invalide : saisissez-la au format jj/mm/aaaa.' in html


def test_25_a_page_and_the_pages_keep_the_period(practice, auth):
    fses = practice.fses(30, days_ago=60)
    for n, fse in enumerate(fses):
        practice.pay([fse], days_ago=n + 1)
    auth.login("medecin.demo")
    first = auth.client.get("/hnp").get_data(as_text=True)
    assert len(references(first)) == 25 and "Page 1 sur 2" in first and 'href="/hnp?page=2"' in first
    second = auth.client.get("/hnp?page=2", headers=HX).get_data(as_text=True)
    assert len(references(second)) == 5 and "Page 2 sur 2" in second and 'href="/hnp?page=1"' in second
    assert set(references(first)).isdisjoint(references(second))
    du = (practice.today - timedelta(days=28)).isoformat()
    filtered = auth.client.get("/hnp", query_string={"du": du}).get_data(as_text=True)
    assert len(references(filtered)) == 25 and f"page=2&amp;du={du}" in filtered
    assert len(references(auth.client.get(f"/hnp?page=2&du={du}").get_data(as_text=True))) == 3
    assert len(references(auth.client.get("/hnp?page=99").get_data(as_text=True))) == 5  # past the end: the last

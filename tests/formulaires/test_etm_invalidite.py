"""« Demande d'ETM » and « Demande d'admission en invalidité » through the real routes: the card or
the birth date (one neutral message for both failures, audited and throttled), only the members born
that day, their own fields and messages, htmx and plain pages, the autosave, a double « Transmettre »
and an expired token."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_from
from tests.formulaires.common import (
    CHANGED_ELSEWHERE,
    EXPIRED,
    HX,
    NEUTRAL_IT,
    NEUTRAL_REQUESTS,
    NOT_SENT,
    REQUIRED,
    audit,
    body,
    count_sent,
    days,
    draft_of,
    etm_values,
    field_error,
    fr,
    invalidite_values,
    medical_of,
    sent,
    stale_token,
)
from tests.formulaires.conftest import Doctor

KINDS = ["etm", "invalidite"]
VALUES = {"etm": etm_values, "invalidite": invalidite_values}


@pytest.fixture(params=KINDS)
def request_doctor(auth, request):
    auth.login("medecin.demo")
    return Doctor(auth, request.param)


@pytest.fixture
def etm(auth):
    auth.login("medecin.demo")
    return Doctor(auth, "etm")


@pytest.fixture
def invalidite(auth):
    auth.login("medecin.demo")
    return Doctor(auth, "invalidite")


def members_shown(doctor) -> list[str]:
    return re.findall(r'<span class="member-name">([^<]+)</span>', doctor.page())


def julie(doctor) -> str:
    """Julie Bellando, identified by her birth date: she alone is offered, and chosen."""
    assert doctor.identify(code_fse="", date_naissance="03/09/1986").status_code == 303
    member, = doctor.member_ids()
    return member


# --- The card or the birth date -------------------------------------------------------------------

def test_both_requests_offer_the_card_or_the_birth_date(request_doctor):
    page = request_doctor.page()
    assert 'name="matricule"' in page and 'name="code_fse"' in page and 'name="date_naissance"' in page
    assert "le code FSE <strong>ou bien</strong> la date de naissance" in page
    # The code FSE is not mandatory by itself here: the birth date may replace it.
    assert not re.search(r'<input[^>]*aria-required="true"[^>]*id="code_fse"', page)


def test_the_card_offers_the_whole_household(request_doctor):
    assert request_doctor.identify().status_code == 303
    assert members_shown(request_doctor) == ["Marc Bellando", "Julie Bellando", "Léa Bellando", "Hugo Bellando"]
    assert "identifiée par le code FSE" in request_doctor.page()
    row, = audit("patient.recherche")
    assert (row.resultat, row.details) == ("succes", "formulaire, par code FSE")


@pytest.mark.parametrize("birth", ["03/09/1986", "1986-09-03"])
def test_the_birth_date_offers_only_the_members_born_that_day(request_doctor, birth):
    assert request_doctor.identify(code_fse="", date_naissance=birth).status_code == 303
    page = request_doctor.page()
    assert members_shown(request_doctor) == ["Julie Bellando"]
    assert "Marc Bellando" not in page and "Léa Bellando" not in page and "Hugo Bellando" not in page
    assert "identifiée par la date de naissance" in page
    draft = draft_of(request_doctor.kind)
    assert draft.identifie_par == "date_naissance" and draft.beneficiaire.prenom == "Julie"
    row, = audit("patient.recherche")
    assert (row.resultat, row.objet_type, row.details) == ("succes", "foyer", "formulaire, par date de naissance")
    assert "1986" not in (row.details or "")


def test_a_member_not_born_that_day_cannot_be_posted(etm):
    etm.identify()
    marc = etm.member_ids()[0]
    etm.post("changer", {})
    julie(etm)
    response = etm.post("transmettre", {"beneficiaire": marc, **etm_values()})
    assert response.status_code == 422
    assert field_error(body(response), "beneficiaire") == "Ce bénéficiaire n'est pas celui de la carte identifiée."
    assert draft_of("etm").beneficiaire.prenom == "Julie" and count_sent() == 0


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_wrong_code_and_a_wrong_birth_date_get_the_same_neutral_message(request_doctor, headers):
    messages = []
    attempts = [("100001", "K7P3", ""), ("100001", "", "04/09/1986"), ("999999", "", "03/09/1986"),
                ("999999", "K7P2", ""), ("100002", "", "03/09/1986")]
    for matricule, code, birth in attempts:
        response = request_doctor.identify(matricule, code, birth, headers=headers)
        html = body(response)
        assert response.status_code == 422, (matricule, code, birth)
        messages.append(field_error(html, "matricule"))
        assert field_error(html, "code_fse") is None and field_error(html, "date_naissance") is None
        assert f'value="{matricule}"' in html and (not birth or f'value="{birth}"' in html)
        assert "Julie Bellando" not in html and "Sophie Crovetto" not in html
    assert messages == [NEUTRAL_REQUESTS] * len(attempts)
    rows = audit("patient.recherche")
    assert [r.resultat for r in rows] == ["echec"] * len(attempts)
    assert [r.details for r in rows] == ["matricule ou code FSE incorrect", "matricule ou date de naissance incorrect",
                                         "matricule ou date de naissance incorrect", "matricule ou code FSE incorrect",
                                         "matricule ou date de naissance incorrect"]
    assert all(r.objet_id is None and "1986" not in r.details and "K7P" not in r.details for r in rows)
    assert draft_of(request_doctor.kind).foyer is None


def test_the_it_and_the_requests_fail_alike_in_their_own_words(auth):
    auth.login("medecin.demo")
    it, etm = Doctor(auth, "it"), Doctor(auth, "etm")
    assert field_error(body(it.identify(code_fse="K7P3")), "matricule") == NEUTRAL_IT
    assert field_error(body(etm.identify(code_fse="K7P3")), "matricule") == NEUTRAL_REQUESTS


def test_neither_code_nor_birth_date_asks_for_one(request_doctor):
    response = request_doctor.identify(code_fse="", date_naissance="")
    assert response.status_code == 422
    assert field_error(body(response), "code_fse") == "Saisissez le code FSE ou bien la date de naissance du patient."
    assert audit("patient.recherche") == []


def test_a_malformed_birth_date_is_refused_next_to_it(request_doctor):
    response = request_doctor.identify(code_fse="", date_naissance="31/02/1986")
    html = body(response)
    assert response.status_code == 422
    assert field_error(html, "date_naissance") == "Date invalide : saisissez-la au format jj/mm/aaaa."
    assert field_error(html, "code_fse") is None
    assert 'value="31/02/1986"' in html and audit("patient.recherche") == []


def test_a_code_given_with_a_birth_date_is_checked_as_the_card(etm):
    response = etm.identify(code_fse="K7P3", date_naissance="03/09/1986")
    assert response.status_code == 422 and field_error(body(response), "matricule") == NEUTRAL_REQUESTS
    assert etm.identify(code_fse="K7P2", date_naissance="01/01/2000").status_code == 303
    assert len(etm.member_ids()) == 4


def test_birth_date_failures_are_throttled_with_the_card_failures(request_doctor):
    for _ in range(3):
        assert request_doctor.identify(code_fse="", date_naissance="01/01/1900").status_code == 422
    for _ in range(2):
        assert request_doctor.identify(code_fse="ZZ99").status_code == 422
    blocked = request_doctor.identify(code_fse="", date_naissance="03/09/1986")
    assert blocked.status_code == 429
    assert field_error(body(blocked), "matricule") == "Trop de tentatives : réessayez dans 1 minute."
    assert [r.resultat for r in audit("patient.recherche")] == ["echec"] * 5 + ["refus"]
    assert draft_of(request_doctor.kind).foyer is None


def test_changer_de_patient_then_another_card(request_doctor):
    julie(request_doctor)
    assert "Effacer ce formulaire ?" in body(request_doctor.post("changer", {}))
    assert request_doctor.post("effacer", {}).status_code == 303
    assert 'name="date_naissance"' in request_doctor.page()
    draft = draft_of(request_doctor.kind)
    assert draft.foyer is None and draft.date_naissance_saisie is None and draft.beneficiaire is None
    request_doctor.identify("100003", "B9X3")
    assert members_shown(request_doctor) == ["Philippe Notari", "Hélène Notari"]


def test_a_member_whose_rights_are_closed_is_refused(request_doctor):
    request_doctor.identify("100005", "", "14/06/1990")
    page = request_doctor.page()
    member, = request_doctor.member_ids()
    assert "Droits fermés" in page and draft_of(request_doctor.kind).beneficiaire is None
    response = request_doctor.post("transmettre", {"beneficiaire": member, **VALUES[request_doctor.kind]()})
    assert response.status_code == 422
    assert "ses droits ne sont pas ouverts aujourd'hui" in field_error(body(response), "beneficiaire")
    assert count_sent() == 0


# --- Their own fields ---------------------------------------------------------------------------

ETM_CASES = [
    ("etm_nature_code", {"etm_nature_code": ""}, REQUIRED),
    ("etm_nature_code", {"etm_nature_code": "99"}, "Choisissez une nature d'exonération de la liste."),
    ("etm_nature_code", {"etm_nature_code": "0"}, "Choisissez une nature d'exonération de la liste."),
    ("etm_nature_code", {"etm_nature_code": "4242"}, "Choisissez une nature d'exonération de la liste."),
    ("duree_mois", {"duree_mois": ""}, REQUIRED),
    ("duree_mois", {"duree_mois": "douze"}, "Saisissez un nombre entier de mois, par exemple 12."),
    ("duree_mois", {"duree_mois": "6,5"}, "Saisissez un nombre entier de mois, par exemple 12."),
    ("duree_mois", {"duree_mois": "0"}, "Entre 1 et 60 mois."),
    ("duree_mois", {"duree_mois": "61"}, "Entre 1 et 60 mois."),
    ("affection", {"affection": ""}, REQUIRED),
    ("arguments", {"arguments": " "}, REQUIRED),
    ("arguments", {"arguments": "a" * 4001}, "4000 caractères au plus."),
    ("telephone", {"telephone": "+377 abc"},
     "Saisissez un numéro de téléphone : des chiffres, espaces, points ou tirets, avec l'indicatif +377 au besoin."),
    ("adresse", {"adresse": "r" * 251}, "250 caractères au plus."),
]


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize(("field", "overrides", "message"), ETM_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(ETM_CASES)])
def test_each_etm_refusal_is_next_to_its_field_with_the_input_kept(etm, field, overrides, message, headers):
    member = julie(etm)
    values = etm_values(**overrides)
    response = etm.post("transmettre", {"beneficiaire": member, **values}, headers=headers)
    html = body(response)
    assert response.status_code == 422
    assert field_error(html, field) == message and NOT_SENT in html
    for name, value in values.items():
        if name != "etm_nature_code" and value.strip():
            assert value in html, name
    code = values["etm_nature_code"]
    if code in ("41",):
        assert re.search(rf'<option selected value="{code}">|<option value="{code}" selected>', html)
    assert count_sent() == 0


def test_the_etm_natures_offered_are_those_a_request_may_ask(etm):
    page = etm.page()
    options = re.findall(r'<option(?: selected)? value="(\d*)"', page)
    assert options[0] == "" and "41" in options and "0" not in options and "99" not in options
    # The natures that exonerate (TOP_ETM = 1) but not 47, « article L324 non exonérant »; no AT/MP.
    assert options[1:] == ["21", "41", "43", "45", "55", "56", "58", "59", "60"]
    assert "47" not in options and "11" not in options and "12" not in options
    assert "41 · Affection de la liste des affections de longue durée (ALD liste)" in page


INVALIDITE_CASES = [
    ("date_arret", {"date_arret": ""}, REQUIRED),
    ("date_arret", {"date_arret": fr(days(1))}, "La date d'arrêt de travail ne peut pas être dans le futur."),
    ("date_arret", {"date_arret": "30/02/2026"}, "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ("diagnostics", {"diagnostics": ""}, REQUIRED),
    ("incapacite", {"incapacite": ""}, REQUIRED),
    ("traitement", {"traitement": ""}, REQUIRED),
    ("pronostic", {"pronostic": ""}, REQUIRED),
    ("pronostic", {"pronostic": "p" * 4001}, "4000 caractères au plus."),
]


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
@pytest.mark.parametrize(("field", "overrides", "message"), INVALIDITE_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(INVALIDITE_CASES)])
def test_each_invalidity_refusal_is_next_to_its_field_with_the_input_kept(invalidite, field, overrides, message,
                                                                          headers):
    member = julie(invalidite)
    values = invalidite_values(**overrides)
    response = invalidite.post("transmettre", {"beneficiaire": member, **values}, headers=headers)
    html = body(response)
    assert response.status_code == 422
    assert field_error(html, field) == message and NOT_SENT in html
    for name, value in values.items():
        if value.strip():
            assert value in html, name
    assert count_sent() == 0


def test_a_stop_date_of_today_is_accepted(invalidite):
    member = julie(invalidite)
    response = invalidite.post("transmettre", {"beneficiaire": member, **invalidite_values(date_arret=fr(days(0)))})
    assert response.status_code == 200
    assert sent("invalidite")[0].date_arret == days(0)


def test_an_etm_is_transmitted_with_its_facts_and_sealed_medical_elements(etm):
    member = julie(etm)
    response = etm.post("transmettre", {"beneficiaire": member, **etm_values()})
    html = body(response)
    assert response.status_code == 200 and "Diabète de type 2 insulinorequérant" in html  # his summary, once
    document, = sent("etm")
    assert re.fullmatch(r"ETM-\d{8}-[0-9A-Z]{6}", document.reference) and document.reference in html
    assert (document.etm_nature_code, document.duree_mois, document.patient_prenom) == (41, 24, "Julie")
    assert document.identifie_par == "date_naissance" and document.date_naissance_saisie is None
    assert medical_of(document) == {"affection": "Diabète de type 2 insulinorequérant",
                                    "arguments": "HbA1c à 9,2 % malgré bithérapie orale"}
    page = body(etm.client.get(f"/formulaires/document/{document.id}"))
    assert "41 · Affection de la liste des affections de longue durée (ALD liste)" in page and "24 mois" in page
    assert "Diabète" not in page and "HbA1c" not in page
    assert etm.client.get(f"/formulaires/document/{document.id}/copie-employeur.pdf").status_code == 404


def test_an_invalidity_request_is_transmitted(invalidite):
    invalidite.identify()
    marc = invalidite.member_ids()[0]
    response = invalidite.post("transmettre", {"beneficiaire": marc, **invalidite_values()})
    assert response.status_code == 200
    document, = sent("invalidite")
    assert document.reference.startswith("INV-") and document.date_arret == days(-120)
    assert set(medical_of(document)) == {"diagnostics", "incapacite", "traitement", "pronostic"}
    page = body(invalidite.client.get(f"/formulaires/document/{document.id}"))
    assert f"Arrêt de travail depuis le</dt><dd>{fr(days(-120))}" in page and "Coxarthrose" not in page


# --- htmx and plain pages, autosave, two tabs, double « Transmettre », expired token -----------

def test_each_step_is_a_page_without_javascript_and_a_region_with_htmx(request_doctor):
    kind = request_doctor.kind
    plain = request_doctor.identify(code_fse="", date_naissance="03/09/1986")
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/formulaires/{kind}")
    member, = request_doctor.member_ids()
    saved = request_doctor.post("enregistrer", {"beneficiaire": member, "telephone": "93 00 00 02"}, headers=HX)
    html = body(saved)
    assert saved.status_code == 200 and html.lstrip().startswith('<div id="formulaire"') and "<html" not in html
    assert "Brouillon enregistré." in html and 'value="93 00 00 02"' in html
    refused = request_doctor.post("transmettre", {"beneficiaire": member}, headers=HX)
    assert refused.status_code == 422 and "<html" not in body(refused)
    refused_page = request_doctor.post("transmettre", {"beneficiaire": member})
    assert refused_page.status_code == 422 and "<html" in body(refused_page)
    done = request_doctor.post("transmettre", {"beneficiaire": member, **VALUES[kind]()}, headers=HX)
    assert done.status_code == 200 and 'class="formulaire transmitted"' in body(done)
    assert "<html" not in body(done) and count_sent(kind) == 1


def test_the_autosave_keeps_the_request_draft(request_doctor):
    member = julie(request_doctor)
    page = request_doctor.page()
    values = VALUES[request_doctor.kind]()
    response = request_doctor.client.post(
        f"/formulaires/{request_doctor.kind}/brouillon", headers=HX,
        data={"csrf_token": csrf_from(page), **request_doctor.hidden(page), "beneficiaire": member, **values})
    assert response.status_code == 200 and "Brouillon enregistré" in body(response)
    draft = draft_of(request_doctor.kind)
    assert draft.telephone == values["telephone"]
    assert set(medical_of(draft)) == {"affection", "arguments"} if request_doctor.kind == "etm" else \
        {"diagnostics", "incapacite", "traitement", "pronostic"}


def test_a_stale_tab_of_a_request_saves_nothing(request_doctor):
    julie(request_doctor)
    tab1 = request_doctor.page()
    request_doctor.post("enregistrer", {"telephone": "93 11 11 11"})
    response = request_doctor.post("enregistrer", {"telephone": "93 22 22 22"}, html=tab1)
    assert response.status_code == 409 and CHANGED_ELSEWHERE in body(response)
    assert 'value="93 22 22 22"' in body(response)
    assert draft_of(request_doctor.kind).telephone == "93 11 11 11"


def test_a_double_transmission_of_a_request_makes_one_document(request_doctor):
    member = julie(request_doctor)
    page = request_doctor.page()
    values = VALUES[request_doctor.kind]()
    assert request_doctor.post("transmettre", {"beneficiaire": member, **values}, html=page).status_code == 200
    again = request_doctor.post("transmettre", {"beneficiaire": member, **values}, html=page)
    document, = sent(request_doctor.kind)
    assert again.status_code == 200 and document.reference in body(again)
    assert "il ne l'a pas été une seconde fois" in body(again).replace("&#39;", "'")
    assert len(audit("formulaire.transmission")) == 1


@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 422)], ids=["page", "htmx"])
def test_an_expired_token_on_a_request_keeps_the_input(request_doctor, app, headers, status):
    member = julie(request_doctor)
    page = request_doctor.page()
    stale = stale_token(request_doctor.client, app)
    values = VALUES[request_doctor.kind](telephone="93 50 50 50")
    response = request_doctor.client.post(
        f"/formulaires/{request_doctor.kind}", headers=headers,
        data={**request_doctor.hidden(page), "csrf_token": stale, "action": "transmettre", "beneficiaire": member,
              **values})
    html = body(response)
    assert response.status_code == status and EXPIRED in html and 'value="93 50 50 50"' in html
    assert count_sent() == 0 and draft_of(request_doctor.kind).telephone is None

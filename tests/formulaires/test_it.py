"""« Prescription d'IT » through the real routes: identification by the card (neutral failures,
audited, throttled with the FSE page's lookups), the beneficiary, every message next to its field
with the input kept, the conditional fields, htmx and plain pages, the autosave, two tabs, a double
« Transmettre », an expired token, and the audit row in the transmission's transaction."""

from __future__ import annotations

import re
from datetime import timedelta
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.formulaires import services
from app.models import Beneficiaire, JournalAudit
from tests.conftest import csrf_from
from tests.formulaires.common import (
    CHANGED_ELSEWHERE,
    EXPIRED,
    HX,
    NEUTRAL_IT,
    NOT_SENT,
    REQUIRED,
    audit,
    body,
    count_sent,
    days,
    draft_of,
    field_error,
    fr,
    medical_of,
    sent,
    stale_token,
)
from tests.formulaires.conftest import it_values


def choose_marc(doctor) -> str:
    doctor.identify()
    return doctor.member_ids()[0]


def transmit(doctor, **overrides):
    return doctor.post("transmettre", {"beneficiaire": choose_marc(doctor), **it_values(**overrides)})


# --- Identification by the card ----------------------------------------------------------------

def test_the_card_identifies_the_household_and_the_lookup_is_audited(doctor):
    response = doctor.identify()
    assert response.status_code == 303 and response.headers["Location"].endswith("/formulaires/it")
    page = doctor.page()
    for name in ("Marc Bellando", "Julie Bellando", "Léa Bellando", "Hugo Bellando"):
        assert name in page
    assert "identifiée par le code FSE" in page and "Changer de patient" in page
    assert len(doctor.member_ids()) == 4
    row, = audit("patient.recherche")
    assert (row.resultat, row.objet_type, row.details) == ("succes", "foyer", "formulaire, par code FSE")
    assert draft_of("it").foyer.matricule == "100001"


def test_the_code_is_read_in_capitals(doctor):
    assert doctor.identify(code_fse=" k7p2 ").status_code == 303
    assert len(doctor.member_ids()) == 4


def test_a_single_member_with_open_rights_is_chosen_at_once(doctor):
    doctor.identify("100002", "R4M8")
    page = doctor.page()
    member_id = doctor.member_ids()[0]
    assert re.search(rf'value="{member_id}" id="membre-{member_id}"\s+checked', page)
    assert draft_of("it").beneficiaire.prenom == "Sophie"


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_a_wrong_code_and_an_unknown_matricule_get_one_neutral_message(doctor, headers):
    pages = []
    for matricule, code in [("100001", "K7P3"), ("999999", "K7P2"), ("100003", "K7P2")]:
        response = doctor.identify(matricule, code, headers=headers)
        html = body(response)
        assert response.status_code == 422
        assert field_error(html, "matricule") == NEUTRAL_IT
        assert f'value="{matricule}"' in html and f'value="{code}"' in html  # the input is kept
        assert "Marc Bellando" not in html and "Philippe Notari" not in html
        assert ("<html" in html) is (not headers)
        pages.append(field_error(html, "matricule"))
    assert len(set(pages)) == 1
    rows = audit("patient.recherche")
    assert [r.resultat for r in rows] == ["echec"] * 3
    assert all(r.details == "matricule ou code FSE incorrect" for r in rows)
    assert all("1000" not in (r.objet_id or "") + (r.details or "") for r in rows)
    assert draft_of("it").foyer is None


@pytest.mark.parametrize(("matricule", "code", "birth", "field", "message"), [
    ("12ab", "K7P2", "", "matricule", "Le matricule compte 6 chiffres."),
    ("1000011", "K7P2", "", "matricule", "Le matricule compte 6 chiffres."),
    ("100001", "K7P", "", "code_fse", "Le code FSE compte 4 caractères (lettres et chiffres)."),
    ("100001", "K7-2", "", "code_fse", "Le code FSE compte 4 caractères (lettres et chiffres)."),
    # The IT needs the card: a birth date does not replace the code FSE.
    ("100001", "", "03/09/1986", "code_fse", "Le code FSE compte 4 caractères (lettres et chiffres)."),
])
def test_a_malformed_card_is_refused_next_to_its_field_without_a_lookup(doctor, matricule, code, birth, field,
                                                                        message):
    response = doctor.identify(matricule, code, birth)
    html = body(response)
    assert response.status_code == 422 and field_error(html, field) == message
    assert f'value="{matricule}"' in html
    assert audit("patient.recherche") == []


def test_the_it_page_asks_for_the_card_only(doctor):
    page = doctor.page()
    assert 'name="matricule"' in page and 'name="code_fse"' in page and 'name="date_naissance"' not in page
    assert re.search(r'<input[^>]*aria-required="true"[^>]*id="code_fse"', page)
    assert re.search(r'<label for="code_fse">Code FSE<span class="mandatory"', page)


def test_failed_lookups_are_throttled_and_the_right_card_waits_too(doctor):
    for _ in range(5):
        assert doctor.identify(code_fse="AAAA").status_code == 422
    blocked = doctor.identify()
    assert blocked.status_code == 429
    assert field_error(body(blocked), "matricule") == "Trop de tentatives : réessayez dans 1 minute."
    assert [r.resultat for r in audit("patient.recherche")] == ["echec"] * 5 + ["refus"]
    assert draft_of("it").foyer is None


def test_a_throttled_lookup_shows_its_message_in_the_htmx_region(doctor):
    for _ in range(5):
        doctor.identify(code_fse="AAAA", headers=HX)
    blocked = doctor.identify(headers=HX)
    html = body(blocked)
    # htmx swaps 2xx and 422 only (templates/base.html): a 429 would leave the praticien without a word.
    assert blocked.status_code == 422 and "<html" not in html
    assert field_error(html, "matricule") == "Trop de tentatives : réessayez dans 1 minute."


def test_the_forms_and_the_fse_page_share_one_count_of_failures(doctor, auth):
    for _ in range(3):
        assert auth.post("/fse/patient", {"matricule": "100001", "code_fse": "AAAA", "caisse": "CCSS"},
                         get_path="/fse").status_code == 422
    for _ in range(2):
        assert doctor.identify(code_fse="AAAA").status_code == 422
    assert doctor.identify().status_code == 429


def test_a_success_resets_the_count(doctor):
    for _ in range(4):
        doctor.identify(code_fse="AAAA")
    assert doctor.identify().status_code == 303
    doctor.post("changer", {})
    for _ in range(4):
        doctor.identify(code_fse="AAAA")
    assert doctor.identify().status_code == 303


# --- The patient: « Changer de patient », closed rights, another household's member -------------

def test_changer_de_patient_asks_then_erases_everything_of_the_previous_patient(doctor):
    """A form is about one patient: nothing of Marc Bellando's (address, employer, medical
    elements) may go out under the next card, so changing patient erases the form, once confirmed."""
    member = choose_marc(doctor)
    typed = {"beneficiaire": member, "employeur": "Monaco Telecom", "adresse": "3, rue Grimaldi", "motif": "Entorse"}
    doctor.post("enregistrer", typed)
    old_token = draft_of("it").jeton
    asked = doctor.post("changer", typed)
    html = body(asked)
    assert asked.status_code == 200 and "Effacer ce formulaire ?" in html
    assert 'value="effacer"' in html and 'id="annuler-effacement"' in html
    assert draft_of("it").beneficiaire is not None  # nothing erased before the confirmation
    cancelled = doctor.post("enregistrer", typed)
    assert cancelled.status_code == 303 and draft_of("it").employeur == "Monaco Telecom"
    erased = doctor.post("effacer", typed)
    assert erased.status_code == 303
    page = doctor.page()
    assert "Formulaire effacé" in page and 'name="matricule"' in page
    assert "Bellando" not in page and "Monaco Telecom" not in page and "Entorse" not in page
    draft = draft_of("it")
    assert draft.jeton != old_token and draft.foyer is None and draft.employeur is None and draft.adresse is None
    assert medical_of(draft) == {}
    doctor.identify("100002", "R4M8")
    assert draft_of("it").beneficiaire.nom == "Crovetto"


def test_changer_de_patient_in_htmx_returns_the_region_with_the_confirmation(doctor):
    choose_marc(doctor)
    response = doctor.post("changer", {}, headers=HX)
    html = body(response)
    assert response.status_code == 200 and html.lstrip().startswith('<div id="formulaire"')
    assert "Effacer ce formulaire ?" in html and re.search(r'id="annuler-effacement"\s+autofocus', html)
    erased = doctor.post("effacer", {}, html=html, headers=HX)
    assert erased.status_code == 200 and "Formulaire effacé" in body(erased) and 'id="matricule"' in body(erased)


def test_a_member_whose_rights_are_closed_is_shown_but_cannot_be_chosen(doctor):
    assert doctor.identify("100005", "F5C1").status_code == 303
    page = doctor.page()
    assert "Louis Palmaro" in page and "Droits fermés" in page
    member_id, = doctor.member_ids()
    assert re.search(rf'value="{member_id}" id="membre-{member_id}"\s+ disabled', page)
    assert draft_of("it").beneficiaire is None  # not chosen even though he is alone
    refused = doctor.post("transmettre", {"beneficiaire": member_id, **it_values()})
    html = body(refused)
    assert refused.status_code == 422
    assert "Louis Palmaro ne peut pas être choisi(e) : ses droits ne sont pas ouverts aujourd'hui." == \
        field_error(html, "beneficiaire")
    assert "Lombalgie aiguë hyperalgique" in html  # the input is kept
    without = doctor.post("transmettre", it_values())
    assert without.status_code == 422
    assert field_error(body(without), "beneficiaire") == "Choisissez le bénéficiaire concerné."
    assert count_sent() == 0


def test_a_member_of_another_household_is_refused(doctor):
    doctor.identify("100002", "R4M8")
    crovetto = doctor.member_ids()[0]
    doctor.post("changer", {})
    doctor.identify()
    response = doctor.post("transmettre", {"beneficiaire": crovetto, **it_values()})
    assert response.status_code == 422
    assert field_error(body(response), "beneficiaire") == "Ce bénéficiaire n'est pas celui de la carte identifiée."
    assert count_sent() == 0 and draft_of("it").beneficiaire is None


def test_transmettre_without_a_patient_asks_for_the_card(doctor):
    response = doctor.post("transmettre", it_values())
    html = body(response)
    assert response.status_code == 422 and NOT_SENT in html
    assert field_error(html, "matricule") == "Identifiez d'abord le patient avec sa carte."
    assert count_sent() == 0


# --- Every message next to its field, the input kept, nothing transmitted ---------------------

CASES = [
    ("date_debut", {"date_debut": fr(days(-3))},
     "L'arrêt ne peut pas commencer plus de 2 jours avant aujourd'hui : la prescription doit parvenir à la "
     "caisse dans les 48 heures."),
    ("date_debut", {"date_debut": fr(days(8)), "date_fin": fr(days(9))},
     "L'arrêt ne peut pas commencer plus de 7 jours après aujourd'hui."),
    ("date_debut", {"date_debut": ""}, REQUIRED),
    ("date_debut", {"date_debut": "32/11/2026"}, "Date invalide : saisissez-la au format jj/mm/aaaa."),
    ("date_fin", {"date_fin": fr(days(-1))}, "La date de fin doit être le jour du début ou un jour suivant."),
    ("date_fin", {"date_fin": fr(days(365))},
     "Une prescription couvre un arrêt de 365 jours au plus (ici 366 jours)."),
    ("date_fin", {"date_fin": ""}, REQUIRED),
    ("sorties", {"sorties": None}, REQUIRED),
    ("sorties", {"sorties": "parfois"}, "Choisissez une des réponses proposées."),
    ("nature_arret", {"nature_arret": "rechute"}, "Choisissez arrêt initial ou prolongation."),
    ("sorties_horaires", {"sorties": "oui", "sorties_horaires": ""}, "Indiquez les heures de sortie autorisées."),
    ("motif_sorties_libres", {"sorties": "libres"}, "Indiquez la raison médicale des sorties sans restriction."),
    ("date_initiale", {"nature_arret": "prolongation"},
     "Pour une prolongation, saisissez la date de l'arrêt initial."),
    ("date_initiale", {"nature_arret": "prolongation", "date_initiale": fr(days(1))},
     "L'arrêt initial ne peut pas commencer après la prolongation."),
    ("date_accident", {"accident_travail": "y"}, "Saisissez la date de l'accident du travail."),
    ("date_accident", {"accident_travail": "y", "date_accident": fr(days(1)), "date_debut": fr(days(2))},
     "La date de l'accident ne peut pas être dans le futur."),
    ("date_accident", {"accident_travail": "y", "date_accident": fr(days(-1)), "date_debut": fr(days(-2))},
     "L'accident ne peut pas être postérieur au début de l'arrêt."),
    ("motif", {"motif": "  "}, REQUIRED),
    ("elements_medicaux", {"elements_medicaux": ""}, REQUIRED),
    ("motif", {"motif": "x" * 4001}, "4000 caractères au plus."),
    ("telephone", {"telephone": "appelez-moi"},
     "Saisissez un numéro de téléphone : des chiffres, espaces, points ou tirets, avec l'indicatif +377 au besoin."),
    ("employeur", {"employeur": "E" * 121}, "120 caractères au plus."),
    ("sorties_horaires", {"sorties": "oui", "sorties_horaires": "h" * 81}, "80 caractères au plus."),
]


@pytest.mark.parametrize(("headers", "status"), [({}, 422), (HX, 422)], ids=["page", "htmx"])
@pytest.mark.parametrize(("field", "overrides", "message"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_refusal_is_next_to_its_field_with_the_input_kept(doctor, field, overrides, message, headers, status):
    member = choose_marc(doctor)
    values = {name: value for name, value in it_values(**overrides).items() if value is not None}
    html_before = doctor.page()
    response = doctor.post("transmettre", {"beneficiaire": member, **values}, html=html_before, headers=headers)
    html = body(response)
    assert response.status_code == status
    assert field_error(html, field) == message
    assert NOT_SENT in html
    assert re.search(rf'aria-invalid="true"[^>]*id="{field}"|<fieldset[^>]*id="{field}"', html)
    for name, value in values.items():
        if name in ("nature_arret", "sorties", "accident_travail") or not value.strip():
            continue
        assert value in html, f"{name} n'est plus affiché tel que saisi"
    if values.get("sorties") in ("non", "oui", "libres"):
        assert re.search(rf'checked[^>]*value="{values["sorties"]}"|value="{values["sorties"]}"[^>]*checked', html)
    assert ("<html" in html) is (not headers)
    assert count_sent() == 0 and audit("formulaire.transmission") == []


def test_a_malformed_date_is_never_replaced_by_the_stored_one_at_transmission(doctor):
    """The draft keeps its former date when a malformed one is typed; « Transmettre » must not send
    the former one while the screen shows the new one in error."""
    member = choose_marc(doctor)
    assert doctor.post("enregistrer", {"beneficiaire": member, **it_values()}).status_code == 303
    response = doctor.post("transmettre", {"beneficiaire": member, **it_values(date_fin="31/11/2026")})
    html = body(response)
    assert response.status_code == 422
    assert field_error(html, "date_fin") == "Date invalide : saisissez-la au format jj/mm/aaaa."
    assert 'value="31/11/2026"' in html
    assert count_sent() == 0


def test_mandatory_zones_are_marked(doctor):
    choose_marc(doctor)
    page = doctor.page()
    for name in ("date_debut", "date_fin", "motif", "elements_medicaux"):
        assert re.search(rf'<label for="{name}">[^<]*<span class="mandatory" aria-hidden="true"> \*</span>', page)
        assert re.search(rf'<(input|textarea)[^>]*aria-required="true"[^>]*id="{name}"', page)
    for name in ("nature_arret", "sorties", "beneficiaire"):
        assert re.search(rf'<fieldset[^>]*id="{name}"[^>]*aria-required="true"', page)
    assert not re.search(r'<input[^>]*aria-required="true"[^>]*id="employeur"', page)


# --- Conditional fields -------------------------------------------------------------------------

def test_sorties_with_hours_are_kept_and_shown_on_the_document(doctor):
    response = transmit(doctor, sorties="oui", sorties_horaires="de 14 h à 16 h")
    assert response.status_code == 200
    document, = sent("it")
    assert (document.sorties, document.sorties_horaires) == ("oui", "de 14 h à 16 h")
    page = doctor.client.get(f"/formulaires/document/{document.id}").get_data(as_text=True)
    assert "Autorisées : de 14 h à 16 h" in page


@pytest.mark.parametrize("values, field, words", [
    ({"sorties": "non", "sorties_horaires": "de 14 h à 16 h"}, "sorties_horaires", "effacez ces heures"),
    ({"sorties": "libres", "sorties_horaires": "de 8 h à 9 h", "motif_sorties_libres": "Marche"},
     "sorties_horaires", "effacez ces heures"),
    ({"sorties": "oui", "motif_sorties_libres": "Promenade"}, "motif_sorties_libres", "effacez cette raison"),
    ({"nature_arret": "initial", "date_initiale": "DAYS-30"}, "date_initiale", "effacez cette date"),
    ({"date_accident": "DAYS-1"}, "date_accident", "Cochez « accident du travail »"),
], ids=["heures-sorties-non", "heures-sorties-libres", "raison-sorties-oui", "date-initiale", "date-accident"])
def test_a_zone_the_choices_do_not_use_is_kept_and_asked_about_never_dropped(doctor, values, field, words):
    """Every zone stays on the page: one filled that the choices do not use is neither sent nor
    silently dropped; the praticien is asked which holds (422, next to it), his input kept."""
    values = {k: fr(days(int(v[4:]))) if isinstance(v, str) and v.startswith("DAYS") else v for k, v in values.items()}
    response = transmit(doctor, **values)
    assert response.status_code == 422 and count_sent("it") == 0
    assert words in field_error(body(response), field)
    saved = doctor.post("enregistrer", {"beneficiaire": doctor.member_ids()[0], **it_values(**values)})
    assert saved.status_code == 422 and "Brouillon enregistré : précisez les zones signalées." in body(saved)
    draft = draft_of("it")
    kept = medical_of(draft).get(field) if field == "motif_sorties_libres" else getattr(draft, field)
    assert kept  # the value typed is still there, for the praticien to keep or erase


def test_sorties_sans_restriction_carry_their_medical_reason_in_the_sealed_elements(doctor):
    assert transmit(doctor, sorties="libres", sorties_horaires="",
                    motif_sorties_libres="Marche quotidienne prescrite").status_code == 200
    document, = sent("it")
    assert (document.sorties, document.sorties_horaires) == ("libres", None)
    assert medical_of(document)["motif_sorties_libres"] == "Marche quotidienne prescrite"
    page = doctor.client.get(f"/formulaires/document/{document.id}").get_data(as_text=True)
    assert "Autorisées sans restriction d'horaire" in page.replace("&#39;", "'")
    assert "Marche quotidienne" not in page


def test_a_prolongation_keeps_the_initial_date(doctor):
    initial = days(-30)
    assert transmit(doctor, nature_arret="prolongation", date_initiale=fr(initial)).status_code == 200
    document, = sent("it")
    assert document.prolongation and document.date_initiale == initial
    page = doctor.client.get(f"/formulaires/document/{document.id}").get_data(as_text=True)
    assert f"Prolongation (arrêt initial du {fr(initial)})" in page


def test_an_accident_du_travail_keeps_its_date(doctor):
    assert transmit(doctor, accident_travail="y", date_accident=fr(days(-1))).status_code == 200
    document, = sent("it")
    assert document.accident_travail and document.date_accident == days(-1)
    page = doctor.client.get(f"/formulaires/document/{document.id}").get_data(as_text=True)
    assert f"du {fr(days(-1))}" in page


def test_a_start_exactly_two_days_back_is_transmitted(doctor):
    assert transmit(doctor, date_debut=fr(days(-2)), date_fin=fr(days(3))).status_code == 200
    assert sent("it")[0].date_debut == days(-2)


def test_the_limit_back_follows_the_configuration(doctor, app, monkeypatch):
    monkeypatch.setitem(app.config, "FSE_IT_RETRO_JOURS", 4)
    assert "Au plus 4 jours avant aujourd'hui" in doctor.page().replace("&#39;", "'")
    refused = transmit(doctor, date_debut=fr(days(-5)))
    assert refused.status_code == 422
    assert "plus de 4 jours avant aujourd'hui" in field_error(body(refused), "date_debut")
    assert transmit(doctor, date_debut=fr(days(-4))).status_code == 200


# --- htmx fragment and plain page -----------------------------------------------------------------

def test_without_javascript_each_step_is_a_page_and_a_303(doctor):
    assert doctor.identify().status_code == 303
    member = doctor.member_ids()[0]
    saved = doctor.post("enregistrer", {"beneficiaire": member, "employeur": "Stars'N'Bars"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/formulaires/it")
    page = doctor.client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Brouillon enregistré." in page and "Stars&#39;N&#39;Bars" in page
    done = doctor.post("transmettre", {"beneficiaire": member, **it_values()})
    html = body(done)
    assert done.status_code == 200 and "<html" in html and "Référence" in html
    assert "HX-Request" in done.headers["Vary"]


def test_with_htmx_each_step_returns_the_forms_region(doctor):
    identified = doctor.identify(headers=HX)
    html = body(identified)
    assert identified.status_code == 200 and html.lstrip().startswith('<div id="formulaire"')
    assert "<html" not in html and "Marc Bellando" in html
    assert "HX-Request" in identified.headers["Vary"]
    member = re.findall(r'name="beneficiaire" value="(\d+)"', html)[0]
    saved = doctor.post("enregistrer", {"beneficiaire": member, "employeur": "SBM"}, headers=HX)
    assert saved.status_code == 200 and "Brouillon enregistré." in body(saved)
    assert body(saved).lstrip().startswith('<div id="formulaire"')
    done = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, headers=HX)
    html = body(done)
    assert done.status_code == 200 and html.lstrip().startswith('<div id="formulaire" class="formulaire transmitted"')
    assert "<html" not in html and sent("it")[0].reference in html


def test_the_form_posts_to_itself_and_swaps_its_region(doctor):
    page = doctor.page()
    assert re.search(r'<form id="formulaire-form" method="post" action="/formulaires/it"', page)
    assert 'hx-post="/formulaires/it" hx-target="#formulaire" hx-swap="outerHTML"' in page
    assert 'hx-post="/formulaires/it/brouillon"' in page
    assert doctor.client.get("/formulaires/it?matricule=100001&code_fse=K7P2").status_code == 200
    assert audit("patient.recherche") == []  # a query string never looks anybody up


# --- The autosave -----------------------------------------------------------------------------------

def autosave(doctor, data: dict, html: str | None = None, **kwargs):
    html = html or doctor.page()
    payload = {"csrf_token": csrf_from(html), **doctor.hidden(html), **data}
    return doctor.client.post("/formulaires/it/brouillon", data=payload, headers=HX, **kwargs)


def test_the_autosave_keeps_the_draft_and_answers_out_of_band(doctor):
    member = choose_marc(doctor)
    html = doctor.page()
    version = int(doctor.hidden(html)["version"])
    response = autosave(doctor, {"beneficiaire": member, **it_values(employeur="Monte-Carlo SBM")}, html)
    text = body(response)
    assert response.status_code == 200
    draft = draft_of("it")
    assert draft.version > version
    assert f'<input type="hidden" id="version" name="version" value="{draft.version}" hx-swap-oob="true">' in text
    assert re.search(r'<p id="autosave-status"[^>]*hx-swap-oob="true">Brouillon enregistré</p>', text)
    assert "Monte-Carlo" not in text and "Lombalgie" not in text  # the fields being typed are never sent back
    assert draft.employeur == "Monte-Carlo SBM"
    assert medical_of(draft)["motif"] == "Lombalgie aiguë hyperalgique"
    assert draft.beneficiaire.prenom == "Marc"


def test_the_autosave_keeps_the_well_formed_fields_only(doctor):
    choose_marc(doctor)
    response = autosave(doctor, {"employeur": "SBM", "date_fin": "31/02/2027", "telephone": "x"})
    assert "Brouillon enregistré (sauf les zones à corriger)" in body(response)
    draft = draft_of("it")
    assert draft.employeur == "SBM" and draft.date_fin is None and draft.telephone is None


def test_the_autosave_of_a_closed_rights_member_says_so(doctor):
    doctor.identify("100005", "F5C1")
    member, = doctor.member_ids()
    response = autosave(doctor, {"beneficiaire": member, "employeur": "SBM"})
    assert "Brouillon enregistré, sauf le bénéficiaire : Louis Palmaro ne peut pas être choisi(e)" in body(response)
    draft = draft_of("it")
    assert draft.employeur == "SBM" and draft.beneficiaire is None


def test_the_autosave_of_a_stale_version_saves_nothing_and_says_so(doctor):
    choose_marc(doctor)
    tab1 = doctor.page()
    assert doctor.post("enregistrer", {"employeur": "Onglet deux"}).status_code == 303
    version = draft_of("it").version
    response = autosave(doctor, {"employeur": "Onglet un"}, tab1)
    assert response.status_code == 200
    assert "Modifié dans un autre onglet : rechargez la page avant de continuer." in body(response)
    draft = draft_of("it")
    assert draft.employeur == "Onglet deux" and draft.version == version


def test_a_stale_tab_keeps_being_refused_until_it_reloads(doctor):
    """The refused autosave gives the page back its own version, not the stored one: its next
    autosave (3 s later, as the praticien goes on typing) would otherwise overwrite the other tab."""
    choose_marc(doctor)
    tab1 = doctor.page()
    seen = doctor.hidden(tab1)["version"]
    assert doctor.post("enregistrer", {"employeur": "Onglet deux", "motif": "Gardé"}).status_code == 303
    first = body(autosave(doctor, {"employeur": "Onglet un"}, tab1))
    assert f'name="version" value="{seen}" hx-swap-oob="true"' in first
    second = autosave(doctor, {"employeur": "Onglet un, encore", "motif": ""}, tab1)
    assert "Modifié dans un autre onglet" in body(second)
    draft = draft_of("it")
    assert draft.employeur == "Onglet deux" and medical_of(draft)["motif"] == "Gardé"
    # A reload shows the stored draft, and saves from there.
    assert autosave(doctor, {"employeur": "Après rechargement"}).status_code == 200
    assert draft_of("it").employeur == "Après rechargement"


def another_tab_saves_meanwhile(monkeypatch):
    """Between the reading of the draft and its saving, another tablet commits a change of it (on
    its own connection): the request's UPDATE then matches no row of the version it read."""
    real = services.save_typed

    def save_after_the_other_tablet(draft, form):
        with db.engine.begin() as connection:
            connection.execute(text("UPDATE formulaire SET version = version + 1, employeur = 'Autre tablette' "
                                    "WHERE id = :id"), {"id": draft.id})
        monkeypatch.setattr(services, "save_typed", real)
        return real(draft, form)

    monkeypatch.setattr(services, "save_typed", save_after_the_other_tablet)


def test_a_save_racing_another_tablet_overwrites_nothing(doctor, monkeypatch):
    member = choose_marc(doctor)
    another_tab_saves_meanwhile(monkeypatch)
    response = doctor.post("enregistrer", {"beneficiaire": member, "employeur": "Cette tablette"})
    html = body(response)
    assert response.status_code == 409 and CHANGED_ELSEWHERE in html and 'value="Cette tablette"' in html
    draft = draft_of("it")
    assert draft.employeur == "Autre tablette" and f'name="version" value="{draft.version}"' in html


def test_an_autosave_racing_another_tablet_overwrites_nothing(doctor, monkeypatch):
    member = choose_marc(doctor)
    page = doctor.page()
    another_tab_saves_meanwhile(monkeypatch)
    response = autosave(doctor, {"beneficiaire": member, "employeur": "Cette tablette"}, page)
    assert response.status_code == 200 and "Modifié dans un autre onglet" in body(response)
    assert f'value="{doctor.hidden(page)["version"]}" hx-swap-oob="true"' in body(response)
    assert draft_of("it").employeur == "Autre tablette"


def test_a_transmission_racing_another_tablet_sends_nothing(doctor, monkeypatch):
    member = choose_marc(doctor)
    another_tab_saves_meanwhile(monkeypatch)
    response = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, headers=HX)
    assert response.status_code == 422 and CHANGED_ELSEWHERE in body(response)
    assert count_sent() == 0 and audit("formulaire.transmission") == []
    assert draft_of("it").employeur == "Autre tablette"


def test_the_autosave_of_a_page_whose_document_was_sent_does_nothing(doctor):
    member = choose_marc(doctor)
    old = doctor.page()
    assert doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=old).status_code == 200
    response = autosave(doctor, {"employeur": "Après coup", "motif": "Ajout"}, old)
    assert response.status_code == 200
    assert "Non enregistré : ce formulaire a été effacé ou transmis dans un autre onglet" in body(response)
    document, = sent("it")
    assert document.employeur == "Société des Bains de Mer"
    draft = draft_of("it")
    assert draft is None or (draft.employeur is None and medical_of(draft) == {})


# --- Two tabs: a form erased in one, still open in the other -----------------------------------

def erase_and_identify_crovetto(doctor):
    """The other tab: « Effacer le formulaire », confirmed, then the next patient's card."""
    assert doctor.post("effacer", {}).status_code == 303
    assert doctor.identify("100002", "R4M8").status_code == 303
    assert draft_of("it").beneficiaire.nom == "Crovetto"


@pytest.mark.parametrize("action", ["enregistrer", "transmettre", "identifier", "changer"])
@pytest.mark.parametrize(("headers", "status"), [({}, 409), (HX, 422)], ids=["page", "htmx"])
def test_a_tab_whose_form_was_erased_elsewhere_saves_nothing_into_the_next_patient(doctor, action, headers, status):
    """Tab A holds Marc Bellando's form; tab B erased it and identified Sophie Crovetto. Whatever
    tab A posts — even with a version that happens to match the new draft's — none of Marc's address,
    employer or medical text reaches Sophie's draft, and nothing is transmitted."""
    member = choose_marc(doctor)
    tab_a = doctor.page()
    doctor.post("enregistrer", {"beneficiaire": member, **it_values()}, html=tab_a)
    tab_a = doctor.page()
    erase_and_identify_crovetto(doctor)
    posted = {"beneficiaire": member, **it_values(adresse="3, rue Grimaldi"),
              "version": str(draft_of("it").version)}  # the same version number as the new draft's
    response = doctor.post(action, posted, html=tab_a, headers=headers)
    assert response.status_code == status
    html = body(response)
    assert "a été effacé ou transmis depuis un autre onglet" in html.replace("&#39;", "'")
    assert "Crovetto" in html and "rue Grimaldi" not in html and "Lombalgie" not in html
    draft = draft_of("it")
    assert draft.beneficiaire.nom == "Crovetto" and draft.adresse is None and draft.employeur is None
    assert medical_of(draft) == {} and count_sent() == 0


def test_transmettre_needs_the_member_ticked_on_the_page(doctor):
    """What is sent is what the screen shows: a member stored in the draft but not ticked on the page
    (no radio posted) is not sent."""
    member = choose_marc(doctor)
    doctor.post("enregistrer", {"beneficiaire": member})
    values = it_values()
    response = doctor.post("transmettre", values)
    assert response.status_code == 422 and count_sent() == 0
    assert field_error(body(response), "beneficiaire") == "Choisissez le bénéficiaire concerné."


# --- Two tabs: the version ----------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "status"), [({}, 409), (HX, 422)], ids=["page", "htmx"])
def test_a_stale_tab_saves_nothing_and_keeps_its_input_on_screen(doctor, headers, status):
    choose_marc(doctor)
    tab1 = doctor.page()
    assert doctor.post("enregistrer", {"employeur": "Saisi dans l'onglet deux"}).status_code == 303
    current = draft_of("it").version
    response = doctor.post("enregistrer", {"employeur": "Saisi dans l'onglet un", "motif": "Migraine"},
                           html=tab1, headers=headers)
    html = body(response)
    assert response.status_code == status and CHANGED_ELSEWHERE in html
    assert 'value="Saisi dans l\'onglet un"' in html and "Migraine" in html
    assert f'name="version" value="{current}"' in html
    draft = draft_of("it")
    assert draft.employeur == "Saisi dans l'onglet deux" and draft.version == current
    assert "motif" not in medical_of(draft)
    # Validating again from the page shown keeps this tab's input, knowingly.
    again = doctor.post("enregistrer", {"employeur": "Saisi dans l'onglet un"}, html=response.get_data(as_text=True))
    assert again.status_code in (200, 303)
    assert draft_of("it").employeur == "Saisi dans l'onglet un"


def test_a_stale_tab_cannot_transmit(doctor):
    member = choose_marc(doctor)
    tab1 = doctor.page()
    doctor.post("enregistrer", {"beneficiaire": member, "employeur": "Autre onglet"})
    response = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=tab1)
    assert response.status_code == 409 and CHANGED_ELSEWHERE in body(response)
    assert count_sent() == 0 and draft_of("it").employeur == "Autre onglet"


# --- A double « Transmettre » -------------------------------------------------------------------

AGAIN = "Ce formulaire était déjà transmis : il ne l'a pas été une seconde fois."


@pytest.mark.parametrize("headers", [{}, HX], ids=["page", "htmx"])
def test_the_same_token_twice_makes_one_document_and_shows_it(doctor, headers, monkeypatch):
    """A double tap: without JavaScript the browser shows the second answer only, so within two
    minutes it is the same summary, marked as already sent; later, the document's page (no medical
    element any more)."""
    member = choose_marc(doctor)
    page = doctor.page()
    first = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=page, headers=headers)
    assert first.status_code == 200
    document, = sent("it")
    again = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=page, headers=headers)
    assert again.status_code == 200 and AGAIN in body(again).replace("&#39;", "'")
    assert document.reference in body(again) and "Lombalgie aiguë hyperalgique" in body(again)
    monkeypatch.setattr("app.formulaires.routes.SUMMARY_AGAIN_WITHIN", timedelta(0))
    later = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=page, headers=headers)
    target = f"/formulaires/document/{document.id}"
    if headers:
        assert later.status_code == 200 and later.headers["HX-Redirect"] == target
    else:
        assert later.status_code == 303 and later.headers["Location"].endswith(target)
    shown = body(doctor.client.get(target))
    assert f"Ce formulaire a déjà été transmis : référence {document.reference}." in shown
    assert "Lombalgie" not in shown
    assert count_sent() == 1 and len(audit("formulaire.transmission")) == 1


def test_a_second_post_checked_before_the_first_committed_still_makes_one_document(doctor, monkeypatch):
    """The second request looked for the token before the first one committed (so found nothing),
    and reaches the draft once the first has transmitted it."""
    member = choose_marc(doctor)
    page = doctor.page()
    assert doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=page).status_code == 200
    document, = sent("it")
    real = services.sent_with_token
    calls = []

    def too_early_the_first_time(praticien_id, jeton):
        calls.append(jeton)
        return None if len(calls) == 1 else real(praticien_id, jeton)

    monkeypatch.setattr(services, "sent_with_token", too_early_the_first_time)
    again = doctor.post("transmettre", {"beneficiaire": member, **it_values()}, html=page)
    assert again.status_code == 200 and AGAIN in body(again).replace("&#39;", "'")
    assert document.reference in body(again) and len(calls) == 2
    assert count_sent() == 1


def test_simultaneous_transmissions_with_one_token_make_one_document(doctor, app):
    member = choose_marc(doctor)
    page = doctor.page()
    cookie = doctor.client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    clients = []
    for _ in range(4):
        client = app.test_client()
        client.set_cookie(cookie.key, cookie.value)
        clients.append(client)
    payload = {"csrf_token": csrf_from(page), **doctor.hidden(page), "action": "transmettre",
               "beneficiaire": member, **it_values()}
    barrier = threading.Barrier(len(clients))

    def send(client):
        barrier.wait()
        response = client.post("/formulaires/it", data=payload)
        return response.status_code, AGAIN in response.get_data(as_text=True).replace("&#39;", "'")

    with ThreadPoolExecutor(len(clients)) as pool:
        outcomes = list(pool.map(send, clients))
    sent("it")  # exactly one document
    assert [status for status, _ in outcomes] == [200] * len(clients), outcomes
    assert sorted(again for _, again in outcomes) == [False] + [True] * (len(clients) - 1), outcomes
    assert len(audit("formulaire.transmission")) == 1


def test_after_a_transmission_the_form_is_a_new_empty_draft(doctor):
    assert transmit(doctor).status_code == 200
    page = doctor.page()
    assert 'name="matricule"' in page and "Lombalgie" not in page and "Bains de Mer" not in page
    document, = sent("it")
    assert doctor.hidden(page)["jeton"] != document.jeton


# --- An expired CSRF token ------------------------------------------------------------------------

@pytest.mark.parametrize(("headers", "status"), [({}, 400), (HX, 422)], ids=["page", "htmx"])
@pytest.mark.parametrize("action", ["enregistrer", "transmettre"])
def test_an_expired_token_keeps_the_input_and_does_nothing(doctor, app, headers, status, action):
    member = choose_marc(doctor)
    page = doctor.page()
    version = draft_of("it").version
    stale = stale_token(doctor.client, app)
    data = {**doctor.hidden(page), "csrf_token": stale, "action": action, "beneficiaire": member,
            **it_values(employeur="Expiré SARL")}
    response = doctor.client.post("/formulaires/it", data=data, headers=headers)
    html = body(response)
    assert response.status_code == status and EXPIRED in html
    assert 'value="Expiré SARL"' in html and "Lombalgie aiguë hyperalgique" in html
    assert ("<html" in html) is (not headers)
    fresh_token = csrf_from(response.get_data(as_text=True))
    assert fresh_token != stale
    draft = draft_of("it")
    assert draft.version == version and draft.employeur is None and count_sent() == 0
    # The page shown validates as it is.
    retry = doctor.post(action, {"beneficiaire": member, **it_values(employeur="Expiré SARL")},
                        html=response.get_data(as_text=True), headers=headers)
    assert retry.status_code in (200, 303)
    assert (count_sent() == 1) is (action == "transmettre")


def test_an_expired_token_on_the_identification_looks_nobody_up(doctor, app):
    doctor.page()
    stale = stale_token(doctor.client, app)
    page = doctor.page()
    response = doctor.client.post("/formulaires/it", data={**doctor.hidden(page), "csrf_token": stale,
                                                           "action": "identifier", "matricule": "100002",
                                                           "code_fse": "R4M8"})
    html = body(response)
    assert response.status_code == 400 and EXPIRED in html
    assert 'value="100002"' in html and 'value="R4M8"' in html and "Crovetto" not in html
    assert audit("patient.recherche") == []


# --- The audit row in the transmission's transaction --------------------------------------------

def test_the_transmission_is_audited_without_any_medical_word(doctor):
    assert transmit(doctor).status_code == 200
    document, = sent("it")
    row, = audit("formulaire.transmission")
    assert (row.resultat, row.objet_type, row.objet_id) == ("succes", "formulaire", str(document.id))
    assert row.details == "Prescription d'IT"
    assert row.praticien_id == document.praticien_id and row.compte_id == document.compte_id


def test_a_failing_audit_row_leaves_nothing_transmitted(doctor, monkeypatch):
    member = choose_marc(doctor)
    version = draft_of("it").version
    real = services.record

    def failing(action, *args, **kwargs):
        if action == "formulaire.transmission":
            raise RuntimeError("journal indisponible")
        return real(action, *args, **kwargs)

    monkeypatch.setattr(services, "record", failing)
    response = doctor.post("transmettre", {"beneficiaire": member, **it_values()})
    assert response.status_code == 500
    assert count_sent() == 0 and audit("formulaire.transmission") == []
    draft = draft_of("it")
    assert draft.reference is None and draft.transmis_le is None and draft.version == version
    monkeypatch.setattr(services, "record", real)
    assert doctor.post("transmettre", {"beneficiaire": member, **it_values()}).status_code == 200
    assert count_sent() == 1


def test_documents_and_drafts_keep_their_constraints(doctor):
    """A transmitted IT is complete in the database itself (CHECK it_complete, transmis_complet)."""
    assert transmit(doctor).status_code == 200
    document, = sent("it")
    assert document.reference.startswith("IT-") and document.matricule == "100001"
    assert (document.patient_nom, document.patient_prenom) == ("Bellando", "Marc")
    assert document.date_naissance_saisie is None
    member = db.session.get(Beneficiaire, document.beneficiaire_id)
    assert document.patient_date_naissance == member.date_naissance
    assert db.session.scalar(select(JournalAudit.id).where(JournalAudit.objet_id == str(document.id))) is not None


@pytest.mark.parametrize("phone, accepted", [
    ("+377 93 15 49 01", True), ("(+377) 93 15 49 01", True), ("06-12-34-56-78", True), ("93.15.49.01", True),
    ("93 15 49 01 bureau", False), ("------", False), ("12", False),
])
def test_the_patient_phone_takes_the_usual_ways_of_writing_it(doctor, phone, accepted):
    response = doctor.post("enregistrer", {"telephone": phone})
    error = field_error(body(response), "telephone")
    assert (error is None) == accepted, error
    assert (draft_of("it").telephone == phone) == accepted

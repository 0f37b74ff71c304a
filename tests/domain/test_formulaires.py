"""The forms' pure rules (app/domain/formulaires.py): who fills which form, the IT's date rules at
their boundaries, the invalidity request's stop date and the documents' references."""

import re
from datetime import date, timedelta

import pytest

from app.domain.formulaires import (
    ETM,
    IDENTIFICATION_MODES,
    INVALIDITE,
    IT,
    IT_MAX_DAYS,
    IT_MAX_DAYS_AHEAD,
    KINDS,
    SAGE_FEMME_MAX_DAYS,
    ItDates,
    duration_days,
    it_date_problems,
    kinds_for,
    may_fill,
    new_reference,
    stop_date_problem,
)
from app.domain.professions import PROFESSIONS

TODAY = date(2026, 11, 23)


def dates(debut=TODAY, fin=None, prolongation=False, date_initiale=None, accident_travail=False,
          date_accident=None) -> ItDates:
    return ItDates(debut, debut + timedelta(days=6) if fin is None and debut else fin, prolongation,
                   date_initiale, accident_travail, date_accident)


def problems(profession="medecin", retro_days=2, today=TODAY, **kwargs) -> dict[str, str]:
    return it_date_problems(dates(**kwargs), profession, today, retro_days)


# --- Who fills which form -------------------------------------------------------------------

@pytest.mark.parametrize(("profession", "kinds"), [
    ("medecin", (IT, ETM, INVALIDITE)),
    ("dentiste", (IT,)),
    ("sagefemme", (IT,)),
    ("infirmier", ()),
    ("kine", ()),
    ("orthophoniste", ()),
    ("orthoptiste", ()),
])
def test_kinds_for_each_profession_in_the_seeds_order(profession, kinds):
    assert kinds_for(profession) == kinds
    for kind in KINDS:
        assert may_fill(profession, kind) is (kind in kinds)


def test_every_profession_is_decided_and_unknown_ones_fill_nothing():
    assert set(PROFESSIONS) == {"medecin", "dentiste", "sagefemme", "infirmier", "kine", "orthophoniste",
                                "orthoptiste"}
    assert kinds_for("veterinaire") == ()
    assert not may_fill("medecin", "ordonnance") and not may_fill("", IT)


def test_the_it_needs_the_card_and_the_two_requests_accept_the_birth_date():
    assert IDENTIFICATION_MODES[IT] == ("code_fse",)
    assert IDENTIFICATION_MODES[ETM] == IDENTIFICATION_MODES[INVALIDITE] == ("code_fse", "date_naissance")


# --- The start of the arrêt: 2 days back (configuration), 7 days ahead ------------------------

def test_a_start_today_or_exactly_two_days_back_is_accepted():
    assert problems(debut=TODAY) == {}
    assert problems(debut=TODAY - timedelta(days=1)) == {}
    assert problems(debut=TODAY - timedelta(days=2)) == {}


def test_a_start_three_days_back_is_refused_with_the_48_hours_reason():
    found = problems(debut=TODAY - timedelta(days=3))
    assert set(found) == {"date_debut"}
    assert "plus de 2 jours avant aujourd'hui" in found["date_debut"]
    assert "48 heures" in found["date_debut"]


@pytest.mark.parametrize("retro_days", [0, 1, 2, 5])
def test_the_limit_back_is_the_configured_number_of_days(retro_days):
    assert problems(retro_days=retro_days, debut=TODAY - timedelta(days=retro_days)) == {}
    refused = problems(retro_days=retro_days, debut=TODAY - timedelta(days=retro_days + 1))
    assert set(refused) == {"date_debut"}
    assert f"plus de {retro_days} jour" in refused["date_debut"]


def test_the_message_agrees_with_a_single_day():
    message = problems(retro_days=1, debut=TODAY - timedelta(days=2))["date_debut"]
    assert "plus de 1 jour avant" in message and "1 jours" not in message


def test_a_start_up_to_seven_days_ahead_is_accepted_and_eight_refused():
    assert IT_MAX_DAYS_AHEAD == 7
    assert problems(debut=TODAY + timedelta(days=7)) == {}
    found = problems(debut=TODAY + timedelta(days=8))
    assert set(found) == {"date_debut"}
    assert "plus de 7 jours après aujourd'hui" in found["date_debut"]


# --- The end: not before the start, 365 days at most, 15 for a sage-femme ---------------------

def test_an_end_before_the_start_is_refused_and_the_same_day_accepted():
    assert problems(fin=TODAY) == {}
    found = problems(fin=TODAY - timedelta(days=1))
    assert found == {"date_fin": "La date de fin doit être le jour du début ou un jour suivant."}


def test_a_prescription_covers_365_days_at_most_both_ends_included():
    assert IT_MAX_DAYS == 365
    assert problems(fin=TODAY + timedelta(days=364)) == {}
    found = problems(fin=TODAY + timedelta(days=365))
    assert found == {"date_fin": "Une prescription couvre un arrêt de 365 jours au plus (ici 366 jours)."}
    # The dentist has the same limit as the médecin.
    assert problems("dentiste", fin=TODAY + timedelta(days=364)) == {}
    assert set(problems("dentiste", fin=TODAY + timedelta(days=365))) == {"date_fin"}


def test_a_sage_femme_prescribes_fifteen_days_at_most():
    assert SAGE_FEMME_MAX_DAYS == 15
    assert problems("sagefemme", fin=TODAY + timedelta(days=14)) == {}
    found = problems("sagefemme", fin=TODAY + timedelta(days=15))
    assert found == {"date_fin": "Une sage-femme prescrit un arrêt de 15 jours au plus (ici 16 jours)."}
    # 16 days is fine for a médecin.
    assert problems("medecin", fin=TODAY + timedelta(days=15)) == {}


def test_duration_counts_both_ends():
    assert duration_days(TODAY, TODAY) == 1
    assert duration_days(TODAY, TODAY + timedelta(days=6)) == 7
    assert duration_days(date(2028, 2, 28), date(2028, 3, 1)) == 3  # a leap year


def test_missing_dates_break_no_date_rule_the_required_check_reports_them():
    assert it_date_problems(ItDates(None, None, False, None, False, None), "medecin", TODAY, 2) == {}
    assert it_date_problems(ItDates(None, TODAY, False, None, False, None), "medecin", TODAY, 2) == {}
    late = it_date_problems(ItDates(TODAY - timedelta(days=3), None, False, None, False, None), "medecin", TODAY, 2)
    assert set(late) == {"date_debut"}


def test_a_start_too_far_back_and_an_end_before_it_are_both_reported():
    found = problems(debut=TODAY - timedelta(days=10), fin=TODAY - timedelta(days=11))
    assert set(found) == {"date_debut", "date_fin"}


# --- Prolongation and accident du travail ----------------------------------------------------

def test_a_prolongation_needs_the_date_of_the_initial_arret():
    found = problems(prolongation=True)
    assert found == {"date_initiale": "Pour une prolongation, saisissez la date de l'arrêt initial."}


def test_the_initial_arret_may_be_long_ago_but_not_after_the_prolongation():
    # The 2-day limit is for the start of this prescription, not for the initial arrêt.
    assert problems(prolongation=True, date_initiale=TODAY - timedelta(days=40)) == {}
    assert problems(prolongation=True, date_initiale=TODAY) == {}
    found = problems(prolongation=True, date_initiale=TODAY + timedelta(days=1))
    assert found == {"date_initiale": "L'arrêt initial ne peut pas commencer après la prolongation."}


def test_an_initial_date_is_ignored_for_an_initial_arret():
    assert problems(prolongation=False, date_initiale=TODAY + timedelta(days=30)) == {}


def test_an_accident_du_travail_needs_its_date():
    assert problems(accident_travail=True) == {"date_accident": "Saisissez la date de l'accident du travail."}


def test_the_accident_is_on_or_before_the_start_and_never_in_the_future():
    assert problems(accident_travail=True, date_accident=TODAY) == {}
    assert problems(accident_travail=True, date_accident=TODAY - timedelta(days=200)) == {}
    future = problems(debut=TODAY + timedelta(days=3), accident_travail=True,
                      date_accident=TODAY + timedelta(days=1))
    assert future == {"date_accident": "La date de l'accident ne peut pas être dans le futur."}
    after = problems(debut=TODAY - timedelta(days=2), accident_travail=True, date_accident=TODAY - timedelta(days=1))
    assert after == {"date_accident": "L'accident ne peut pas être postérieur au début de l'arrêt."}
    # A start ahead of today after an accident today is fine.
    assert problems(debut=TODAY + timedelta(days=2), accident_travail=True, date_accident=TODAY) == {}


def test_an_accident_date_is_ignored_without_an_accident_du_travail():
    assert problems(accident_travail=False, date_accident=TODAY + timedelta(days=5)) == {}


# --- The invalidity request's stop date ------------------------------------------------------

def test_the_stop_date_is_in_the_past_or_today():
    assert stop_date_problem(None, TODAY) is None
    assert stop_date_problem(TODAY, TODAY) is None
    assert stop_date_problem(TODAY - timedelta(days=800), TODAY) is None
    assert stop_date_problem(TODAY + timedelta(days=1), TODAY) == \
        "La date d'arrêt de travail ne peut pas être dans le futur."


# --- References ------------------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "prefix"), [(IT, "IT"), (ETM, "ETM"), (INVALIDITE, "INV")])
def test_a_reference_is_the_kind_the_day_and_six_unambiguous_characters(kind, prefix):
    assert new_reference(kind, TODAY, "7KQ3MX") == f"{prefix}-20261123-7KQ3MX"
    references = {new_reference(kind, TODAY) for _ in range(300)}
    assert len(references) == 300  # random: 32^6 possibilities
    for reference in references:
        assert re.fullmatch(rf"{prefix}-20261123-[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{{6}}", reference)
        assert len(reference) <= 24  # the column's size
    # No 0/O nor 1/I confusion: the alphabet leaves out 0, 1, I and O.
    assert not set("".join(r[-6:] for r in references)) & set("01IO")


def test_a_reference_uses_the_given_day():
    assert new_reference(IT, date(2027, 1, 5), "ABCDEF") == "IT-20270105-ABCDEF"


def test_the_etm_natures_asked_are_worded_for_a_praticien_and_others_fall_back_to_the_file():
    from app.domain.formulaires import ETM_ASKED, etm_label

    assert 47 not in ETM_ASKED and 11 not in ETM_ASKED and 0 not in ETM_ASKED
    assert etm_label(41, "BENEFICIAIRE ATTEINT D UNE MALADIE LISTE AFFECTION") == \
        "Affection de la liste des affections de longue durée (ALD liste)"
    assert etm_label(11, "ACCIDENT DU TRAVAIL (AT)") == "Accident du travail (AT)"

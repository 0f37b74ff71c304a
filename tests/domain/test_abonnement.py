"""The subscription request's pure rules (app/domain/abonnement.py): the seed's professions and the
portal's codes, the reference, « cochez la case utile », the date of the request, the throttle."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.abonnement import (
    AVEC_CARTE,
    PROFESSIONS_DEMANDE,
    REQUESTS_PER_ADDRESS,
    SANS_CARTE,
    STATUTS,
    THROTTLE_WINDOW,
    blocked_until,
    card_problem,
    date_problem,
    new_reference,
    sans_carte,
    throttle_message,
)
from app.domain.formulaires import REFERENCE_ALPHABET
from app.domain.professions import PROFESSIONS

TODAY = date(2026, 11, 23)


def test_the_seeds_professions_map_to_the_portals_codes():
    assert list(PROFESSIONS_DEMANDE.values()) == [
        "Médecin", "Chirurgien-Dentiste", "Infirmier(e) libéral(e)", "Orthophoniste", "Masseur-Kinésithérapeute",
        "Orthoptiste", "Sage-femme"]
    assert set(PROFESSIONS_DEMANDE) == set(PROFESSIONS)


def test_statuses():
    assert STATUTS == {"en_attente": "En attente", "approuvee": "Approuvée", "refusee": "Refusée"}


def test_reference_reads_well_on_the_phone():
    assert new_reference(TODAY, "7KQ3MX") == "AB-20261123-7KQ3MX"
    for _ in range(200):
        reference = new_reference(TODAY)
        assert re.fullmatch(r"AB-20261123-[23456789A-HJ-NP-Z]{6}", reference)
        assert set(reference[-6:]) <= set(REFERENCE_ALPHABET)
    assert len({new_reference(TODAY) for _ in range(200)}) == 200


@pytest.mark.parametrize("choice, has_number, problem", [
    (AVEC_CARTE, True, None),
    (SANS_CARTE, False, None),
    (None, True, None),  # numbers typed, no box ticked: a card
    ("n'importe", True, None),
    (None, False, "Saisissez votre n° ADELI ou RPPS, ou cochez « ne pas disposer d'une carte de professionnel de santé »."),
    ("", False, "Saisissez votre n° ADELI ou RPPS"),
    (AVEC_CARTE, False, "Saisissez le n° ADELI ou le n° RPPS de votre carte (l'un des deux au moins)."),
    (SANS_CARTE, True, "Vous avez saisi un n° ADELI ou RPPS : cochez « disposer d'une carte… », ou effacez les numéros."),
])
def test_tick_the_right_box(choice, has_number, problem):
    found = card_problem(choice, has_number)
    assert (found is None) == (problem is None)
    if problem:
        assert found.startswith(problem)


def test_sans_carte_flag():
    assert sans_carte(SANS_CARTE, False) is True
    assert sans_carte(AVEC_CARTE, True) is False
    assert sans_carte(None, True) is False


@pytest.mark.parametrize("day, problem", [
    (TODAY, None),
    (TODAY - timedelta(days=1), None),  # a page opened before midnight
    (None, None),  # « saisissez la date » is the form's
    (TODAY + timedelta(days=1), "La date ne peut pas être dans le futur : datez la demande d'aujourd'hui, le 23/11/2026."),
    (TODAY - timedelta(days=2), "Datez la demande du jour où vous l'envoyez : aujourd'hui, le 23/11/2026."),
    (date(2025, 11, 23), "Datez la demande du jour où vous l'envoyez"),
])
def test_the_request_is_dated_the_day_it_is_sent(day, problem):
    found = date_problem(day, TODAY)
    assert (found is None) == (problem is None)
    if problem:
        assert found.startswith(problem)


def test_five_requests_then_an_hour_after_the_last():
    last = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for count in range(REQUESTS_PER_ADDRESS):
        assert blocked_until(count, last) is None
    assert blocked_until(REQUESTS_PER_ADDRESS, last) == last + THROTTLE_WINDOW == last + timedelta(hours=1)
    assert blocked_until(REQUESTS_PER_ADDRESS + 10, last) == last + THROTTLE_WINDOW


@pytest.mark.parametrize("remaining, minutes", [
    (timedelta(minutes=50), "50 minutes"), (timedelta(seconds=61), "2 minutes"), (timedelta(seconds=20), "1 minute"),
    (timedelta(0), "1 minute"), (None, "60 minutes"),
])
def test_throttle_message(remaining, minutes):
    message = throttle_message(remaining)
    assert message.startswith(f"Trop de demandes d'abonnement envoyées depuis cette connexion : réessayez dans {minutes}.")
    assert "(+377) 93 15 43 44" in message

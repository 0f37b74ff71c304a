"""Throttling delays, assistants' validity, who manages assistants, when two factors are required,
and the password rules."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.access import account_valid_on, assistant_valid_on, can_manage_assistants, two_factor_required
from app.domain.passwords import identifiant_base, one_time_password, password_problems
from app.domain.throttle import LOCK_AFTER, blocked_until, delay_after, wait_message


def test_first_failures_are_free_then_delays_double_up_to_an_hour():
    assert [delay_after(n) for n in range(5)] == [timedelta(0)] * 5
    assert delay_after(5) == timedelta(seconds=30)
    assert delay_after(6) == timedelta(seconds=60)
    assert delay_after(7) == timedelta(seconds=120)
    assert delay_after(20) == timedelta(hours=1)
    assert all(delay_after(n + 1) >= delay_after(n) for n in range(5, LOCK_AFTER - 1))


def test_locked_after_one_hundred_consecutive_failures():
    assert LOCK_AFTER == 100
    assert delay_after(99) == timedelta(hours=1)
    assert delay_after(100) is None
    last = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
    assert blocked_until(100, last).year == 9999
    assert blocked_until(3, last) is None
    assert blocked_until(6, last) == last + timedelta(minutes=1)
    assert "bloqué" in wait_message(None)
    assert wait_message(timedelta(seconds=61)) == "Trop de tentatives : réessayez dans 2 minutes."
    assert wait_message(timedelta(seconds=10)) == "Trop de tentatives : réessayez dans 1 minute."


@pytest.mark.parametrize(
    ("day", "valid"),
    [(date(2026, 2, 28), False), (date(2026, 3, 1), True), (date(2026, 6, 30), True), (date(2026, 7, 1), False)],
)
def test_assistant_valid_from_start_day_to_end_day_included(day, valid):
    assert assistant_valid_on(date(2026, 3, 1), date(2026, 6, 30), day) is valid


def test_assistant_without_end_date_and_removed_accounts():
    assert assistant_valid_on(date(2026, 1, 1), None, date(2040, 1, 1))
    assert not account_valid_on("assistant", date(2026, 1, 1), None, True, date(2026, 5, 1))
    assert account_valid_on("praticien", None, None, False, date(2026, 5, 1))
    assert not account_valid_on("assistant", date(2026, 6, 1), None, False, date(2026, 5, 1))


def test_only_a_praticien_with_two_factor_manages_assistants():
    assert can_manage_assistants("praticien", True)
    assert not can_manage_assistants("praticien", False)
    assert not can_manage_assistants("assistant", True)


DEADLINE = date(2027, 1, 1)


def test_two_factor_opt_in_before_the_deadline_and_mandatory_after():
    before, after = date(2026, 12, 31), date(2027, 1, 1)
    assert not two_factor_required(False, False, "praticien", before, DEADLINE)
    assert two_factor_required(False, True, "praticien", before, DEADLINE)
    assert two_factor_required(True, False, "praticien", before, DEADLINE)
    assert two_factor_required(False, False, "praticien", after, DEADLINE)
    assert two_factor_required(False, False, "assistant", before, DEADLINE)


@pytest.mark.parametrize(
    ("password", "reason"),
    [("court", "au moins 8"), ("x" * 129, "dépasser 128"), ("azerty123", "trop courant"), ("MotDePasse", "trop courant"),
     ("aaaaaaaaaaaa", "trop courant"), ("Monaco98000", "trop courant"), ("xx-medecin.demo-yy", "identifiant"),
     ("Lorenzi-2026!", "votre nom")],
)
def test_refused_passwords(password, reason):
    problems = password_problems(password, identifiant="medecin.demo", noms=("Lorenzi", "Claire"))
    assert any(reason in p for p in problems), problems


@pytest.mark.parametrize("password", ["correct horse battery", "le chat dort au soleil", "Trois-petits-cochons", "abcdefgh" * 16,
                                      "ééééàààçç12"])
def test_accepted_passwords_have_no_composition_rules(password):
    assert password_problems(password, identifiant="medecin.demo", noms=("Lorenzi", "Claire")) == []


def test_one_time_passwords_and_identifiants():
    passwords = {one_time_password() for _ in range(100)}
    assert len(passwords) == 100
    assert all(len(p) == 14 and p[4] == p[9] == "-" for p in passwords)
    assert all(password_problems(p) == [] for p in passwords)
    assert identifiant_base("Éloïse", "D'Amélio-Rossi") == "eloise.dameliorossi"


def test_profession_words():
    from app.domain.professions import display_name, hnp_label, hnp_meaning

    assert display_name("medecin", "Claire", "Lorenzi") == "Dr Claire Lorenzi"
    assert display_name("dentiste", "Marc", "Passeron") == "Dr Marc Passeron"
    assert display_name("kine", "Luc", "Raimbert") == "Luc Raimbert"
    assert (hnp_label("dentiste"), hnp_label("medecin"), hnp_label("infirmier")) == ("RDD", "HNP", "HNP")
    assert "dentiste" in hnp_meaning("dentiste") and "non payés" in hnp_meaning("medecin")

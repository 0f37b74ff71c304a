"""The caisse's rules on received FSE: a rejection's reason, which status can be rejected, which FSE
the caisse may process (out of the practice's deletion window), the list's default period, an
ordiposte's payment date, and the rejections an account has not seen."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from app.domain.caisse_fses import (MOTIF_MAX_CHARS, acknowledged_until, clean_reason, default_period,
                                    deletion_window_open, latest_transmission_day, payment_date_problem,
                                    processable, processing_cutoff, processing_refusal, reason_problem,
                                    rejection_refusal, rejections_unseen_since)
from app.domain.calendar import MONACO
from app.domain.lifecycle import STATUTS, TRANSMISE, can_delete, deletion_window_end


def monaco(day: date, hour: int, minute: int = 0) -> datetime:
    """An aware UTC instant at a Monaco wall-clock time."""
    return datetime.combine(day, time(hour, minute), MONACO).astimezone(UTC)


@pytest.mark.parametrize("text", [None, "", "   ", "\r\n\t "])
def test_a_rejection_needs_a_reason(text):
    assert reason_problem(text) == "Le motif du rejet est obligatoire : il est communiqué au praticien."


def test_a_reason_has_500_characters_at_most_after_trimming():
    assert reason_problem("x" * MOTIF_MAX_CHARS) is None
    assert reason_problem("  " + "x" * MOTIF_MAX_CHARS + "\n") is None
    assert reason_problem("x" * (MOTIF_MAX_CHARS + 1)) == "500 caractères au plus (501 saisis)."


def test_a_reason_is_kept_as_typed_with_plain_line_ends():
    assert clean_reason("  Acte non remboursable\r\nà cette date  ") == "Acte non remboursable\nà cette date"
    assert clean_reason(None) == ""


@pytest.mark.parametrize("statut, words", [
    ("transmise", None),
    ("rejetee", "déjà été rejetée"),
    ("payee", "déjà été payée dans un ordiposte"),
    ("supprimee", "supprimée par le praticien"),
    ("brouillon", "n'a pas été transmise"),
    ("inconnu", "ne peut pas être rejetée"),
])
def test_only_a_transmitted_fse_can_be_rejected(statut, words):
    refusal = rejection_refusal(statut)
    assert (refusal is None) if words is None else (words in refusal)


def test_every_status_has_its_answer():
    assert [s for s in STATUTS if rejection_refusal(s) is None] == ["transmise"]


def test_the_list_opens_on_the_last_30_days_today_included():
    du, au = default_period(date(2026, 3, 31))
    assert (du, au) == (date(2026, 3, 2), date(2026, 3, 31))
    assert (au - du).days + 1 == 30


def test_a_payment_date_is_today_or_before():
    today = date(2026, 5, 10)
    assert payment_date_problem(today, today) is None
    assert payment_date_problem(date(2025, 12, 31), today) is None
    assert payment_date_problem(today + timedelta(days=1), today) == "La date de paiement ne peut pas être dans le futur."
    assert payment_date_problem(None, today) == "Indiquez la date de paiement."


def test_rejections_are_news_since_the_last_acknowledgement_or_the_account_s_creation():
    created, seen = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 4, 1, 8, tzinfo=UTC)
    assert rejections_unseen_since(None, created) == created
    assert rejections_unseen_since(seen, created) == seen


def test_an_acknowledgement_goes_up_to_what_was_shown_never_back_never_ahead():
    now = datetime(2026, 4, 2, 12, tzinfo=UTC)
    shown = datetime(2026, 4, 2, 9, 30, 15, 123456, tzinfo=UTC)
    assert acknowledged_until(None, shown, now) == shown
    assert acknowledged_until(shown - timedelta(days=1), shown, now) == shown
    assert acknowledged_until(shown, shown, now) is None  # nothing new
    assert acknowledged_until(shown + timedelta(seconds=1), shown, now) is None  # never backwards
    assert acknowledged_until(None, now + timedelta(hours=1), now) == now  # never in the future


def test_a_payment_date_is_not_before_the_latest_transmission():
    today, sent = date(2026, 5, 10), date(2026, 5, 7)
    assert payment_date_problem(sent, today, sent) is None
    assert payment_date_problem(today, today, sent) is None
    assert payment_date_problem(sent - timedelta(days=1), today, sent) == (
        "La date de paiement ne peut pas précéder la transmission des FSE choisies : le 07/05/2026 au plus tôt.")
    assert payment_date_problem(date(2020, 1, 1), today, None) is None  # no FSE known: no lower bound
    assert payment_date_problem(today + timedelta(days=1), today, sent) == (
        "La date de paiement ne peut pas être dans le futur.")


def test_the_latest_transmission_day_is_a_monaco_day():
    # 23:30 UTC on 14 January is 00:30 on the 15th in Monaco.
    instants = [datetime(2026, 1, 10, 9, tzinfo=UTC), datetime(2026, 1, 14, 23, 30, tzinfo=UTC), None]
    assert latest_transmission_day(instants) == date(2026, 1, 15)
    assert latest_transmission_day([]) is None and latest_transmission_day([None]) is None


def test_the_deletion_window_ends_at_22_00_monaco_on_the_day_of_transmission():
    assert deletion_window_end(monaco(date(2026, 1, 15), 9, 30)) == monaco(date(2026, 1, 15), 22)
    assert deletion_window_end(datetime(2026, 7, 14, 23, 30, tzinfo=UTC)) == monaco(date(2026, 7, 15), 22)


@pytest.mark.parametrize("now, cutoff", [
    # winter (UTC+1): before 22:00 the start of today, from 22:00 the start of tomorrow
    (monaco(date(2026, 1, 15), 21, 59), datetime(2026, 1, 14, 23, tzinfo=UTC)),
    (monaco(date(2026, 1, 15), 22, 0), datetime(2026, 1, 15, 23, tzinfo=UTC)),
    (monaco(date(2026, 1, 15), 0, 5), datetime(2026, 1, 14, 23, tzinfo=UTC)),
    # summer (UTC+2)
    (monaco(date(2026, 7, 15), 12, 0), datetime(2026, 7, 14, 22, tzinfo=UTC)),
    (monaco(date(2026, 7, 15), 23, 59), datetime(2026, 7, 15, 22, tzinfo=UTC)),
    # the day summer time starts (29 March 2026), and the evening before it
    (monaco(date(2026, 3, 28), 22, 30), datetime(2026, 3, 28, 23, tzinfo=UTC)),
    (monaco(date(2026, 3, 29), 22, 30), datetime(2026, 3, 29, 22, tzinfo=UTC)),
])
def test_the_caisse_s_cutoff_in_utc(now, cutoff):
    assert processing_cutoff(now) == cutoff


def test_the_cutoff_is_the_practice_s_deletion_rule_itself():
    """For every transmission up to now: processable exactly when the practice can no longer delete it."""
    for day in (date(2026, 1, 15), date(2026, 3, 29), date(2026, 7, 15), date(2026, 10, 25)):
        instants = [datetime.combine(day, time(0), MONACO).astimezone(UTC) + timedelta(minutes=m)
                    for m in range(-24 * 60, 24 * 60, 37)]
        for now in instants:
            for sent in (t for t in instants if t <= now):
                assert processable(sent, now) is not can_delete(TRANSMISE, sent, now), (sent, now)
                assert deletion_window_open(sent, now) is can_delete(TRANSMISE, sent, now)


def test_an_fse_still_deletable_cannot_be_processed_and_the_refusal_says_from_when():
    sent = monaco(date(2026, 5, 12), 9, 30)
    before, at_22 = monaco(date(2026, 5, 12), 21, 59), monaco(date(2026, 5, 12), 22, 0)
    expected = ("Le praticien peut encore supprimer cette FSE jusqu'à 22:00 (heure de Monaco) : elle pourra être "
                "rejetée à partir du 12/05/2026 à 22:00.")
    assert processing_refusal(sent, before) == expected
    assert rejection_refusal(TRANSMISE, sent, before) == expected
    assert "pourra être payée à partir du 12/05/2026 à 22:00" in processing_refusal(sent, before, verb="payée")
    assert processing_refusal(sent, at_22) is None and rejection_refusal(TRANSMISE, sent, at_22) is None
    assert processing_refusal(monaco(date(2026, 5, 11), 21, 0), before) is None  # yesterday's
    # a status refusal comes first; without the instants only the status counts
    assert "déjà été rejetée" in rejection_refusal("rejetee", sent, before)
    assert rejection_refusal(TRANSMISE) is None

"""The caisse's rules on received FSE: a rejection's reason, which status can be rejected, the list's
default period, an ordiposte's payment date, and the rejections an account has not seen."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.domain.caisse_fses import (MOTIF_MAX_CHARS, acknowledged_until, clean_reason, default_period,
                                    payment_date_problem, reason_problem, rejection_refusal,
                                    rejections_unseen_since)
from app.domain.lifecycle import STATUTS


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

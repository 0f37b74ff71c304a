"""The FSE's lifecycle: transitions allowed and the 22:00 deletion rule (Europe/Monaco days)."""

from datetime import UTC, datetime

import pytest

from app.domain.lifecycle import (BROUILLON, PAYEE, REJETEE, STATUTS, SUPPRIMEE, TRANSMISE, can_delete,
                                  can_transition, deletion_refusal)
from app.domain.text import fold


@pytest.mark.parametrize("current,new,allowed", [
    (BROUILLON, TRANSMISE, True),
    (TRANSMISE, SUPPRIMEE, True), (TRANSMISE, REJETEE, True), (TRANSMISE, PAYEE, True),
    (BROUILLON, SUPPRIMEE, False), (BROUILLON, PAYEE, False),
    (SUPPRIMEE, TRANSMISE, False), (SUPPRIMEE, PAYEE, False),
    (REJETEE, PAYEE, False), (REJETEE, TRANSMISE, False),
    (PAYEE, REJETEE, False), (PAYEE, SUPPRIMEE, False),
    (TRANSMISE, TRANSMISE, False), ("inconnu", TRANSMISE, False),
])
def test_transitions(current, new, allowed):
    assert can_transition(current, new) is allowed


def test_every_status_has_its_transitions():
    for statut in STATUTS:
        assert not can_transition(statut, BROUILLON)


# 23/11/2026 is in winter time: Monaco is UTC+1.
SENT = datetime(2026, 11, 23, 9, 15, tzinfo=UTC)  # 10:15 in Monaco


@pytest.mark.parametrize("now_utc,allowed", [
    (datetime(2026, 11, 23, 9, 16, tzinfo=UTC), True),
    (datetime(2026, 11, 23, 20, 59, 59, tzinfo=UTC), True),   # 21:59:59 Monaco
    (datetime(2026, 11, 23, 21, 0, tzinfo=UTC), False),       # 22:00 Monaco
    (datetime(2026, 11, 23, 22, 30, tzinfo=UTC), False),      # 23:30 Monaco
    (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), False),      # 00:30 the next day in Monaco
    (datetime(2026, 11, 24, 8, 0, tzinfo=UTC), False),        # the next day
])
def test_deletion_until_22h_the_same_monaco_day(now_utc, allowed):
    assert can_delete(TRANSMISE, SENT, now_utc) is allowed


def test_deletion_refusals_say_why():
    assert "22\u00a0h\u00a000" in deletion_refusal(TRANSMISE, SENT, datetime(2026, 11, 23, 21, 0, tzinfo=UTC))
    assert "23/11/2026" in deletion_refusal(TRANSMISE, SENT, datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert "payée" in deletion_refusal(PAYEE, SENT, datetime(2026, 11, 23, 9, 16, tzinfo=UTC))
    assert deletion_refusal(TRANSMISE, None, SENT) is not None


def test_summer_time_boundary():
    """In summer Monaco is UTC+2: 22:00 there is 20:00 UTC."""
    sent = datetime(2026, 7, 1, 6, 0, tzinfo=UTC)
    assert can_delete(TRANSMISE, sent, datetime(2026, 7, 1, 19, 59, tzinfo=UTC))
    assert not can_delete(TRANSMISE, sent, datetime(2026, 7, 1, 20, 0, tzinfo=UTC))


def test_a_sending_just_after_midnight_in_monaco_is_that_day():
    sent = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # 00:30 on 23/11 in Monaco
    assert can_delete(TRANSMISE, sent, datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.mark.parametrize("text,folded", [
    ("Hélène NOTARI", "helene notari"), ("  Léa   Bellando ", "lea bellando"),
    ("Œsophage", "oesophage"), ("François-Xavier", "francois-xavier"), ("", ""),
])
def test_fold(text, folded):
    assert fold(text) == folded

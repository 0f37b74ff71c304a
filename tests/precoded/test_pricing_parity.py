"""The tab's pricing (`app/precoded/pricing.py`, one query for a page of baskets) and the FSE page's
(`app/fse/services._ngap_line/_ccam_line`, used by « appliquer ») must accept and refuse exactly the
same entries, at the same amounts: the tab never shows a base total for a basket that « appliquer »
then refuses."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain.entries import decode
from app.fse import services as fse_services
from app.fse.services import FseError
from app.precoded.pricing import price_entries

ON = date(2026, 3, 2)

ENTRIES = [
    ("NGAP", "C", "1|1|"),  # good
    ("NGAP", "C", "1|1|MD"),  # good, with a majoration
    ("NGAP", "C", "1.5|2|"),  # good, second act of a session
    ("NGAP", "ZZ", "1|1|"),  # no such letter
    ("NGAP", "C", "1|1|XX"),  # no such majoration
    ("NGAP", "C", "1|1|MD,MD"),  # the same majoration twice
    ("NGAP", "C", "0|1|"),  # coefficient 0
    ("NGAP", "C", "1000|1|"),  # coefficient over 999
    ("NGAP", "C", "1.255|1|"),  # three decimals
    ("NGAP", "C", "1|3|"),  # divisor 3
    ("CCAM", "DEQP003", "1|0||1"),  # good
    ("CCAM", "DEQP003", "1|0|F|2"),  # good: modifier for every profession, association 2
    ("CCAM", "DEQP003", "1|0|N|1"),  # modifier N is the dentists'
    ("CCAM", "DEQP003", "1|0|UF|1"),  # U and F exclude each other
    ("CCAM", "DEQP003", "1|0|FF|1"),  # the same modifier twice
    ("CCAM", "DEQP003", "1|0|FUPE|1"),  # four, but U and F
    ("CCAM", "DEQP003", "1|0||5"),  # association 5
    ("CCAM", "HBQK002", "1|0||1"),  # the dentists' act
    ("CCAM", "ABCD123", "1|0||1"),  # no such act
    ("CCAM", "deqp003", "1|0||1"),  # not a CCAM code as written
]


def through_the_fse_page(profession, kind, code, parametres):
    """The base of the act as « appliquer » prices it, or None when it refuses it."""
    entry = decode(kind, code, parametres)
    try:
        if kind == "NGAP":
            priced = fse_services._ngap_line(profession, ON, code, entry.coefficient, entry.divisor,
                                             list(entry.majorations))
        else:
            priced = fse_services._ccam_line(profession, ON, code, entry.activite, entry.phase,
                                             list(entry.modifiers), entry.association)
    except FseError:
        return None
    return priced.base, priced.detail


@pytest.mark.parametrize("profession", ["medecin", "dentiste"])
def test_the_tab_and_the_fse_page_refuse_and_price_the_same_entries(db, profession):
    tab = price_entries(profession, ON, [decode(kind, code, parametres) for kind, code, parametres in ENTRIES])
    for (kind, code, parametres), priced in zip(ENTRIES, tab, strict=True):
        expected = through_the_fse_page(profession, kind, code, parametres)
        got = None if priced is None else (priced.base, priced.detail)
        assert got == expected, (profession, kind, code, parametres)


def test_the_comparison_sees_goods_and_refusals(db):
    """The list above holds both kinds for the médecin, so the parity test cannot pass vacuously."""
    tab = price_entries("medecin", ON, [decode(*entry) for entry in ENTRIES])
    assert tab[0].base == Decimal("30.00") and tab[10].base == Decimal("14.26")
    assert [entry for entry, priced in zip(ENTRIES, tab, strict=True) if priced is None] == [
        entry for entry in ENTRIES if entry not in (ENTRIES[0], ENTRIES[1], ENTRIES[2], ENTRIES[10], ENTRIES[11])]

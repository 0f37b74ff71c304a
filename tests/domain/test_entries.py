"""An act as entered, in its stored form and back."""

from decimal import Decimal

import pytest

from app.domain.entries import Entry, decode


@pytest.mark.parametrize("kind,code,parametres,entry", [
    ("NGAP", "C", "1|1|", Entry("NGAP", "C")),
    ("NGAP", "V", "1.50|2|MD,MN", Entry("NGAP", "V", Decimal("1.50"), 2, ("MD", "MN"))),
    ("CCAM", "HBQK389", "1|0||2", Entry("CCAM", "HBQK389", association=2)),
    ("CCAM", "ZBQK002", "4|1|EF|1", Entry("CCAM", "ZBQK002", activite=4, phase=1, modifiers=("E", "F"))),
])
def test_decode_and_back(kind, code, parametres, entry):
    assert decode(kind, code, parametres) == entry
    assert decode(kind, code, entry.parametres) == entry

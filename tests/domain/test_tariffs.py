"""The tariff in force on the date of care, for the profession, on the dated rows of the sample."""

from datetime import date
from decimal import Decimal

import pytest

from app.domain.tariffs import TariffKind, TariffRow, tariff_in_force
from app.referentiel.importer import SAMPLE_TARIFFS
from app.referentiel.parsing import parse_tarifs

ROWS = parse_tarifs(SAMPLE_TARIFFS)


def price(kind, code, profession, on):
    row = tariff_in_force(ROWS, kind, code, profession, on)
    return None if row is None else (row.montant, row.pourcentage)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 1, 1), Decimal("28.00")),
        (date(2025, 12, 31), Decimal("28.00")),
        (date(2026, 1, 1), Decimal("30.00")),
        (date(2026, 11, 22), Decimal("30.00")),
        (date(2030, 1, 1), Decimal("30.00")),
    ],
)
def test_consultation_c_medecin_changes_on_2026_01_01(on, expected):
    assert price(TariffKind.NGAP, "C", "medecin", on) == (expected, None)


def test_no_tariff_before_the_first_date_of_effect():
    assert price(TariffKind.NGAP, "C", "medecin", date(2024, 12, 31)) is None


def test_the_profession_picks_its_own_row():
    assert price(TariffKind.NGAP, "C", "dentiste", date(2026, 3, 1)) == (Decimal("23.00"), None)
    assert price(TariffKind.NGAP, "C", "infirmier", date(2026, 3, 1)) is None
    assert price(TariffKind.NGAP, "AMI", "infirmier", date(2026, 3, 1)) == (Decimal("3.15"), None)
    assert price(TariffKind.NGAP, "AMI", "medecin", date(2026, 3, 1)) is None


def test_future_row_applies_only_from_its_date():
    assert price(TariffKind.NGAP, "CS", "medecin", date(2026, 12, 31)) == (Decimal("36.50"), None)
    assert price(TariffKind.NGAP, "CS", "medecin", date(2027, 1, 1)) == (Decimal("38.00"), None)


def test_a_row_for_several_professions_serves_each():
    for profession in ("medecin", "dentiste", "sagefemme"):
        assert price(TariffKind.MAJ, "F", profession, date(2026, 5, 1)) == (Decimal("19.06"), None)
    assert price(TariffKind.MAJ, "F", "kine", date(2026, 5, 1)) is None


def test_modifiers_for_every_profession_and_percentages():
    assert price(TariffKind.MOD, "U", "kine", date(2026, 5, 1)) == (Decimal("25.15"), None)
    assert price(TariffKind.MOD, "E", "medecin", date(2026, 5, 1)) == (None, Decimal("49"))
    assert price(TariffKind.MOD, "N", "dentiste", date(2026, 5, 1)) == (None, Decimal("15.7"))
    assert price(TariffKind.MOD, "N", "medecin", date(2026, 5, 1)) is None


def test_ccam_base_price_by_profession():
    assert price(TariffKind.CCAM, "HBJD001", "dentiste", date(2026, 5, 1)) == (Decimal("28.92"), None)
    assert price(TariffKind.CCAM, "HBJD001", "medecin", date(2026, 5, 1)) is None
    assert price(TariffKind.CCAM, "JKHD001", "sagefemme", date(2026, 5, 1)) == (Decimal("9.64"), None)


def test_kind_matters_f_majoration_versus_f_modifier():
    assert price(TariffKind.MAJ, "F", "medecin", date(2026, 5, 1)) == (Decimal("19.06"), None)
    assert price(TariffKind.MOD, "F", "medecin", date(2026, 5, 1)) == (Decimal("19.06"), None)
    assert price(TariffKind.NGAP, "F", "medecin", date(2026, 5, 1)) is None


def row(profession, day, amount):
    return TariffRow(TariffKind.MOD, "X", profession, day, "x", Decimal(amount))


def test_a_row_for_the_profession_wins_over_a_row_for_all():
    rows = [row("*", date(2025, 1, 1), "10.00"), row("dentiste", date(2025, 6, 1), "12.00"),
            row("*", date(2026, 1, 1), "11.00")]
    assert tariff_in_force(rows, TariffKind.MOD, "X", "dentiste", date(2025, 3, 1)).montant == Decimal("10.00")
    assert tariff_in_force(rows, TariffKind.MOD, "X", "dentiste", date(2026, 3, 1)).montant == Decimal("12.00")
    assert tariff_in_force(rows, TariffKind.MOD, "X", "medecin", date(2026, 3, 1)).montant == Decimal("11.00")


def test_lookup_does_not_depend_on_row_order():
    rows = [row("medecin", date(2026, 1, 1), "2.00"), row("medecin", date(2024, 1, 1), "1.00"),
            row("medecin", date(2025, 1, 1), "1.50")]
    for ordering in (rows, rows[::-1], sorted(rows, key=lambda r: r.montant)):
        assert tariff_in_force(ordering, TariffKind.MOD, "X", "medecin", date(2025, 7, 1)).montant == Decimal("1.50")

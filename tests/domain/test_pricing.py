"""Pricing and totals, hand-computed on the sample tariffs, plus properties (hypothesis)."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.billing import Depassement, billed_amount, compute_totals, etm_reason, hnp_offer
from app.domain.convention import parse_convention
from app.domain.deadlines import care_date_problem, end_of_following_month, transmission_deadline
from app.domain.pricing import PricedLine, PricingError, price_ccam, price_ngap
from app.domain.tariffs import TariffKind, TariffRow, tariff_in_force
from app.referentiel.importer import DATA_DIR, SAMPLE_TARIFFS
from app.referentiel.parsing import parse_tarifs

ROWS = parse_tarifs(SAMPLE_TARIFFS)
RULES = parse_convention((DATA_DIR / "convention.toml").read_text(encoding="utf-8"))
DAY = date(2026, 11, 22)
D = Decimal


def row(kind, code, profession, on=DAY):
    found = tariff_in_force(ROWS, kind, code, profession, on)
    assert found is not None, (kind, code, profession)
    return found


def ngap(code, coefficient, divisor=1, majorations=(), profession="medecin", on=DAY):
    return price_ngap(row(TariffKind.NGAP, code, profession, on), D(coefficient), divisor,
                      [row(TariffKind.MAJ, m, profession, on) for m in majorations], RULES.seuil_etm_coefficient_ngap)


def ccam(code, modifiers=(), association=1, profession="medecin", regroupement="ATM"):
    return price_ccam(row(TariffKind.CCAM, code, profession), "libellé", regroupement,
                      [row(TariffKind.MOD, m, profession) for m in modifiers], association, 1, 0, RULES.seuil_etm_ccam)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (lambda: ngap("C", "1"), "30.00"),                                   # 30.00 × 1
        (lambda: ngap("C", "1", on=date(2025, 12, 31)), "28.00"),            # the tariff in force that day
        (lambda: ngap("C", "1", majorations=["MD"]), "40.00"),               # 30.00 + 10.00
        (lambda: ngap("V", "1", majorations=["MD", "F"]), "64.06"),          # 35.00 + 10.00 + 19.06
        (lambda: ngap("K", "20", divisor=2), "19.20"),                       # 1.92 × 20 / 2
        (lambda: ngap("AMI", "1.5", profession="infirmier"), "4.73"),        # 4.725 rounded half up
        (lambda: ngap("AMI", "1.5", majorations=["IFD"], profession="infirmier"), "7.23"),  # 4.725 + 2.50
        (lambda: ngap("AMK", "7.5", divisor=2, profession="kine"), "8.06"),  # 8.0625
        (lambda: ngap("SF", "0.33", profession="sagefemme"), "0.92"),        # 0.924
        (lambda: ngap("C", "1", profession="dentiste"), "23.00"),
    ],
)
def test_ngap_lines(line, expected):
    assert line().base == D(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (lambda: ccam("HBJD001", profession="dentiste"), "28.92"),
        (lambda: ccam("HBQK389", association=2, profession="dentiste"), "3.99"),                 # 7.98 × 50 %
        (lambda: ccam("DEQP003", ["U"]), "39.41"),                                              # 14.26 + 25.15
        (lambda: ccam("ZBQK002", ["E"]), "31.71"),                                              # 21.28 × 1.49
        (lambda: ccam("ZBQK002", ["E", "F"], association=2), "25.38"),                          # (21.28+19.06+10.4272)/2
        (lambda: ccam("HBMD058", ["N"], profession="dentiste"), "31.20"),                       # 26.97 × 1.157
        (lambda: ccam("HBQK002", ["N"], association=2, profession="dentiste"), "11.57"),        # (20 + 3.14) / 2
        (lambda: ccam("QZFA036", ["P", "E"]), "102.28"),                                        # 41.80 + 40 + 20.482
    ],
)
def test_ccam_lines(line, expected):
    assert line().base == D(expected)


def test_pricing_refusals():
    with pytest.raises(PricingError, match="supérieur à 0"):
        ngap("C", "0")
    with pytest.raises(PricingError, match="deux décimales"):
        ngap("K", "1.555")
    with pytest.raises(PricingError, match="diviseur"):
        ngap("C", "1", divisor=3)
    with pytest.raises(PricingError, match="U et F s'excluent"):
        ccam("DEQP003", ["U", "F"])
    with pytest.raises(PricingError, match="Quatre modificateurs au plus"):
        price_ccam(row(TariffKind.CCAM, "DEQP003", "medecin"), "x", "ATM",
                   [row(TariffKind.MOD, m, "medecin") for m in ("U", "P", "E", "E", "E")], 1, 1, 0, D("140.14"))
    with pytest.raises(PricingError, match="association"):
        ccam("DEQP003", association=3)


def test_etm_thresholds():
    assert ngap("K", "50").above_etm_threshold and not ngap("K", "49.99").above_etm_threshold
    assert ccam("YYYY010").above_etm_threshold  # 146.28 ≥ 140.14
    assert not ccam("QAGA004").above_etm_threshold  # 83.60
    at_threshold = TariffRow(TariffKind.CCAM, "XXXX001", "medecin", DAY, "x", D("140.14"))
    exact = price_ccam(at_threshold, "x", "ATM", [], 2, 1, 0, RULES.seuil_etm_ccam)
    assert exact.above_etm_threshold and exact.base == D("70.07")  # the act's base decides, not the 50 %


def test_prosthesis_needs_an_entente():
    assert ccam("HBLD038", profession="dentiste", regroupement="CM0").needs_entente
    assert not ccam("HBJD001", profession="dentiste", regroupement="AXI").needs_entente


def totals(lines, couleur="verte", depassement=None, reason=None):
    return compute_totals(lines, RULES, couleur, depassement, reason)


def test_totals_on_a_green_card():
    result = totals([ngap("C", "1", majorations=["MD"])])
    assert (result.base, result.facture, result.depassement) == (D("40.00"), D("40.00"), D("0.00"))
    assert (result.part_caisse, result.part_patient) == (D("32.00"), D("8.00"))


def test_rose_ceiling_is_1_20_and_bulle_2_00():
    line = [ngap("C", "1")]
    assert totals(line, "rose", Depassement(ponderation=D("1.15"))).facture == D("34.50")
    assert totals(line, "rose", Depassement(ponderation=D("1.20"))).facture == D("36.00")
    with pytest.raises(PricingError, match="coefficient maximum de la carte rose est 1,20"):
        totals(line, "rose", Depassement(ponderation=D("1.25")))
    assert totals(line, "bulle", Depassement(ponderation=D("2.00"))).facture == D("60.00")
    with pytest.raises(PricingError, match="bulle"):
        totals(line, "bulle", Depassement(ponderation=D("2.01")))
    assert totals(line, "rose", Depassement(montant=D("35.99"))).depassement == D("5.99")
    with pytest.raises(PricingError, match="au-delà de 36,00"):
        totals(line, "rose", Depassement(montant=D("36.01")))
    with pytest.raises(PricingError, match="inférieur au tarif de base"):
        totals(line, "rose", Depassement(montant=D("29.99")))
    with pytest.raises(PricingError, match="sans dépassement"):
        totals(line, "verte", Depassement(ponderation=D("1.10")))


def test_dépassement_is_the_patients_and_the_caisse_pays_on_the_base():
    result = totals([ngap("C", "1")], "rose", Depassement(ponderation=D("1.15")))
    assert (result.part_caisse, result.part_patient, result.depassement) == (D("24.00"), D("10.50"), D("4.50"))


def test_etm_pays_everything_of_the_base():
    reason = etm_reason(True, "maladie", False)
    result = totals([ngap("C", "1")], "rose", Depassement(ponderation=D("1.15")), reason)
    assert (result.part_caisse, result.part_patient, result.etm_motif) == (D("30.00"), D("4.50"), "exonération du bénéficiaire")
    assert etm_reason(False, "maternite", False) == "maternité"
    assert etm_reason(False, "at_mp", False).startswith("accident du travail")
    assert etm_reason(False, "maladie", False) is None


def test_an_act_above_the_threshold_is_paid_in_full_the_others_at_80():
    result = totals([ccam("YYYY010"), ngap("C", "1")])
    assert result.part_caisse == D("170.28")  # 146.28 + 24.00
    assert result.part_patient == D("6.00") and result.etm


def test_part_caisse_is_rounded_half_up_line_by_line():
    result = totals([ngap("AMI", "1.5", profession="infirmier")])
    assert (result.base, result.part_caisse, result.part_patient) == (D("4.73"), D("3.78"), D("0.95"))


def test_hnp_offered_only_on_green_with_open_rights_and_no_dépassement():
    verte, rose = RULES.colour("verte"), RULES.colour("rose")
    assert hnp_offer(verte, True, D("0")) == (True, "")
    assert not hnp_offer(verte, False, D("0"))[0]
    assert not hnp_offer(rose, True, D("0"))[0]
    allowed_rose = type(rose)("rose", "Rose", True, D("1.20"), True)
    assert hnp_offer(allowed_rose, True, D("0"))[0]
    offered, reason = hnp_offer(allowed_rose, True, D("4.50"))
    assert not offered and "dépassement" in reason


def test_deadlines():
    assert care_date_problem(date(2026, 11, 23), DAY, "medecin", False).startswith("La date des soins ne peut pas")
    assert care_date_problem(date(2026, 11, 17), DAY, "medecin", False) is None
    assert "21/11/2026" in care_date_problem(date(2026, 11, 16), DAY, "medecin", False)
    assert care_date_problem(date(2026, 10, 1), DAY, "infirmier", True) is None  # until 30/11
    assert care_date_problem(date(2026, 9, 30), DAY, "infirmier", True).startswith("Série d'actes")
    assert care_date_problem(date(2026, 10, 1), DAY, "medecin", True) is not None  # series: auxiliaries only
    assert end_of_following_month(date(2026, 1, 31)) == date(2026, 2, 28)
    assert end_of_following_month(date(2026, 12, 5)) == date(2027, 1, 31)
    assert transmission_deadline(date(2026, 11, 22), "kine", False) == date(2026, 11, 27)


cents = st.integers(min_value=1, max_value=50_000).map(lambda c: Decimal(c) / 100)
lines_strategy = st.lists(st.tuples(cents, st.booleans()), min_size=1, max_size=8)


@settings(max_examples=300, deadline=None)
@given(lines=lines_strategy, couleur=st.sampled_from(["verte", "rose", "bulle"]),
       factor=st.integers(min_value=100, max_value=200), exonerated=st.booleans())
def test_totals_properties(lines, couleur, factor, exonerated):
    priced = [PricedLine("CCAM", "X", "x", "x", base, above, False) for base, above in lines]
    colour = RULES.colour(couleur)
    ponderation = min(Decimal(factor) / 100, colour.coefficient_max)
    depassement = Depassement(ponderation=ponderation) if colour.depassement else None
    result = compute_totals(priced, RULES, couleur, depassement, "exonération" if exonerated else None)
    assert result.base == sum(base for base, _ in lines)
    assert result.part_caisse + result.part_patient == result.facture
    assert result.facture - result.base == result.depassement
    for amount in (result.base, result.facture, result.depassement, result.part_caisse, result.part_patient):
        assert amount >= 0 and amount == amount.quantize(Decimal("0.01"))
    assert result.part_caisse <= result.base
    assert result.facture <= (result.base * colour.coefficient_max).quantize(Decimal("0.01"))


@settings(max_examples=200, deadline=None)
@given(coefficient=st.integers(min_value=1, max_value=99_900).map(lambda c: Decimal(c) / 100),
       divisor=st.sampled_from([1, 2]))
def test_ngap_line_is_never_negative_and_exact_to_the_cent(coefficient, divisor):
    line = ngap("K", str(coefficient), divisor=divisor)
    assert line.base >= 0 and line.base == line.base.quantize(Decimal("0.01"))
    assert abs(line.base - D("1.92") * coefficient / divisor) <= D("0.005")

"""The Convention's rules file: the shipped rules and the refusal of malformed ones."""

from decimal import Decimal

import pytest

from app.domain.convention import ConventionError, parse_convention
from app.referentiel.importer import DATA_DIR

SHIPPED = (DATA_DIR / "convention.toml").read_text(encoding="utf-8")


def test_shipped_rules():
    rules = parse_convention(SHIPPED)
    assert rules.taux_remboursement == Decimal("0.80")
    assert rules.taux_remboursement_etm == Decimal("1.00")
    assert rules.seuil_etm_coefficient_ngap == Decimal("50")
    assert rules.seuil_etm_ccam == Decimal("140.14")
    assert rules.colour("verte").depassement is False and rules.colour("verte").hnp is True
    assert rules.colour("rose").coefficient_max == Decimal("1.20") and rules.colour("rose").hnp is False
    assert rules.colour("bulle").coefficient_max == Decimal("2.00")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('taux_remboursement = "0.80"', 'taux_remboursement = "1.80"'), "taux entre 0 et 1"),
        (('taux_remboursement = "0.80"', 'taux_remboursement = 0.8'), "entre guillemets"),
        (('coefficient_max = "1.20"', 'coefficient_max = "abc"'), "n'est pas un nombre"),
        (('coefficient_max = "1.20"', 'coefficient_max = "0.90"'), "au moins 1"),
        (('[couleurs.bulle]', '[couleurs.orange]'), "exactement verte, rose et bulle"),
        (('hnp = true', 'hnp = "oui"'), "true ou false"),
        (('seuil_etm_ccam = "140.14"', ''), "seuil_etm_ccam"),
        (('[couleurs.verte]', '[couleurs.verte'), "syntaxe TOML"),
    ],
)
def test_malformed_rules_are_refused_with_a_reason(change, message):
    old, new = change
    with pytest.raises(ConventionError, match=message):
        parse_convention(SHIPPED.replace(old, new, 1))


def test_green_card_without_overbilling_cannot_have_a_ceiling_above_one():
    text = SHIPPED.replace('coefficient_max = "1.00"', 'coefficient_max = "1.10"', 1)
    with pytest.raises(ConventionError, match="sans dépassement"):
        parse_convention(text)

"""Text folding and the labels of the reference files."""

import pytest

from app.domain.text import fold, label_case


@pytest.mark.parametrize("raw, shown", [
    ("ACCIDENT DU TRAVAIL (AT)", "Accident du travail (AT)"),
    ("MALADIE PROFESSIONNELLE (MP)", "Maladie professionnelle (MP)"),
    ("PENSION MILITAIRE D'INVALIDITE (ART. 115)", "Pension militaire d'invalidite (ART. 115)"),
    ("6EME MOIS DE GROSSESSE", "6eme mois de grossesse"),
    ("STÉRILITÉ", "Stérilité"),
    ("", ""),
])
def test_label_case_keeps_the_acronyms_in_parentheses(raw, shown):
    assert label_case(raw) == shown


def test_fold_ignores_accents_case_ligatures_and_spaces():
    assert fold("  Hélène   ŒUVRARD ") == "helene oeuvrard"

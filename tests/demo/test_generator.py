"""The demo registry: deterministic, documented fixed cards, realistic proportions."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from app.demo.generator import end_of_previous_month, fixed_cards, generate_registry
from app.domain.calendar import age_on

TODAY = date(2026, 11, 22)


@pytest.fixture(scope="module")
def registry():
    return generate_registry(20000, TODAY, seed=2026)


def test_same_seed_same_registry():
    assert generate_registry(300, TODAY, seed=7) == generate_registry(300, TODAY, seed=7)
    assert generate_registry(300, TODAY, seed=7) != generate_registry(300, TODAY, seed=8)


def test_twenty_thousand_households_plus_the_fixed_cards(registry):
    assert len(registry) == 20005
    matricules = [h.matricule for h in registry]
    assert len(set(matricules)) == len(matricules)
    assert all(re.fullmatch(r"\d{6}", m) for m in matricules)
    assert all(re.fullmatch(r"[A-Z][2-9][A-Z][2-9]", h.code_fse) for h in registry[5:])


def test_proportions_of_caisses_colours_and_sizes(registry):
    n = len(registry)
    caisses = Counter(h.caisse for h in registry)
    colours = Counter(h.couleur_carte for h in registry)
    sizes = Counter(len(h.membres) for h in registry)
    assert abs(caisses["CCSS"] / n - 0.80) < 0.02 and abs(caisses["CAMTI"] / n - 0.20) < 0.02
    assert abs(colours["verte"] / n - 0.65) < 0.02
    assert abs(colours["rose"] / n - 0.10) < 0.02
    assert abs(colours["bulle"] / n - 0.25) < 0.02
    assert set(sizes) == {1, 2, 3, 4, 5, 6}


def test_members_are_consistent(registry):
    for household in registry[:3000]:
        members = household.membres
        assert [m.rang for m in members] == list(range(1, len(members) + 1))
        assert members[0].qualite == "assure"
        assert sum(1 for m in members if m.qualite == "conjoint") <= 1
        for member in members:
            assert member.date_naissance <= TODAY
            assert member.droits_fin is None or member.droits_fin >= member.droits_debut
            if member.qualite == "enfant":
                assert age_on(members[0].date_naissance, member.date_naissance) >= 18
            else:
                assert age_on(member.date_naissance, TODAY) >= 19


def test_some_closed_rights_and_some_current_exonerations(registry):
    closed = sum(1 for h in registry for m in h.membres if m.droits_fin and m.droits_fin < TODAY)
    current_etm = sum(1 for h in registry for m in h.membres for e in m.exonerations
                      if e.date_debut <= TODAY and (e.date_fin is None or e.date_fin >= TODAY))
    members = sum(len(h.membres) for h in registry)
    assert 0.02 < closed / members < 0.10
    assert 0.01 < current_etm / members < 0.08


def test_fixed_cards_are_as_documented():
    cards = {h.matricule: h for h in fixed_cards(TODAY)}
    family = cards["100001"]
    assert (family.code_fse, family.caisse, family.couleur_carte) == ("K7P2", "CCSS", "verte")
    assert [m.qualite for m in family.membres] == ["assure", "conjoint", "enfant", "enfant"]
    assert sum(1 for m in family.membres if age_on(m.date_naissance, TODAY) < 5) == 1
    assert (cards["100002"].code_fse, cards["100002"].couleur_carte, len(cards["100002"].membres)) == ("R4M8", "rose", 1)
    assert (cards["100003"].code_fse, cards["100003"].caisse, cards["100003"].couleur_carte) == ("B9X3", "CAMTI", "bulle")
    assert [m.qualite for m in cards["100003"].membres] == ["assure", "conjoint"]
    (ald,) = cards["100004"].membres[0].exonerations
    assert cards["100004"].code_fse == "E2T6" and ald.nature_code == 41
    assert ald.date_debut <= TODAY <= ald.date_fin
    closed = cards["100005"].membres[0]
    assert cards["100005"].code_fse == "F5C1"
    last_month_end = end_of_previous_month(TODAY)
    assert last_month_end.replace(day=1) <= closed.droits_fin <= last_month_end


def test_fixed_cards_follow_the_date():
    later = TODAY + timedelta(days=400)
    cards = {h.matricule: h for h in fixed_cards(later)}
    assert sum(1 for m in cards["100001"].membres if age_on(m.date_naissance, later) < 5) == 1
    assert cards["100005"].membres[0].droits_fin < later

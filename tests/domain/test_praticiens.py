"""The caisse's rules on the praticiens' accesses (pure): status, identifiant, reasons, search, duplicates."""

import pytest

from app.domain import praticiens as rules


@pytest.mark.parametrize(("suspended", "password_set", "expected"), [
    (False, True, rules.ACTIF), (False, False, rules.JAMAIS_ACTIVE),
    (True, True, rules.SUSPENDU), (True, False, rules.SUSPENDU)])
def test_status(suspended, password_set, expected):
    assert rules.status(suspended, password_set) == expected
    assert rules.STATUTS[expected][0].isupper()


@pytest.mark.parametrize("identifiant", ["claire.lorenzi", "c", "claire.lorenzi2", "dr_lorenzi-claire", "0a", "a" * 64])
def test_good_identifiants(identifiant):
    assert rules.identifiant_problem(identifiant) is None


@pytest.mark.parametrize(("identifiant", "start"), [
    ("", "Saisissez"), ("a" * 65, "64 caractères"), ("claire lorenzi", "Lettres"), ("clàire", "Lettres"),
    (".claire", "Lettres"), ("-claire", "Lettres"), ("claire@lorenzi", "Lettres"), ("Claire", "Lettres")])
def test_bad_identifiants(identifiant, start):
    assert rules.identifiant_problem(identifiant).startswith(start)


def test_identifiants_are_stored_trimmed_in_lower_case():
    assert rules.clean_identifiant("  Claire.Lorenzi ") == "claire.lorenzi"
    assert rules.clean_identifiant(None) == ""
    assert rules.identifiant_problem(rules.clean_identifiant(" Claire.Lorenzi ")) is None
    assert "« claire.lorenzi2 »" in rules.taken_message("claire.lorenzi")


def test_reasons():
    assert rules.motif_problem("", "Écrivez le motif.") == "Écrivez le motif."
    assert rules.motif_problem("Fraude", "x") is None
    assert rules.motif_problem("x" * 500, "x") is None
    assert rules.motif_problem("x" * 501, "x") == "500 caractères au plus (vous en avez saisi 501)."
    assert rules.clean_text("  Deux\nlignes  ") == "Deux\nlignes"
    assert rules.clean_text(None) == ""


def test_specialite():
    assert rules.specialite_problem("Orthophoniste") is None
    assert rules.specialite_problem("").startswith("Saisissez")
    assert rules.specialite_problem("x" * 81) == "80 caractères au plus."


FIELDS = ("Lorenzi", "Hélène", "helene.lorenzi", "986012345", "10009812347", "H.Lorenzi@Exemple.mc", "Médecin",
          "Médecin généraliste")


@pytest.mark.parametrize(("search", "found"), [
    ("", True), ("   ", True), ("HELENE", True), ("hélène lorenzi", True), ("lorenzi helene", True),
    ("généraliste", True), ("medecin", True), ("h.lorenzi@exemple", True), ("986012345", True),
    ("10009812347", True), ("100 0981 2347", True), ("9860", True), ("lorenzi claire", False),
    ("986012346", False), ("kine", False)])
def test_matches(search, found):
    assert rules.matches(rules.search_words(search), FIELDS) is found


def test_matches_skips_missing_fields():
    assert rules.matches(["lorenzi"], ("Lorenzi", None, None))
    assert not rules.matches(["none"], ("Lorenzi", None))


def test_duplicate_reasons():
    request = {"adeli": "986012345", "rpps": "10009812347", "email": "Claire@Exemple.mc"}
    assert rules.duplicate_reasons(request, {"adeli": "986012345", "rpps": "10009812347", "email": "claire@exemple.mc "}) \
        == ["même n° ADELI", "même n° RPPS", "même adresse e-mail"]
    assert rules.duplicate_reasons(request, {"adeli": None, "rpps": None, "email": "autre@exemple.mc"}) == []
    # no number on either side is no match
    assert rules.duplicate_reasons({"adeli": None, "rpps": None, "email": "a@b.mc"},
                                   {"adeli": None, "rpps": None, "email": "c@d.mc"}) == []

"""The identifiers a praticien types about himself (app/domain/identifiers.py): ADELI, RPPS and its
Luhn key, phones of Monaco and France by kind, e-mail addresses, names — each refusal in French words."""

import re

import pytest

from app.domain.identifiers import (
    FIXE,
    FRANCE,
    MOBILE,
    MONACO,
    InvalidIdentifier,
    Phone,
    clean_adeli,
    clean_email,
    clean_name,
    clean_phone,
    clean_rpps,
    is_phone_like,
    luhn_key,
    luhn_valid,
    parse_phone,
)

VALID_RPPS = ["10003456786", "10100000008", "10000000009", "12345678903", "80000000002"]


def refused(clean, value, *args) -> str:
    with pytest.raises(InvalidIdentifier) as error:
        clean(value, *args)
    return str(error.value)


# --- Luhn -------------------------------------------------------------------------------------

@pytest.mark.parametrize("digits", ["79927398713", "0", "18", "4539578763621486", *VALID_RPPS])
def test_luhn_accepts_numbers_ending_with_their_key(digits):
    assert luhn_valid(digits)


@pytest.mark.parametrize("digits", ["79927398710", "79927398711", "1", "10003456787", "", "1000345678a", "١٢"])
def test_luhn_refuses_other_keys_and_non_digits(digits):
    assert not luhn_valid(digits)


def test_luhn_key_completes_a_number():
    assert luhn_key("7992739871") == "3"
    assert luhn_key("1000345678") == "6"
    for prefix in ("1000000000", "1234567890", "1099999999"):
        assert luhn_valid(prefix + luhn_key(prefix))
        assert sum(luhn_valid(prefix + key) for key in "0123456789") == 1


@pytest.mark.parametrize("rpps", VALID_RPPS)
def test_every_single_digit_typo_of_an_rpps_is_caught(rpps):
    for position in range(11):
        for digit in "0123456789":
            if digit != rpps[position]:
                typo = rpps[:position] + digit + rpps[position + 1:]
                assert not luhn_valid(typo), typo


@pytest.mark.parametrize("rpps", VALID_RPPS)
def test_swapped_neighbours_are_caught_except_09(rpps):
    for position in range(10):
        a, b = rpps[position], rpps[position + 1]
        if a != b and {a, b} != {"0", "9"}:  # Luhn's one blind spot
            swapped = rpps[:position] + b + a + rpps[position + 2:]
            assert not luhn_valid(swapped), swapped


# --- RPPS and ADELI ---------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("10003456786", "10003456786"),
    ("10 00 345 678 6", "10003456786"),
    (" 10100000008 ", "10100000008"),
    ("1\u00a0000000000 9", "10000000009"),  # a non-breaking space from a copied text
])
def test_rpps_accepted(typed, stored):
    assert clean_rpps(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("1000345678", "Le n° RPPS compte 11 chiffres (ici 10)."),
    ("100034567861", "Le n° RPPS compte 11 chiffres (ici 12)."),
    ("1000345678A", "Le n° RPPS ne contient que des chiffres (11)."),
    ("10003-456786", "Le n° RPPS ne contient que des chiffres (11)."),
    ("１０００３４５６７８６", "Le n° RPPS ne contient que des chiffres (11)."),  # full-width digits
    ("10003456787", "Ce n° RPPS n'existe pas : un chiffre est erroné ou deux sont inversés (sa clé de contrôle "
                    "ne correspond pas). Recopiez-le depuis votre carte."),
    ("01003456786", "Ce n° RPPS n'existe pas"),
])
def test_rpps_refused_with_what_to_do(typed, message):
    assert refused(clean_rpps, typed).startswith(message)


@pytest.mark.parametrize("typed, stored", [("061234567", "061234567"), ("06 123 456 7", "061234567"),
                                            ("000000000", "000000000")])
def test_adeli_is_nine_digits(typed, stored):
    assert clean_adeli(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("06123456", "Le n° ADELI compte 9 chiffres (ici 8)."),
    ("0612345678", "Le n° ADELI compte 9 chiffres (ici 10)."),
    ("2A1234567", "Le n° ADELI ne contient que des chiffres (9)."),
    ("06.123.456", "Le n° ADELI ne contient que des chiffres (9)."),
])
def test_adeli_refused(typed, message):
    assert refused(clean_adeli, typed) == message


# --- Phones -----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, country, kind, international", [
    # Monaco: fixed lines 9x xx xx xx (and 870…), mobiles 6 xx xx xx xx and 44/45/46 xx xx xx.
    ("+377 93 15 43 44", MONACO, FIXE, "+377 93 15 43 44"),
    ("(+377) 93 15 43 44", MONACO, FIXE, "+377 93 15 43 44"),
    ("00377 93154344", MONACO, FIXE, "+377 93 15 43 44"),
    ("93 15 43 44", MONACO, FIXE, "+377 93 15 43 44"),
    ("92.05.12.34", MONACO, FIXE, "+377 92 05 12 34"),
    ("97-97-12-34", MONACO, FIXE, "+377 97 97 12 34"),
    ("87012345", MONACO, FIXE, "+377 87 01 23 45"),
    ("+377 6 12 34 56 78", MONACO, MOBILE, "+377 6 12 34 56 78"),
    ("6 40 12 34 56", MONACO, MOBILE, "+377 6 40 12 34 56"),
    ("+377 44 12 34 56", MONACO, MOBILE, "+377 44 12 34 56"),
    ("45 12 34 56", MONACO, MOBILE, "+377 45 12 34 56"),
    # France: 0 + 9 digits, or +33 / 0033 without the 0 (or with « (0) »).
    ("06 12 34 56 78", FRANCE, MOBILE, "+33 6 12 34 56 78"),
    ("07.81.23.45.67", FRANCE, MOBILE, "+33 7 81 23 45 67"),
    ("+33 6 12 34 56 78", FRANCE, MOBILE, "+33 6 12 34 56 78"),
    ("+33 (0)6 12 34 56 78", FRANCE, MOBILE, "+33 6 12 34 56 78"),
    ("0033612345678", FRANCE, MOBILE, "+33 6 12 34 56 78"),
    ("04 93 12 34 56", FRANCE, FIXE, "+33 4 93 12 34 56"),
    ("01-23-45-67-89", FRANCE, FIXE, "+33 1 23 45 67 89"),
    ("09 72 12 34 56", FRANCE, FIXE, "+33 9 72 12 34 56"),
    ("+33 4 93 12 34 56", FRANCE, FIXE, "+33 4 93 12 34 56"),
])
def test_phones_of_monaco_and_france(typed, country, kind, international):
    phone = parse_phone(typed)
    assert (phone.country, phone.kind) == (country, kind)
    assert phone.international == international
    assert clean_phone(typed, kind) == international
    assert parse_phone(international) == phone  # the stored form reads back the same


@pytest.mark.parametrize("typed, message", [
    ("06 12 34 56 7a", "Saisissez un numéro de téléphone : des chiffres, espaces, points ou tirets, avec l'indicatif "
                       "+377 au besoin."),
    ("93 15", "Saisissez un numéro de téléphone"),
    ("tél. 93 15 43 44", "Saisissez un numéro de téléphone"),
    ("+39 06 1234 5678", "Seuls les numéros de Monaco (+377) et de France (+33) sont acceptés."),
    ("+41 22 123 45 67", "Seuls les numéros de Monaco (+377) et de France (+33) sont acceptés."),
    ("+377 12 34 56 78", "Ce numéro de Monaco est incomplet ou n'existe pas : vérifiez-le (par exemple "
                         "+377 93 15 43 44 ou 06 12 34 56 78)."),
    ("93 15 43 4", "Ce numéro de Monaco est incomplet"),
    ("93 15 43 44 5", "Ce numéro de Monaco est incomplet"),
    ("+377 45 01 23 45", "Ce numéro de Monaco est incomplet"),  # 450… is not allotted
    ("08 00 12 34 56", "Ce numéro français est incomplet"),  # a service number, not a person's
    ("00 12 34 56 78", "Seuls les numéros de Monaco (+377) et de France (+33) sont acceptés."),
    ("+33 06 12 34 56 78", "Ce numéro français est incomplet"),
    ("+33 6 12 34 56", "Ce numéro français est incomplet"),
    ("06 12 34", "Ce numéro français est incomplet"),
    ("04 93 12 34 56 7", "Ce numéro français est incomplet"),
])
def test_phones_refused(typed, message):
    assert refused(parse_phone, typed).startswith(message)


def test_a_mobile_is_not_a_fixed_line_and_back():
    assert refused(clean_phone, "04 93 12 34 56", MOBILE) == (
        "Ce numéro est celui d'un téléphone fixe : saisissez-le dans « Tél. fixe », ou saisissez ici un mobile "
        "(par exemple +377 6 12 34 56 78 ou 06 12 34 56 78).")
    assert refused(clean_phone, "+377 6 12 34 56 78", FIXE) == (
        "Ce numéro est celui d'un mobile : saisissez-le dans « Tél. mobile », ou saisissez ici un téléphone fixe "
        "(par exemple +377 93 15 43 44 ou 04 93 12 34 56).")


def test_international_form():
    assert Phone(MONACO, FIXE, "93154344").international == "+377 93 15 43 44"
    assert Phone(MONACO, MOBILE, "612345678").international == "+377 6 12 34 56 78"
    assert Phone(FRANCE, MOBILE, "612345678").international == "+33 6 12 34 56 78"


@pytest.mark.parametrize("typed, expected", [
    ("+377 93 15 49 01", True), ("(+377) 93 15 49 01", True), ("06-12-34-56-78", True), ("+44 20 7946 0958", True),
    ("93 15 49 01 bureau", False), ("12345", False), ("", False), ("+377", False),
])
def test_any_countrys_phone_keeps_the_forms_rule(typed, expected):
    """The patient's phone of a form may be of any country (app/formulaires/forms.py)."""
    assert is_phone_like(typed) is expected


# --- E-mail -----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("anne.rossi@exemple.mc", "anne.rossi@exemple.mc"),
    ("  Anne.Rossi@Exemple.MC ", "Anne.Rossi@exemple.mc"),  # the domain in lower case, the local part as typed
    ("cabinet+fse@medecins-monaco.com", "cabinet+fse@medecins-monaco.com"),
    ("o'neil@exemple.fr", "o'neil@exemple.fr"),
    ("dr.x@sub.domaine.co.uk", "dr.x@sub.domaine.co.uk"),
    ("secretariat@médecins.fr", "secretariat@médecins.fr"),  # an accented domain (IDNA)
    ("a@b.xn--p1ai", "a@b.xn--p1ai"),
])
def test_email_accepted(typed, stored):
    assert clean_email(typed) == stored


@pytest.mark.parametrize("typed, message", [
    ("anne rossi@exemple.mc", "Une adresse électronique ne contient pas d'espace."),
    ("anne.rossi.exemple.mc", "Saisissez une adresse électronique avec un seul « @ », par exemple prenom.nom@exemple.mc."),
    ("anne@rossi@exemple.mc", "Saisissez une adresse électronique avec un seul « @ »"),
    ("@exemple.mc", "Saisissez la partie avant « @ »"),
    ("andré@exemple.mc", "Avant « @ », les lettres accentuées ne sont pas acceptées."),
    (".anne@exemple.mc", "La partie avant « @ » est mal formée"),
    ("anne.@exemple.mc", "La partie avant « @ » est mal formée"),
    ("anne..rossi@exemple.mc", "La partie avant « @ » est mal formée"),
    ("anne(rossi)@exemple.mc", "La partie avant « @ » est mal formée"),
    ("a" * 65 + "@exemple.mc", "La partie avant « @ » est mal formée"),
    ("anne@", "Après « @ », saisissez le domaine complet, par exemple prenom.nom@exemple.mc."),
    ("anne@exemple", "Après « @ », saisissez le domaine complet"),
    ("anne@exemple.", "Après « @ », saisissez le domaine complet"),
    ("anne@.exemple.mc", "Après « @ », saisissez le domaine complet"),
    ("anne@exemple..mc", "Après « @ », saisissez le domaine complet"),
    ("anne@-exemple.mc", "Après « @ », saisissez le domaine complet"),
    ("anne@exemple.m", "Après « @ », saisissez le domaine complet"),
    ("anne@exemple.123", "Après « @ », saisissez le domaine complet"),
    ("anne@exem_ple.mc", "Après « @ », saisissez le domaine complet"),
    ("anne@" + "a" * 64 + ".mc", "Après « @ », saisissez le domaine complet"),
    ("anne@" + ".".join(["a" * 60] * 5) + ".mc", "254 caractères au plus."),
])
def test_email_refused(typed, message):
    assert refused(clean_email, typed).startswith(message)


# --- Names ------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, stored", [
    ("Rossi", "Rossi"), ("  Marie-Hélène ", "Marie-Hélène"), ("D'Almeida  Costa", "D'Almeida Costa"),
    ("N’Diaye", "N’Diaye"), ("St. Laurent", "St. Laurent"), ("Roquebrune-Cap-Martin", "Roquebrune-Cap-Martin"),
    ("Œuvray", "Œuvray"), ("Ødegård", "Ødegård"),
])
def test_names_accepted(typed, stored):
    assert clean_name(typed) == stored


@pytest.mark.parametrize("typed", ["Rossi2", "<script>alert(1)</script>", "---", "'", "=SOMME(A1)", "Anne_Rossi",
                                   "Anne@Rossi", "Rossi;"])
def test_names_refused(typed):
    assert refused(clean_name, typed) == ("Saisissez des lettres : seuls les espaces, tirets, apostrophes et points "
                                          "les accompagnent.")


def test_names_are_80_characters_at_most():
    assert clean_name("a" * 80) == "a" * 80
    assert refused(clean_name, "a" * 81) == "80 caractères au plus."


def test_every_message_is_french_and_says_what_to_do():
    """No English from a library leaks: each refusal above is a sentence of ours."""
    for clean, value in [(clean_rpps, "x"), (clean_adeli, "x"), (clean_email, "x"), (parse_phone, "x"), (clean_name, "1")]:
        message = refused(clean, value)
        assert re.match(r"^[A-ZÉ]", message) and message.endswith(".")

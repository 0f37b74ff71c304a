"""Identifiers a person types about himself: ADELI and RPPS numbers, phone numbers of Monaco and
France, e-mail addresses, names (pure: no Flask, no database).

Each `clean_*` function gives the value as it is stored, or raises `InvalidIdentifier` with the French
message shown next to the field, in words that say what to do.

- ADELI: 9 digits. RPPS: 11 digits whose last one is a Luhn key over the 11 (ISO/IEC 7812, as the
  RPPS is built), so one mistyped digit or two swapped neighbours are caught.
- Phones: Monaco (+377: fixed lines 9…, mobiles 6… in 9 digits or 44/45/46… in 8) and France (+33,
  or 0 and 9 digits: mobiles 06/07, fixed lines 01–05 and 09), as the plans of the two countries and
  Google's libphonenumber describe them; stored in the international form the caisse dials from
  Monaco (« +377 93 15 43 44 », « +33 6 12 34 56 78 »).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


class InvalidIdentifier(ValueError):
    """A value refused, with the French message to show next to its field."""


# --- ADELI and RPPS ---------------------------------------------------------------------------

ADELI_LENGTH = 9
RPPS_LENGTH = 11


def _digits_only(raw: str, label: str, length: int) -> str:
    value = "".join((raw or "").split())  # « 10 1234 5678 9 » as printed on a card
    if not value.isascii() or not value.isdigit():
        raise InvalidIdentifier(f"Le n° {label} ne contient que des chiffres ({length}).")
    if len(value) != length:
        raise InvalidIdentifier(f"Le n° {label} compte {length} chiffres (ici {len(value)}).")
    return value


def luhn_valid(digits: str) -> bool:
    """True when the string of digits ends with its Luhn key (the sum rule of ISO/IEC 7812)."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2 == 1:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def luhn_key(digits: str) -> str:
    """The digit that, appended, makes a string of digits Luhn-valid (« 1000000000 » → « 8 »)."""
    return next(key for key in "0123456789" if luhn_valid(digits + key))


def clean_adeli(raw: str) -> str:
    """An ADELI number: 9 digits (spaces allowed between them)."""
    return _digits_only(raw, "ADELI", ADELI_LENGTH)


def clean_rpps(raw: str) -> str:
    """An RPPS number: 11 digits (spaces allowed) whose Luhn key holds."""
    value = _digits_only(raw, "RPPS", RPPS_LENGTH)
    if not luhn_valid(value):
        raise InvalidIdentifier("Ce n° RPPS n'existe pas : un chiffre est erroné ou deux sont inversés "
                                "(sa clé de contrôle ne correspond pas). Recopiez-le depuis votre carte.")
    return value


# --- Phones -----------------------------------------------------------------------------------

MOBILE, FIXE = "mobile", "fixe"
MONACO, FRANCE = "MC", "FR"
# Digits with the usual separators: « +377 93 15 43 44 », « (+377) 93 15 43 44 », « 06-12-34-56-78 ».
PHONE_CHARACTERS = re.compile(r"^(\(?\+?[0-9]{1,4}\)?)?[0-9 .\-]{6,20}$")
PHONE_FORMAT = ("Saisissez un numéro de téléphone : des chiffres, espaces, points ou tirets, "
                "avec l'indicatif +377 au besoin.")
_MONACO = {
    FIXE: re.compile(r"^(?:9[2-47-9]\d{6}|870\d{5})$"),
    MOBILE: re.compile(r"^(?:6\d{8}|4(?:[46]\d|5[1-9])\d{5})$"),
}
_FRANCE = {FIXE: re.compile(r"^[1-59]\d{8}$"), MOBILE: re.compile(r"^[67]\d{8}$")}
_EXAMPLES = {MOBILE: "+377 6 12 34 56 78 ou 06 12 34 56 78", FIXE: "+377 93 15 43 44 ou 04 93 12 34 56"}
_ANY_EXAMPLE = "+377 93 15 43 44 ou 06 12 34 56 78"
_KIND_WORDS = {MOBILE: "un mobile", FIXE: "un téléphone fixe"}


@dataclass(frozen=True)
class Phone:
    """A phone number of Monaco or France: its country, its kind, its digits after the country code."""

    country: str
    kind: str
    national: str

    @property
    def international(self) -> str:
        """« +377 93 15 43 44 », « +377 6 12 34 56 78 », « +33 6 12 34 56 78 »: dialable from Monaco."""
        digits = self.national
        head, rest = ("", digits) if len(digits) == 8 else (digits[0], digits[1:])
        pairs = " ".join(rest[i:i + 2] for i in range(0, len(rest), 2))
        code = "+377" if self.country == MONACO else "+33"
        return " ".join(part for part in (code, head, pairs) if part)


def is_phone_like(raw: str) -> bool:
    """Any country's number in the usual writing: digits and separators, 6 digits at least (the
    patient's phone of a form, who may live anywhere)."""
    value = (raw or "").strip()
    return bool(PHONE_CHARACTERS.match(value)) and sum(char.isdigit() for char in value) >= 6


def parse_phone(raw: str) -> Phone:
    """A number of Monaco or France, with or without its country code (+377, 00377, +33, 0033,
    « +33 (0)6… »); without it, a number beginning with 0 is France's (0 and 9 digits), another
    Monaco's (8 digits, or 9 beginning with 6)."""
    value = (raw or "").strip().replace("(0)", "")  # « +33 (0)6 12 34 56 78 »: the 0 is not dialled
    if not is_phone_like(value):
        raise InvalidIdentifier(PHONE_FORMAT)
    international = value.startswith(("+", "(+", "00"))
    digits = re.sub(r"\D", "", value)
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
        if digits.startswith("377"):
            country, national = MONACO, digits[3:]
        elif digits.startswith("33"):
            country, national = FRANCE, digits[2:]
        else:
            raise InvalidIdentifier("Seuls les numéros de Monaco (+377) et de France (+33) sont acceptés.")
    elif digits.startswith("0"):  # France's national prefix; Monaco's numbers begin with 3, 4, 6, 8 or 9
        country, national = FRANCE, digits[1:]
    else:
        country, national = MONACO, digits
    plan = _MONACO if country == MONACO else _FRANCE
    kind = next((kind for kind, pattern in plan.items() if pattern.match(national)), None)
    if kind is None:
        where = "de Monaco" if country == MONACO else "français"
        raise InvalidIdentifier(f"Ce numéro {where} est incomplet ou n'existe pas : vérifiez-le "
                                f"(par exemple {_ANY_EXAMPLE}).")
    return Phone(country, kind, national)


def clean_phone(raw: str, kind: str) -> str:
    """A mobile or a fixed line's number, in its international form; the other kind is refused
    with the field to put it in."""
    phone = parse_phone(raw)
    if phone.kind != kind:
        other = "Tél. fixe" if phone.kind == FIXE else "Tél. mobile"
        raise InvalidIdentifier(f"Ce numéro est celui d'{_KIND_WORDS[phone.kind]} : saisissez-le dans « {other} », "
                                f"ou saisissez ici {_KIND_WORDS[kind]} (par exemple {_EXAMPLES[kind]}).")
    return phone.international


# --- E-mail -----------------------------------------------------------------------------------

EMAIL_MAX_LENGTH = 254  # RFC 5321: the longest path a mail server accepts
EMAIL_EXAMPLE = "prenom.nom@exemple.mc"
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def clean_email(raw: str) -> str:
    """An e-mail address as a mail server accepts it (RFC 5321's usual subset): a local part without
    accents, a domain of at least two labels (accents allowed there, IDNA); stored with the domain in
    lower case."""
    value = (raw or "").strip()
    if any(char.isspace() for char in value):
        raise InvalidIdentifier("Une adresse électronique ne contient pas d'espace.")
    if value.count("@") != 1:
        raise InvalidIdentifier(f"Saisissez une adresse électronique avec un seul « @ », "
                                f"par exemple {EMAIL_EXAMPLE}.")
    local, domain = value.split("@")
    if not local:
        raise InvalidIdentifier(f"Saisissez la partie avant « @ », par exemple {EMAIL_EXAMPLE}.")
    if not local.isascii():
        raise InvalidIdentifier("Avant « @ », les lettres accentuées ne sont pas acceptées.")
    if len(local) > 64 or not _LOCAL.match(local):
        raise InvalidIdentifier(f"La partie avant « @ » est mal formée (point au début, à la fin ou doublé, "
                                f"ou caractère non permis) : par exemple {EMAIL_EXAMPLE}.")
    domain = domain.lower()
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        ascii_domain = ""
    labels = ascii_domain.split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels) or not _TOP_LEVEL.match(labels[-1]):
        raise InvalidIdentifier(f"Après « @ », saisissez le domaine complet, par exemple {EMAIL_EXAMPLE}.")
    cleaned = f"{local}@{domain}"
    if len(local) + 1 + len(ascii_domain) > EMAIL_MAX_LENGTH:
        raise InvalidIdentifier(f"{EMAIL_MAX_LENGTH} caractères au plus.")
    return cleaned


# --- Names and places -------------------------------------------------------------------------

NAME_MAX_LENGTH = 80
_NAME_PUNCTUATION = frozenset(" -'’.")


def clean_name(raw: str) -> str:
    """A person's or a town's name: letters (accents included), spaces, hyphens, apostrophes and
    dots; inner spaces collapsed."""
    value = " ".join((raw or "").split())
    if len(value) > NAME_MAX_LENGTH:
        raise InvalidIdentifier(f"{NAME_MAX_LENGTH} caractères au plus.")
    if not any(char.isalpha() for char in value) or any(
            not (char.isalpha() or char in _NAME_PUNCTUATION) for char in value):
        raise InvalidIdentifier("Saisissez des lettres : seuls les espaces, tirets, apostrophes et points "
                                "les accompagnent.")
    return value

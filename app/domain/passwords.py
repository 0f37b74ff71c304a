"""Password rules (SECURITY.md item 1, NIST SP 800-63B): length, no composition rules, common ones refused."""

from __future__ import annotations

import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 8
MAX_LENGTH = 128
_COMMON_FILE = Path(__file__).resolve().parent / "data" / "mots_de_passe_courants.txt"
# Readable one-time passwords: no I, O, 0, 1 to misread when they are dictated.
_ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = _COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def password_problems(password: str, *, identifiant: str = "", noms: tuple[str, ...] = ()) -> list[str]:
    """The French reasons why a new password is refused; an empty list means it is accepted."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Le mot de passe doit contenir au moins {MIN_LENGTH} caractères.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Le mot de passe ne peut pas dépasser {MAX_LENGTH} caractères.")
    folded = _fold(password)
    if folded in common_passwords() or len(set(password)) <= 2:
        problems.append("Ce mot de passe est trop courant : choisissez-en un autre, une phrase par exemple.")
    personal = [_fold(x) for x in (identifiant, *noms) if len(x) >= 3]
    if any(p in folded for p in personal):
        problems.append("Le mot de passe ne doit pas contenir votre identifiant ni votre nom.")
    return problems


def one_time_password() -> str:
    """A one-time password of 12 random characters (about 60 bits), in three groups of four."""
    chars = "".join(secrets.choice(_ONE_TIME_ALPHABET) for _ in range(12))
    return f"{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def identifiant_base(prenom: str, nom: str) -> str:
    """The base of a personal identifiant: « prenom.nom » in lower-case ASCII letters and digits."""
    def part(text: str) -> str:
        return "".join(c for c in _fold(text) if c.isalnum())
    return f"{part(prenom)}.{part(nom)}".strip(".") or "assistant"

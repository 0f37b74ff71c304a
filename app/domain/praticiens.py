"""The caisse's registry of praticiens, as its agents see it (pure: no Flask, no database): an access's
status, the identifiant an agent confirms at an approval, the reasons he must write (a refusal, a
suspension under the contract's article 5), the search that ignores accents and case, and the
warning when a request names a praticien who already has an access."""

from __future__ import annotations

import re
from collections.abc import Iterable

from app.domain.text import fold

# An access: signed in at least once (a password chosen), suspended by the caisse, or never activated.
ACTIF, SUSPENDU, JAMAIS_ACTIVE = "actif", "suspendu", "jamais_active"
STATUTS = {ACTIF: "Actif", SUSPENDU: "Suspendu", JAMAIS_ACTIVE: "Jamais activé"}

# The identifiants the sign-in page takes (app/auth/routes.IDENTIFIANT_FORMAT): lower-case ASCII
# letters and digits, dots, dashes and underscores, a letter or digit first, 64 characters at most.
IDENTIFIANT_FORMAT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MOTIF_MAX_LENGTH = 500  # demande_abonnement.motif_refus is VARCHAR(500); the suspension's alike
SPECIALITE_MAX_LENGTH = 80


def status(suspended: bool, password_set: bool) -> str:
    """The access's status: a suspension comes first (it holds even before an activation)."""
    if suspended:
        return SUSPENDU
    return ACTIF if password_set else JAMAIS_ACTIVE


def clean_identifiant(raw: str | None) -> str:
    """The identifiant as it is stored: trimmed, lower case (sign-in ignores case)."""
    return (raw or "").strip().lower()


def identifiant_problem(identifiant: str) -> str | None:
    """What is wrong with an identifiant the agent typed (already cleaned), or None."""
    if not identifiant:
        return "Saisissez l'identifiant de connexion du praticien."
    if len(identifiant) > 64:
        return "64 caractères au plus."
    if not IDENTIFIANT_FORMAT.match(identifiant):
        return ("Lettres sans accents, chiffres, points, tirets ou soulignés, commençant par une lettre "
                "ou un chiffre (par exemple « claire.lorenzi »).")
    return None


def taken_message(identifiant: str) -> str:
    """The identifiant names another account already."""
    return f"L'identifiant « {identifiant} » est déjà pris : choisissez-en un autre (par exemple « {identifiant}2 »)."


def clean_text(raw: str | None) -> str:
    """A reason or a label as stored: spaces at both ends removed, line breaks kept."""
    return (raw or "").strip()


def motif_problem(motif: str, missing: str) -> str | None:
    """A mandatory reason: `missing` when it is empty, or too long."""
    if not motif:
        return missing
    if len(motif) > MOTIF_MAX_LENGTH:
        return f"{MOTIF_MAX_LENGTH} caractères au plus (vous en avez saisi {len(motif)})."
    return None


def specialite_problem(specialite: str) -> str | None:
    """The label shown on the praticien's documents: mandatory, 80 characters at most."""
    if not specialite:
        return "Saisissez la spécialité affichée (par défaut, la profession)."
    if len(specialite) > SPECIALITE_MAX_LENGTH:
        return f"{SPECIALITE_MAX_LENGTH} caractères au plus."
    return None


def search_words(search: str | None) -> list[str]:
    """The words of a search, folded: accents, case and extra spaces ignored."""
    return fold(search or "").split()


def matches(words: list[str], fields: Iterable[str | None]) -> bool:
    """Every word of the search somewhere in the praticien's folded fields (nom, prénom, identifiant,
    ADELI, RPPS, e-mail, profession, spécialité). A search made only of digits and spaces is one
    number: « 100 0981 2347 » finds the RPPS 10009812347."""
    haystack = " ".join(fold(value) for value in fields if value)
    if not words:
        return True
    if all(word.isdigit() for word in words):
        number = "".join(words)
        if number in haystack.replace(" ", ""):
            return True
    return all(word in haystack for word in words)


def duplicate_reasons(request: dict[str, str | None], existing: dict[str, str | None]) -> list[str]:
    """What a subscription request shares with a praticien who has an access: his ADELI, his RPPS or
    his e-mail (case ignored). Empty when nothing: the request is a new praticien."""
    reasons = []
    if request.get("adeli") and request.get("adeli") == existing.get("adeli"):
        reasons.append("même n° ADELI")
    if request.get("rpps") and request.get("rpps") == existing.get("rpps"):
        reasons.append("même n° RPPS")
    if request.get("email") and (request.get("email") or "").strip().lower() == (existing.get("email") or "").strip().lower():
        reasons.append("même adresse e-mail")
    return reasons

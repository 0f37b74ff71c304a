"""The professions of the praticiens, with the codes used by the tariff file."""

from __future__ import annotations

# Code used in the tariff file → label shown to the user.
PROFESSIONS: dict[str, str] = {
    "medecin": "Médecin",
    "dentiste": "Chirurgien-dentiste",
    "sagefemme": "Sage-femme",
    "infirmier": "Infirmier(e)",
    "kine": "Masseur-kinésithérapeute",
    "orthophoniste": "Orthophoniste",
    "orthoptiste": "Orthoptiste",
}

# Auxiliaires médicaux: they act on prescription and may bill a series of acts (DOMAIN.md).
AUXILIAIRES_MEDICAUX = frozenset({"infirmier", "kine", "orthophoniste", "orthoptiste"})

# The professions whose members are addressed as « Docteur ».
DOCTORS = frozenset({"medecin", "dentiste"})

# A tariff row that applies to every profession.
ALL_PROFESSIONS = "*"


def is_profession(code: str) -> bool:
    """True when the code names a known profession."""
    return code in PROFESSIONS



def hnp_label(profession: str) -> str:
    """The word for fees the caisse pays directly: « RDD » (règlement direct au dentiste) for a
    dentist, « HNP » (honoraires non payés) for the others."""
    return "RDD" if profession == "dentiste" else "HNP"


def display_name(profession: str, prenom: str, nom: str) -> str:
    """How a praticien is named on a document: « Dr » for médecins and chirurgiens-dentistes."""
    return f"{'Dr ' if profession in DOCTORS else ''}{prenom} {nom}"


def hnp_meaning(profession: str) -> str:
    """What the HNP/RDD box means, in the profession's words."""
    if profession == "dentiste":
        return "règlement direct au dentiste : la caisse vous règle sa part"
    return "honoraires non payés par le patient : la caisse vous règle sa part"

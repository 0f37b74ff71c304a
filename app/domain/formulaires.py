"""The three forms (« Formulaires »): who may fill which, and the rules of their dates (pure).

Decisions where the seed is silent (README « Formulaires »), taken from the French rules that the
Monaco caisses follow for these documents:
- the prescription d'IT (arrêt de travail) is written by a médecin, a chirurgien-dentiste (for the
  care of his art) or a sage-femme; a sage-femme's arrêt lasts 15 days at most;
- the demande d'ETM (protocole for an exoneration) and the demande d'admission en invalidité are
  medical certificates: médecins only;
- the other professions (infirmier, kiné, orthophoniste, orthoptiste) prescribe none of them.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from app.domain.text import label_case

IT, ETM, INVALIDITE = "it", "etm", "invalidite"
KINDS = (IT, ETM, INVALIDITE)

TITLES = {
    IT: "Prescription d'IT",
    ETM: "Demande d'ETM",
    INVALIDITE: "Demande d'admission en invalidité",
}
LONG_TITLES = {
    IT: "Prescription d'interruption de travail",
    ETM: "Demande d'exonération du ticket modérateur (ETM)",
    INVALIDITE: "Demande d'admission en invalidité",
}
# The prefix of a transmitted document's reference.
PREFIXES = {IT: "IT", ETM: "ETM", INVALIDITE: "INV"}

WHO_FILLS = {
    IT: frozenset({"medecin", "dentiste", "sagefemme"}),
    ETM: frozenset({"medecin"}),
    INVALIDITE: frozenset({"medecin"}),
}

# Statuses of a document: the draft of the praticien, then what the caisse decides (issue 10).
STATUTS = {"brouillon": "Brouillon", "transmis": "Transmis", "accorde": "Accordé", "refuse": "Refusé"}

# Identification: the IT needs the card (code FSE); ETM and invalidité accept the birth date instead.
BY_CODE_FSE, BY_BIRTH_DATE = "code_fse", "date_naissance"
IDENTIFICATION_MODES = {
    IT: (BY_CODE_FSE,),
    ETM: (BY_CODE_FSE, BY_BIRTH_DATE),
    INVALIDITE: (BY_CODE_FSE, BY_BIRTH_DATE),
}

# Sorties autorisées during an arrêt de travail.
SORTIES = {
    "non": "Non autorisées",
    "oui": "Autorisées, aux heures indiquées",
    "libres": "Autorisées sans restriction d'horaire",
}

# What a demande d'ETM may ask for: the natures of the caisse's file that exonerate (TOP_ETM = 1),
# in words a praticien reads (the file's labels are upper case without accents), except 47
# « article L324 non exonérant », which by its name grants no exoneration. AT/MP and invalidité have
# their own procedures; « sans objet », « autre cas », prevention and « valeur inconnue » are not asked.
ETM_ASKED = {
    21: "Pension militaire d'invalidité (article 115)",
    41: "Affection de la liste des affections de longue durée (ALD liste)",
    43: "Affection hors liste (ALD hors liste)",
    45: "Polypathologie invalidante",
    55: "Maternité, à partir du 6e mois de grossesse",
    56: "Éducation spécialisée",
    58: "Prestation supplémentaire 1",
    59: "Prestation supplémentaire 11",
    60: "Stérilité",
}

IT_MAX_DAYS = 365  # beyond a year an arrêt is an invalidity matter, not a prescription
SAGE_FEMME_MAX_DAYS = 15
IT_MAX_DAYS_AHEAD = 7  # a prolongation may be written before the current arrêt ends
ETM_MAX_MONTHS = 60  # an exoneration is granted for five years at most, then renewed


def kinds_for(profession: str) -> tuple[str, ...]:
    """The forms a praticien of this profession fills, in the seed's order."""
    return tuple(kind for kind in KINDS if profession in WHO_FILLS[kind])


def may_fill(profession: str, kind: str) -> bool:
    """True when a praticien of this profession writes this kind of document."""
    return kind in WHO_FILLS and profession in WHO_FILLS[kind]


# The random part of a reference: no 0/O or 1/I to misread when it is read out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference(kind: str, day: date, token: str | None = None) -> str:
    """A document's reference: kind, Monaco day and 6 random characters (« IT-20261123-7KQ3MX»)."""
    token = token or "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{PREFIXES[kind]}-{day:%Y%m%d}-{token}"


@dataclass(frozen=True)
class ItDates:
    """What the IT form says of its dates."""

    debut: date | None
    fin: date | None
    prolongation: bool
    date_initiale: date | None
    accident_travail: bool
    date_accident: date | None


def it_date_problems(dates: ItDates, profession: str, today: date, retro_days: int) -> dict[str, str]:
    """The field → French message of every date rule the IT breaks (empty when all hold).

    The prescription must reach the caisse within 48 hours: a start more than `retro_days` days
    before today is refused (the limit is configuration, FSE_IT_RETRO_JOURS).
    """
    problems: dict[str, str] = {}
    if dates.debut is not None:
        if dates.debut < today - timedelta(days=retro_days):
            days = f"{retro_days} jour{'s' if retro_days > 1 else ''}"
            reason = f" : la prescription doit parvenir à la caisse dans les {24 * retro_days} heures" if retro_days else ""
            problems["date_debut"] = f"L'arrêt ne peut pas commencer plus de {days} avant aujourd'hui{reason}."
        elif dates.debut > today + timedelta(days=IT_MAX_DAYS_AHEAD):
            problems["date_debut"] = (
                f"L'arrêt ne peut pas commencer plus de {IT_MAX_DAYS_AHEAD} jours après aujourd'hui."
            )
    if dates.debut is not None and dates.fin is not None:
        if dates.fin < dates.debut:
            problems["date_fin"] = "La date de fin doit être le jour du début ou un jour suivant."
        else:
            days = (dates.fin - dates.debut).days + 1
            limit = SAGE_FEMME_MAX_DAYS if profession == "sagefemme" else IT_MAX_DAYS
            if days > limit:
                who = "Une sage-femme prescrit" if profession == "sagefemme" else "Une prescription couvre"
                problems["date_fin"] = f"{who} un arrêt de {limit} jours au plus (ici {days} jours)."
    if dates.prolongation:
        if dates.date_initiale is None:
            problems["date_initiale"] = "Pour une prolongation, saisissez la date de l'arrêt initial."
        elif dates.debut is not None and dates.date_initiale > dates.debut:
            problems["date_initiale"] = "L'arrêt initial ne peut pas commencer après la prolongation."
    if dates.accident_travail:
        if dates.date_accident is None:
            problems["date_accident"] = "Saisissez la date de l'accident du travail."
        elif dates.date_accident > today:
            problems["date_accident"] = "La date de l'accident ne peut pas être dans le futur."
        elif dates.debut is not None and dates.date_accident > dates.debut:
            problems["date_accident"] = "L'accident ne peut pas être postérieur au début de l'arrêt."
    return problems


def duration_days(debut: date, fin: date) -> int:
    """The number of calendar days of an arrêt, both ends included."""
    return (fin - debut).days + 1


def stop_date_problem(date_arret: date | None, today: date) -> str | None:
    """The invalidity request's date work stopped: in the past or today."""
    if date_arret is not None and date_arret > today:
        return "La date d'arrêt de travail ne peut pas être dans le futur."
    return None


def etm_label(code: int, file_label: str) -> str:
    """The words for a nature of exoneration: the portal's own for those a request may ask for,
    else the file's label in sentence case."""
    return ETM_ASKED.get(code) or label_case(file_label)

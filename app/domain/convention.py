"""The Convention's rules per card colour and the reimbursement rates, read from convention.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

CARD_COLOURS = ("verte", "rose", "bulle")


class ConventionError(ValueError):
    """The rules file is malformed; the message says where and why, in French."""


@dataclass(frozen=True)
class ColourRule:
    """What a card colour allows: overbilling, its ceiling as a coefficient of the base, HNP."""

    couleur: str
    libelle: str
    depassement: bool
    coefficient_max: Decimal
    hnp: bool


@dataclass(frozen=True)
class ConventionRules:
    """The whole set of rules: rates, ETM thresholds and one rule per card colour."""

    taux_remboursement: Decimal
    taux_remboursement_etm: Decimal
    seuil_etm_coefficient_ngap: Decimal
    seuil_etm_ccam: Decimal
    couleurs: dict[str, ColourRule]

    def colour(self, couleur: str) -> ColourRule:
        """The rule of one card colour."""
        return self.couleurs[couleur]


def coefficient_problem(depassement: bool, coefficient_max: Decimal) -> str | None:
    """Why a colour's ceiling is inconsistent, or None: the base at least (1), and exactly the base
    when the colour allows no overbilling. Shared by convention.toml and the caisse's changes."""
    if coefficient_max < 1:
        return "au moins 1 est attendu (1 = le tarif de base)"
    if not depassement and coefficient_max != 1:
        return "sans dépassement, le coefficient maximal vaut 1"
    return None


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ConventionError(f"{where} : un nombre écrit entre guillemets est attendu")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ConventionError(f"{where} : « {value} » n'est pas un nombre") from None
    if not number.is_finite() or number < 0:
        raise ConventionError(f"{where} : « {value} » doit être un nombre positif")
    return number


def _bool(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConventionError(f"{where} : true ou false est attendu")
    return value


def parse_convention(text: str) -> ConventionRules:
    """Parse and check the text of convention.toml; raise ConventionError on any fault."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConventionError(f"syntaxe TOML invalide ({exc})") from None
    for key in ("taux_remboursement", "taux_remboursement_etm", "seuil_etm_coefficient_ngap",
                "seuil_etm_ccam", "couleurs"):
        if key not in data:
            raise ConventionError(f"la clé « {key} » manque")
    rates = {key: _decimal(data[key], key) for key in ("taux_remboursement", "taux_remboursement_etm")}
    for key, rate in rates.items():
        if rate > 1:
            raise ConventionError(f"{key} : un taux entre 0 et 1 est attendu")
    couleurs = data["couleurs"]
    if not isinstance(couleurs, dict) or set(couleurs) != set(CARD_COLOURS):
        raise ConventionError("[couleurs] doit décrire exactement verte, rose et bulle")
    rules = {}
    for couleur in CARD_COLOURS:
        entry = couleurs[couleur]
        where = f"[couleurs.{couleur}]"
        missing = {"libelle", "depassement", "coefficient_max", "hnp"} - set(entry)
        if missing:
            raise ConventionError(f"{where} : la clé « {sorted(missing)[0]} » manque")
        coefficient_max = _decimal(entry["coefficient_max"], f"{where} coefficient_max")
        depassement = _bool(entry["depassement"], f"{where} depassement")
        if problem := coefficient_problem(depassement, coefficient_max):
            raise ConventionError(f"{where} coefficient_max : {problem}")
        rules[couleur] = ColourRule(
            couleur=couleur,
            libelle=str(entry["libelle"]),
            depassement=depassement,
            coefficient_max=coefficient_max,
            hnp=_bool(entry["hnp"], f"{where} hnp"),
        )
    return ConventionRules(
        taux_remboursement=rates["taux_remboursement"],
        taux_remboursement_etm=rates["taux_remboursement_etm"],
        seuil_etm_coefficient_ngap=_decimal(data["seuil_etm_coefficient_ngap"], "seuil_etm_coefficient_ngap"),
        seuil_etm_ccam=_decimal(data["seuil_etm_ccam"], "seuil_etm_ccam"),
        couleurs=rules,
    )

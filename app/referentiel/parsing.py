"""Reading the reference files into checked records; any fault names the file, the line and why.

Pure: no Flask, no database. The importer (importer.py) writes what these functions return.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.domain.convention import ConventionError, ConventionRules, parse_convention
from app.domain.professions import ALL_PROFESSIONS, is_profession
from app.domain.tariffs import TariffKind, TariffRow

CCAM_CODE = re.compile(r"^[A-Z]{4}\d{3}$")
NGAP_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,7}$")
MODIFIER_CODE = re.compile(r"^[A-Z0-9]$")
AMOUNT = re.compile(r"^\d{1,6}(\.\d{1,2})?$")
PERCENT = re.compile(r"^\d{1,3}(\.\d{1,4})?%$")


class ReferentielError(ValueError):
    """A reference file is malformed: which file, which line (1 = the header) and why."""

    def __init__(self, fichier: str, ligne: int | None, raison: str):
        self.fichier, self.ligne, self.raison = fichier, ligne, raison
        where = f"{fichier}, ligne {ligne}" if ligne else fichier
        super().__init__(f"{where} : {raison}")


@dataclass(frozen=True)
class CcamRecord:
    code: str
    libelle: str
    regroupement: str


@dataclass(frozen=True)
class PrestationRecord:
    code: str
    code_prestation: int
    libelle: str
    majoration: bool


@dataclass(frozen=True)
class EtmRecord:
    code: int
    code_court: str | None
    libelle: str


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ReferentielError(name, line, "le fichier n'est pas encodé en UTF-8") from None


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ReferentielError(path.name, None, f"fichier illisible ({exc.strerror})") from None
    return _decode(path.name, data)


class _Named:
    """A file already read (an upload): its name and its bytes, where the readers expect a path."""

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data


def _records(path: Path | _Named, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (first physical line of the record, row) for a ;-separated file; check the header."""
    text = _decode(path.name, path.data) if isinstance(path, _Named) else _text(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    try:
        header = next(reader)
    except StopIteration:
        raise ReferentielError(path.name, 1, "fichier vide") from None
    missing = [c for c in columns if c not in header]
    if missing:
        raise ReferentielError(path.name, 1, f"colonne « {missing[0]} » absente de l'en-tête")
    index = {c: header.index(c) for c in columns}
    start = reader.line_num + 1
    try:
        for row in reader:
            if not any(field.strip() for field in row):
                start = reader.line_num + 1
                continue
            if len(row) != len(header):
                raise ReferentielError(path.name, start, f"{len(row)} colonnes au lieu de {len(header)}")
            yield start, {c: row[i] for c, i in index.items()}
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ReferentielError(path.name, reader.line_num, f"CSV invalide ({exc})") from None


def _clean(text: str) -> str:
    """Fold the line breaks and repeated spaces that some labels of the sources carry."""
    return " ".join(text.split())


def parse_ccam(path: Path) -> list[CcamRecord]:
    """The CCAM acts of IR_CCAM_V63: code, label, regroupement.

    Two quirks of the source are known and handled: nine labels or codes span two lines inside
    quotes (a CSV reader joins them; a trailing « [A] »-style mark after a code is a note and is
    dropped), and rows whose code starts with « NT_ » are notes of the nomenclature, not acts.
    """
    acts: dict[str, CcamRecord] = {}
    for line, row in _records(path, ["CAM_PRS_IDE_COD", "CAM_PRS_IDE_LIB", "CAM_PRS_RGT"]):
        raw_code = row["CAM_PRS_IDE_COD"].strip()
        if raw_code.startswith("NT_"):
            continue
        code = raw_code.split("\n", 1)[0].strip()
        if not CCAM_CODE.match(code):
            raise ReferentielError(path.name, line, f"code CCAM « {code} » invalide (4 lettres et 3 chiffres)")
        libelle = _clean(row["CAM_PRS_IDE_LIB"])
        if not libelle:
            raise ReferentielError(path.name, line, f"libellé vide pour {code}")
        if code in acts:
            raise ReferentielError(path.name, line, f"code CCAM {code} en double")
        acts[code] = CcamRecord(code, libelle, row["CAM_PRS_RGT"].strip())
    if not acts:
        raise ReferentielError(path.name, None, "aucun acte CCAM")
    return list(acts.values())


def parse_prestations(path: Path) -> dict[str, PrestationRecord]:
    """The NGAP letter keys and majorations of IR_NAT_V, by letter code (first occurrence kept)."""
    keys: dict[str, PrestationRecord] = {}
    for line, row in _records(path, ["PRS_NAT", "PRS_NAT_CB2", "PRS_NAT_LIB", "NAT_CPL_ACT"]):
        code = row["PRS_NAT_CB2"].strip()
        if not code or code in keys:
            continue
        try:
            number = int(row["PRS_NAT"])
        except ValueError:
            raise ReferentielError(path.name, line, f"PRS_NAT « {row['PRS_NAT']} » n'est pas un nombre") from None
        keys[code] = PrestationRecord(code, number, _clean(row["PRS_NAT_LIB"]), row["NAT_CPL_ACT"].strip() == "1")
    return keys


def parse_etm(path: Path) -> list[EtmRecord]:
    """The natures of exoneration of IR_ETM_V."""
    natures: dict[int, EtmRecord] = {}
    for line, row in _records(path, ["ETM_NAT", "ETM_NAT_CB2", "ETM_LIB"]):
        try:
            code = int(row["ETM_NAT"])
        except ValueError:
            raise ReferentielError(path.name, line, f"ETM_NAT « {row['ETM_NAT']} » n'est pas un nombre") from None
        if code in natures:
            raise ReferentielError(path.name, line, f"nature d'exonération {code} en double")
        libelle = _clean(row["ETM_LIB"])
        if not libelle:
            raise ReferentielError(path.name, line, f"libellé vide pour la nature {code}")
        natures[code] = EtmRecord(code, row["ETM_NAT_CB2"].strip() or None, libelle)
    return list(natures.values())


def _tariff_value(kind: TariffKind, text: str, where: tuple[str, int]) -> tuple[Decimal | None, Decimal | None]:
    value = text.strip()
    if PERCENT.match(value):
        if kind != TariffKind.MOD:
            raise ReferentielError(*where, f"un pourcentage n'est permis que pour un modificateur (MOD), pas pour {kind.value}")
        return None, Decimal(value[:-1])
    if not AMOUNT.match(value):
        raise ReferentielError(*where, f"valeur « {value} » invalide (montant en euros avec un point, ou pourcentage pour MOD)")
    try:
        return Decimal(value), None
    except InvalidOperation:
        raise ReferentielError(*where, f"valeur « {value} » invalide") from None


def parse_tarifs_bytes(name: str, data: bytes, ccam_codes: set[str] | None = None,
                       lines: dict[tuple, int] | None = None) -> list[TariffRow]:
    """The rows of an uploaded tariff file (its name and bytes), checked as parse_tarifs checks a file."""
    return parse_tarifs(_Named(name, data), ccam_codes, lines)  # type: ignore[arg-type]


def parse_tarifs(path: Path, ccam_codes: set[str] | None = None,
                 lines: dict[tuple, int] | None = None) -> list[TariffRow]:
    """The rows of a tariff file, one per profession named; checks kinds, codes, values, dates.
    `lines`, when given, receives each row's line in the file (1 = the header), by the row's key."""
    rows: dict[tuple, TariffRow] = {}
    columns = ["type", "code", "professions", "valeur", "date_effet", "libelle"]
    for line, row in _records(path, columns):
        where = (path.name, line)
        try:
            kind = TariffKind(row["type"].strip())
        except ValueError:
            raise ReferentielError(*where, f"type « {row['type']} » inconnu (NGAP, MAJ, CCAM ou MOD)") from None
        code = row["code"].strip()
        pattern = {TariffKind.CCAM: CCAM_CODE, TariffKind.MOD: MODIFIER_CODE}.get(kind, NGAP_CODE)
        if not pattern.match(code):
            raise ReferentielError(*where, f"code « {code} » invalide pour le type {kind.value}")
        if kind == TariffKind.CCAM and ccam_codes is not None and code not in ccam_codes:
            raise ReferentielError(*where, f"l'acte {code} n'existe pas dans la nomenclature CCAM")
        professions = [p.strip() for p in row["professions"].split(",")]
        for profession in professions:
            if not (profession == ALL_PROFESSIONS or is_profession(profession)):
                raise ReferentielError(*where, f"profession « {profession} » inconnue")
        if ALL_PROFESSIONS in professions and len(professions) > 1:
            raise ReferentielError(*where, "« * » vaut pour toutes les professions : ne le combinez pas")
        montant, pourcentage = _tariff_value(kind, row["valeur"], where)
        try:
            date_effet = date.fromisoformat(row["date_effet"].strip())
        except ValueError:
            raise ReferentielError(*where, f"date d'effet « {row['date_effet']} » invalide (aaaa-mm-jj)") from None
        libelle = _clean(row["libelle"])
        if not libelle:
            raise ReferentielError(*where, "libellé vide")
        for profession in professions:
            tariff = TariffRow(kind, code, profession, date_effet, libelle, montant, pourcentage)
            if tariff.key in rows:
                raise ReferentielError(*where, f"{kind.value} {code} pour {profession} au {date_effet} figure déjà plus haut")
            rows[tariff.key] = tariff
            if lines is not None:
                lines[tariff.key] = line
    if not rows:
        raise ReferentielError(path.name, None, "aucun tarif")
    return list(rows.values())


def parse_convention_file(path: Path) -> ConventionRules:
    """The Convention's rules of convention.toml."""
    try:
        return parse_convention(_text(path))
    except ConventionError as exc:
        raise ReferentielError(path.name, None, str(exc)) from None

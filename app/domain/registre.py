"""The households CSV of the registry, read and checked (pure: no Flask, no database).

The format is documented in app/registre/FORMAT.md: one row per member, `;`-separated, UTF-8 with or
without BOM, dates jj/mm/aaaa or aaaa-mm-jj. `read_registre` checks every field of every row, then the
households as wholes, and collects ALL the errors (each naming its line in the file, the header being
line 1, and its column, in French); the first `MAX_ERRORS` are kept, the others counted. A file with
a single error is refused whole by the importer (app/registre/importer.py).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

COLUMNS = ("matricule", "code_fse", "caisse", "couleur", "rang", "qualite", "nom", "prenom",
           "date_naissance", "droits_debut", "droits_fin", "exonerations")
CAISSES = ("CCSS", "CAMTI", "SPME")
COULEURS = ("verte", "rose", "bulle")
QUALITES = ("assure", "conjoint", "enfant")
MAX_ERRORS = 100
MAX_RANG = 99
MAX_NAME = 80
MAX_EXONERATIONS = 20
OLDEST_BIRTH = date(1900, 1, 1)
PROGRESS_EVERY = 1000

_MATRICULE = re.compile(r"^[0-9]{6}$")
_CODE_FSE = re.compile(r"^[A-Z0-9]{4}$")
_FRENCH_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_QUALITE_WORDS = {"assure": "assure", "assuré": "assure", "conjoint": "conjoint", "enfant": "enfant"}


@dataclass(frozen=True)
class RowError:
    """One refusal: the line of the file (header = 1), the column (None: the whole line), the words."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"

    def sort_key(self) -> tuple[int, int]:
        """By line, then in the order of the columns (the whole line first)."""
        return self.line, COLUMNS.index(self.column) if self.column in COLUMNS else -1


@dataclass(frozen=True)
class ExonerationRow:
    nature: int
    debut: date
    fin: date | None


@dataclass(frozen=True, slots=True)
class MemberRow:
    """A checked row: one member of one household, with the household's fields."""

    line: int
    matricule: str
    code_fse: str
    caisse: str
    couleur: str
    rang: int
    qualite: str
    nom: str
    prenom: str
    date_naissance: date
    droits_debut: date
    droits_fin: date | None
    exonerations: tuple[ExonerationRow, ...] = ()


@dataclass
class Errors:
    """The errors of a file: the first MAX_ERRORS kept (in the order of the lines), all counted."""

    limit: int = MAX_ERRORS
    kept: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, line: int, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.kept) < self.limit:
            self.kept.append(RowError(line, column, message))

    def merge(self, other: Errors) -> None:
        """Both lists are each the lowest lines of their kind, so the union's lowest are among them."""
        self.kept = sorted(self.kept + other.kept, key=RowError.sort_key)[: self.limit]
        self.total += other.total

    @property
    def more(self) -> int:
        """How many errors were counted but not kept."""
        return self.total - len(self.kept)

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class Parsed:
    """A file read: its checked rows (meaningful only without errors), its data lines, its errors."""

    rows: list[MemberRow]
    lines: int
    errors: Errors


class FileError(ValueError):
    """The file cannot be read at all (encoding): the line where it breaks and the words."""

    def __init__(self, line: int, message: str):
        super().__init__(f"ligne {line} : {message}")
        self.line, self.message = line, message


def decode(data: bytes) -> str:
    """The file's text: UTF-8, with or without BOM; anything else names the first line it breaks."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileError(line, "le fichier n'est pas encodé en UTF-8 : enregistrez-le en « CSV UTF-8 » "
                              "et importez-le à nouveau.") from None


def parse_date(text: str) -> date | None:
    """jj/mm/aaaa (« 1/3/2024 » too) or aaaa-mm-jj; None when it is neither or no such day."""
    match = _FRENCH_DATE.match(text)
    try:
        if match:
            return date(int(match[3]), int(match[2]), int(match[1]))
        match = _ISO_DATE.match(text)
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
    return None


def excerpt(text: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut when long."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def french(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def check_header(cells: list[str]) -> tuple[dict[str, int] | None, str | None]:
    """The position of each column, or the French reason the header is refused (any order is accepted)."""
    names = [cell.strip().lower() for cell in cells]
    missing = [name for name in COLUMNS if name not in names]
    unknown = [name for name in names if name not in COLUMNS]
    doubled = sorted({name for name in names if names.count(name) > 1})
    problems = []
    if missing:
        problems.append("colonnes manquantes : " + ", ".join(missing))
    if unknown:
        problems.append("colonnes inconnues : " + ", ".join(excerpt(name, 30) or "(vide)" for name in unknown))
    if doubled:
        problems.append("colonnes en double : " + ", ".join(doubled))
    if problems:
        return None, ("en-tête invalide (" + " ; ".join(problems) + "). L'en-tête attendu est : "
                      + ";".join(COLUMNS) + ".")
    return {name: names.index(name) for name in COLUMNS}, None


def _date(cells: dict[str, str], name: str, line: int, errors: Errors, required: bool = True) -> date | None:
    text = cells[name]
    if not text:
        if required:
            errors.add(line, name, "date obligatoire (jj/mm/aaaa).")
        return None
    day = parse_date(text)
    if day is None:
        errors.add(line, name, f"date invalide « {excerpt(text)} » : écrivez-la jj/mm/aaaa ou aaaa-mm-jj.")
    return day


def _name(cells: dict[str, str], name: str, line: int, errors: Errors) -> str:
    text = " ".join(cells[name].split())
    if not text:
        errors.add(line, name, "obligatoire.")
    elif len(text) > MAX_NAME:
        errors.add(line, name, f"{MAX_NAME} caractères au plus (ici {len(text)}).")
    elif _CONTROL.search(text):
        errors.add(line, name, "caractère de contrôle interdit.")
    return text


def parse_exonerations(text: str, line: int, errors: Errors, natures: Collection[int],
                       birth: date | None) -> tuple[ExonerationRow, ...]:
    """`nature:debut[:fin]` items separated by `|`; each checked, duplicates refused."""
    if not text:
        return ()
    items = text.split("|")
    if len(items) > MAX_EXONERATIONS:
        errors.add(line, "exonerations",
                   f"{MAX_EXONERATIONS} exonérations au plus par bénéficiaire (ici {len(items)}).")
        return ()
    found: list[ExonerationRow] = []
    for number, item in enumerate(items, start=1):
        where = f"exonération n° {number} « {excerpt(item.strip())} »"
        parts = [part.strip() for part in item.split(":")]
        if len(parts) == 3 and not parts[2]:
            parts = parts[:2]
        if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
            errors.add(line, "exonerations", f"{where} : écrivez nature:début:fin (fin facultative), "
                                             "par exemple 41:01/03/2024:28/02/2029.")
            continue
        if not parts[0].isascii() or not parts[0].isdigit() or int(parts[0]) not in natures:
            errors.add(line, "exonerations", f"{where} : nature d'exonération inconnue « {excerpt(parts[0], 10)} » "
                                             "(codes du référentiel ETM).")
            continue
        debut, fin = parse_date(parts[1]), parse_date(parts[2]) if len(parts) == 3 else None
        if debut is None or (len(parts) == 3 and fin is None):
            errors.add(line, "exonerations", f"{where} : date invalide : écrivez-la jj/mm/aaaa ou aaaa-mm-jj.")
            continue
        if fin is not None and fin < debut:
            errors.add(line, "exonerations", f"{where} : la fin ({french(fin)}) précède le début ({french(debut)}).")
            continue
        if birth is not None and debut < birth:
            errors.add(line, "exonerations",
                       f"{where} : le début ({french(debut)}) précède la naissance ({french(birth)}).")
            continue
        row = ExonerationRow(int(parts[0]), debut, fin)
        if any(other.nature == row.nature and other.debut == row.debut for other in found):
            errors.add(line, "exonerations", f"{where} : en double (même nature, même début).")
            continue
        found.append(row)
    return tuple(found)


def check_row(line: int, cells: dict[str, str], natures: Collection[int], today: date,
              errors: Errors) -> MemberRow | None:
    """One row's fields, each checked; every error is added; the row when it has none."""
    before = errors.total
    matricule = cells["matricule"]
    if not _MATRICULE.match(matricule):
        errors.add(line, "matricule", f"« {excerpt(matricule)} » : le matricule compte 6 chiffres.")
    code_fse = cells["code_fse"].upper()
    if not _CODE_FSE.match(code_fse):
        errors.add(line, "code_fse", f"« {excerpt(cells['code_fse'])} » : le code FSE compte 4 lettres ou chiffres.")
    caisse = cells["caisse"].upper()
    if caisse not in CAISSES:
        errors.add(line, "caisse", f"caisse inconnue « {excerpt(cells['caisse'])} » : {', '.join(CAISSES)}.")
    couleur = cells["couleur"].lower()
    if couleur not in COULEURS:
        errors.add(line, "couleur", f"couleur inconnue « {excerpt(cells['couleur'])} » : {', '.join(COULEURS)}.")
    rang_text = cells["rang"]
    rang = int(rang_text) if rang_text.isascii() and rang_text.isdigit() else 0
    if not 1 <= rang <= MAX_RANG:
        errors.add(line, "rang", f"rang invalide « {excerpt(rang_text)} » : un nombre de 1 à {MAX_RANG}.")
    qualite = _QUALITE_WORDS.get(cells["qualite"].lower())
    if qualite is None:
        errors.add(line, "qualite", f"qualité inconnue « {excerpt(cells['qualite'])} » : {', '.join(QUALITES)}.")
    nom = _name(cells, "nom", line, errors)
    prenom = _name(cells, "prenom", line, errors)
    birth = _date(cells, "date_naissance", line, errors)
    if birth is not None and not OLDEST_BIRTH <= birth <= today:
        errors.add(line, "date_naissance", f"date de naissance impossible ({french(birth)}).")
        birth = None
    debut = _date(cells, "droits_debut", line, errors)
    fin = _date(cells, "droits_fin", line, errors, required=False)
    if debut is not None and birth is not None and debut < birth:
        errors.add(line, "droits_debut",
                   f"les droits ({french(debut)}) commencent avant la naissance ({french(birth)}).")
    if debut is not None and fin is not None and fin < debut:
        errors.add(line, "droits_fin", f"la fin des droits ({french(fin)}) précède leur début ({french(debut)}).")
    exonerations = parse_exonerations(cells["exonerations"], line, errors, natures, birth)
    if errors.total != before:
        return None
    return MemberRow(line, matricule, code_fse, caisse, couleur, rang, qualite, nom, prenom,  # type: ignore[arg-type]
                     birth, debut, fin, exonerations)  # type: ignore[arg-type]


def check_households(rows: Iterable[MemberRow], incomplete: Collection[str] = ()) -> Errors:
    """Each household as a whole: its rows agree on code FSE, caisse and colour, rangs are unique,
    exactly one assuré at rang 1. `incomplete`: matricules with a refused row, whose missing
    assuré may only be that row (not reported twice)."""
    errors = Errors(limit=2**62)  # all kept, sorted, then trimmed by Errors.merge
    first: dict[str, MemberRow] = {}
    seen: dict[tuple[str, int], int] = {}
    has_insured: set[str] = set()
    for row in rows:
        head = first.setdefault(row.matricule, row)
        for column, attribute, words in (("code_fse", "code_fse", "le code FSE"), ("caisse", "caisse", "la caisse"),
                                         ("couleur", "couleur", "la couleur")):
            if getattr(row, attribute) != getattr(head, attribute):
                errors.add(row.line, column,
                           f"« {getattr(row, attribute)} » diffère de {words} du foyer {row.matricule} "
                           f"(« {getattr(head, attribute)} », ligne {head.line}) : les lignes d'un foyer "
                           "partagent le code FSE, la caisse et la couleur.")
        earlier = seen.setdefault((row.matricule, row.rang), row.line)
        if earlier != row.line:
            errors.add(row.line, "rang", f"le rang {row.rang} du foyer {row.matricule} figure déjà ligne {earlier}.")
        if row.rang == 1 and row.qualite != "assure":
            errors.add(row.line, "qualite", "le rang 1 est l'assuré : qualité « assure ».")
        elif row.rang != 1 and row.qualite == "assure":
            errors.add(row.line, "qualite", "un seul assuré par foyer, au rang 1 : à partir du rang 2, "
                                            "qualité « conjoint » ou « enfant ».")
        if row.rang == 1:
            has_insured.add(row.matricule)
    for matricule, head in first.items():
        if matricule not in has_insured and matricule not in incomplete:
            errors.add(head.line, "rang", f"le foyer {matricule} n'a pas d'assuré : chaque foyer du fichier "
                                          "comprend sa ligne de rang 1 (qualité « assure »).")
    errors.kept.sort(key=RowError.sort_key)
    return errors


def _unreadable(error: csv.Error) -> str:
    if "field limit" in str(error):
        return f"ligne illisible : une cellule dépasse {csv.field_size_limit():,} caractères.".replace(",", "\u00a0")
    return "ligne illisible : guillemet non fermé ou mal placé (une cellule entre guillemets les double : \"\")."


def read_registre(text: str, natures: Collection[int], today: date,
                  progress: Callable[[int], None] | None = None) -> Parsed:
    """Read and check the whole file; `progress(n)` is told every PROGRESS_EVERY data lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    errors = Errors()
    try:
        header = next(reader)
    except StopIteration:
        errors.add(1, None, "fichier vide : la première ligne est l'en-tête " + ";".join(COLUMNS) + ".")
        return Parsed([], 0, errors)
    except csv.Error as exc:
        errors.add(1, None, _unreadable(exc))
        return Parsed([], 0, errors)
    positions, problem = check_header(header)
    if positions is None:
        errors.add(1, None, problem or "en-tête invalide.")
        return Parsed([], 0, errors)
    width = len(header)
    rows: list[MemberRow] = []
    incomplete: set[str] = set()
    lines = pending = 0
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines += 1
            errors.add(start, None, _unreadable(exc))
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not cells or all(not cell.strip() for cell in cells):
            continue  # a blank line
        lines += 1
        pending += 1
        if pending == PROGRESS_EVERY and progress is not None:
            progress(pending)
            pending = 0
        if len(cells) != width:
            errors.add(line, None, f"la ligne compte {len(cells)} colonnes au lieu de {width} (séparateur « ; »).")
            continue
        values = {name: cells[index].strip() for name, index in positions.items()}
        row = check_row(line, values, natures, today, errors)
        if row is None:
            incomplete.add(values["matricule"])
        else:
            rows.append(row)
    if progress is not None and pending:
        progress(pending)
    if lines == 0:
        errors.add(2, None, "le fichier ne contient aucune ligne après l'en-tête.")
    errors.merge(check_households(rows, incomplete))
    return Parsed(rows, lines, errors)

"""Importing the households CSV: the whole file is read and checked first (app/domain/registre.py);
one refused row and nothing is written. Otherwise, in the caller's transaction:

- households are matched by matricule: created, updated (code FSE, caisse, colour) or unchanged;
- members by (household, rang): created, updated (quality, names, dates, exonerations) or unchanged;
- a member's exonerations are replaced by the file's list when the two differ.

Households and members absent from the file are kept: the file may be a partial update, and FSE
refer to them (a member's rights end with droits_fin, never by deletion).

Fast on purpose (100,000 members in seconds): existing rows are read in bulk into dicts, new rows are
inserted with Core executemany (`insert(table)` with a list), and only the rows that changed are
updated, by executemany too; no ORM object per row. The caller records the audit row and commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from app.domain import registre as rules
from app.domain.calendar import today_in_monaco
from app.models import Beneficiaire, Exoneration, Foyer, NatureEtm

CHUNK = 5000  # rows per IN list and per executemany: well under SQLite's 32,766 parameters
# Natures of the reference that are no exoneration: « sans objet » and « valeur inconnue ».
NOT_AN_EXONERATION = frozenset({0, 99})

_F, _B, _E = Foyer.__table__, Beneficiaire.__table__, Exoneration.__table__
_MEMBER_FIELDS = ("qualite", "nom", "prenom", "date_naissance", "droits_debut", "droits_fin")

Progress = Callable[[int], None] | None


@dataclass
class Counts:
    crees: int = 0
    modifies: int = 0
    inchanges: int = 0

    def words(self) -> str:
        return f"{self.crees} créés, {self.modifies} modifiés, {self.inchanges} inchangés"


@dataclass
class RegistreReport:
    """What an import did, or why it was refused (errors: the first ones, `error_total` in all)."""

    fichier: str
    sha256: str
    lignes: int = 0
    foyers: Counts = field(default_factory=Counts)
    membres: Counts = field(default_factory=Counts)
    exonerations_remplacees: int = 0
    errors: list[rules.RowError] = field(default_factory=list)
    error_total: int = 0

    @property
    def refused(self) -> bool:
        return self.error_total > 0

    @property
    def more_errors(self) -> int:
        return self.error_total - len(self.errors)

    @property
    def changed(self) -> bool:
        return bool(self.foyers.crees or self.foyers.modifies or self.membres.crees or self.membres.modifies)

    @property
    def refused_lines(self) -> list[int]:
        return sorted({error.line for error in self.errors})

    def summary(self) -> str:
        """The audit row's details: the file, its fingerprint and the counts (or the refusal)."""
        head = f"{rules.excerpt(self.fichier, 80)} (sha256 {self.sha256}) : {self.lignes} lignes"
        if self.refused:
            lines = ", ".join(str(line) for line in self.refused_lines[:20])
            return f"{head} ; refusé : {self.error_total} erreur(s), lignes {lines}"
        return (f"{head} ; foyers : {self.foyers.words()} ; membres : {self.membres.words()} ; "
                f"exonérations remplacées : {self.exonerations_remplacees}")


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def known_natures(session: Session) -> set[int]:
    """The natures of exoneration a file may name: the ETM reference's, less the non-exonerations."""
    return set(session.scalars(select(NatureEtm.code))) - NOT_AN_EXONERATION


def check_file(session: Session, data: bytes, fichier: str, today: date | None = None,
               progress: Progress = None) -> tuple[rules.Parsed, RegistreReport]:
    """Read and check the file; nothing is written. The report lists the errors, if any."""
    report = RegistreReport(fichier=fichier, sha256=sha256_of(data))
    try:
        text = rules.decode(data)
    except rules.FileError as exc:
        errors = rules.Errors()
        errors.add(exc.line, None, exc.message)
        parsed = rules.Parsed([], 0, errors)
    else:
        parsed = rules.read_registre(text, known_natures(session), today or today_in_monaco(), progress)
    report.lignes = parsed.lines
    report.errors, report.error_total = list(parsed.errors.kept), parsed.errors.total
    return parsed, report


def import_registre(session: Session, data: bytes, fichier: str, today: date | None = None,
                    progress_check: Progress = None, progress_write: Progress = None) -> RegistreReport:
    """Check the whole file, then write it unless a row is refused; the caller audits and commits."""
    parsed, report = check_file(session, data, fichier, today, progress_check)
    if not report.refused:
        write_rows(session, parsed.rows, report, progress_write)
    return report


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _etm_key(item: tuple[int, date, date | None]) -> tuple[int, date, date]:
    return item[0], item[1], item[2] or date.max


def _same_exonerations(stored: list[tuple[int, date, date | None]], row: rules.MemberRow) -> bool:
    return sorted(stored, key=_etm_key) == sorted(((e.nature, e.debut, e.fin) for e in row.exonerations), key=_etm_key)


def write_rows(session: Session, rows: list[rules.MemberRow], report: RegistreReport,
               progress: Progress = None) -> None:
    """Upsert the checked rows: households first, then members and their exonerations by chunks."""
    foyer_ids = _write_households(session, rows, report)
    for chunk in _chunks(rows):
        _write_members(session, chunk, foyer_ids, report)
        if progress is not None:
            progress(len(chunk))


def _write_households(session: Session, rows: list[rules.MemberRow], report: RegistreReport) -> dict[str, int]:
    wanted: dict[str, tuple[str, str, str]] = {}
    for row in rows:
        wanted.setdefault(row.matricule, (row.code_fse, row.caisse, row.couleur))
    existing: dict[str, Any] = {}
    for chunk in _chunks(list(wanted)):
        for found in session.execute(select(_F.c.id, _F.c.matricule, _F.c.code_fse, _F.c.caisse, _F.c.couleur_carte)
                                     .where(_F.c.matricule.in_(chunk))):
            existing[found.matricule] = found
    ids = {matricule: found.id for matricule, found in existing.items()}
    new, changed = [], []
    for matricule, (code_fse, caisse, couleur) in wanted.items():
        found = existing.get(matricule)
        if found is None:
            new.append({"matricule": matricule, "code_fse": code_fse, "caisse": caisse, "couleur_carte": couleur})
        elif (found.code_fse, found.caisse, found.couleur_carte) != (code_fse, caisse, couleur):
            changed.append({"b_id": found.id, "b_code_fse": code_fse, "b_caisse": caisse, "b_couleur": couleur})
    for chunk in _chunks(new):
        for created in session.execute(insert(_F).returning(_F.c.id, _F.c.matricule), list(chunk)):
            ids[created.matricule] = created.id
    statement = (update(_F).where(_F.c.id == bindparam("b_id"))
                 .values(code_fse=bindparam("b_code_fse"), caisse=bindparam("b_caisse"),
                         couleur_carte=bindparam("b_couleur")))
    for chunk in _chunks(changed):
        session.execute(statement, list(chunk))
    report.foyers = Counts(len(new), len(changed), len(wanted) - len(new) - len(changed))
    return ids


def _write_members(session: Session, rows: Sequence[rules.MemberRow], foyer_ids: dict[str, int],
                   report: RegistreReport) -> None:
    households = list({foyer_ids[row.matricule] for row in rows})
    existing: dict[tuple[int, int], Any] = {
        (found.foyer_id, found.rang): found
        for found in session.execute(select(_B.c.id, _B.c.foyer_id, _B.c.rang, *(_B.c[name] for name in _MEMBER_FIELDS))
                                     .where(_B.c.foyer_id.in_(households)))}
    etm: dict[int, list[tuple[int, date, date | None]]] = {}
    if existing:
        for found in session.execute(select(_E.c.beneficiaire_id, _E.c.nature_code, _E.c.date_debut, _E.c.date_fin)
                                     .join(_B, _B.c.id == _E.c.beneficiaire_id).where(_B.c.foyer_id.in_(households))):
            etm.setdefault(found.beneficiaire_id, []).append((found.nature_code, found.date_debut, found.date_fin))
    new, new_rows, changed, replaced, replaced_rows = [], [], [], [], []
    for row in rows:
        foyer_id = foyer_ids[row.matricule]
        values = {name: getattr(row, name) for name in _MEMBER_FIELDS}
        found = existing.get((foyer_id, row.rang))
        if found is None:
            new.append({"foyer_id": foyer_id, "rang": row.rang, **values})
            new_rows.append(row)
            continue
        fields_differ = any(getattr(found, name) != value for name, value in values.items())
        etm_differ = not _same_exonerations(etm.get(found.id, []), row)
        if fields_differ:
            changed.append({"b_id": found.id, **{f"b_{name}": value for name, value in values.items()}})
        if etm_differ:
            replaced.append(found.id)
            replaced_rows.append((found.id, row))
        if fields_differ or etm_differ:
            report.membres.modifies += 1
        else:
            report.membres.inchanges += 1
    exonerations = []
    if new:
        created = {(r.foyer_id, r.rang): r.id
                   for r in session.execute(insert(_B).returning(_B.c.id, _B.c.foyer_id, _B.c.rang), new)}
        for row in new_rows:
            member_id = created[(foyer_ids[row.matricule], row.rang)]
            exonerations.extend(_etm_values(member_id, row))
        report.membres.crees += len(new)
    if changed:
        session.execute(update(_B).where(_B.c.id == bindparam("b_id"))
                        .values(**{name: bindparam(f"b_{name}") for name in _MEMBER_FIELDS}), changed)
    if replaced:
        session.execute(delete(_E).where(_E.c.beneficiaire_id.in_(replaced)))
        for member_id, row in replaced_rows:
            exonerations.extend(_etm_values(member_id, row))
        report.exonerations_remplacees += len(replaced)
    if exonerations:
        session.execute(insert(_E), exonerations)


def _etm_values(member_id: int, row: rules.MemberRow) -> list[dict[str, Any]]:
    return [{"beneficiaire_id": member_id, "nature_code": e.nature, "date_debut": e.debut, "date_fin": e.fin}
            for e in row.exonerations]

"""« Exporter »: the filtered history as CSV for a French Excel (UTF-8 with BOM, `;`, decimal comma,
dates jj/mm/aaaa), streamed in chunks of rows so that 50,000 FSE export in constant memory."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from app.domain.calendar import MONACO
from app.domain.money import plain_decimal
from app.extensions import db
from app.history.services import (HistoryFilters, base_conditions, keyset_after, selection_ids, selection_totals,
                                  status_label)
from app.models import Fse, LigneFse

CHUNK = 1000
KEPT_IDS = 5000  # a selection's ids kept in the process up to this many (40 KB)
HEADER = ("Date des soins", "Référence", "Transmise le", "Caisse", "Matricule", "Patient", "Actes", "Base",
          "Facturé", "Dépassement", "Part caisse", "Part patient", "HNP/RDD", "Statut", "Saisie par")
_COLUMNS = (Fse.id, Fse.date_soins, Fse.accuse_reception, Fse.transmise_le, Fse.caisse, Fse.matricule,
            Fse.patient_nom, Fse.patient_prenom, Fse.total_base, Fse.total_facture, Fse.depassement,
            Fse.part_caisse, Fse.part_patient, Fse.hnp, Fse.statut, Fse.transmise_par_id)
# A spreadsheet runs a cell that starts with these as a formula (SECURITY.md 19).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """A text cell a spreadsheet will show as text, never run as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def amount(value: Decimal | None) -> str:
    """1234,56: a decimal comma and no thousands separator, so that Excel reads a number."""
    return plain_decimal(value)


def day(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(MONACO).date()
    return value.strftime("%d/%m/%Y") if value else ""


def export_count(praticien_id: int, filters: HistoryFilters, at: datetime, praticien=None) -> int:
    """How many FSE the export will hold (for the audit row): the selection's totals, those the
    history page has just shown for it (kept, app/history/cache.py)."""
    return selection_totals(praticien_id, filters, at, praticien).nombre


def export_ids(praticien_id: int, filters: HistoryFilters, at: datetime, count: int,
               praticien=None) -> list[int] | None:
    """The ids of a selection of at most KEPT_IDS FSE (a patient, a month: the usual exports), kept
    with the history's totals; None for a larger one, read chunk by chunk instead."""
    if praticien is None or count > KEPT_IDS:
        return None
    return selection_ids(praticien_id, filters, at, praticien)


def csv_rows(praticien_id: int, filters: HistoryFilters, at: datetime, names: dict[int, str],
             hnp_word: str, ids: list[int] | None = None) -> Iterator[str]:
    """The CSV text, a chunk at a time: BOM and header, then CHUNK FSE per query with their acts
    fetched in one query per chunk: by their ids when the selection's are known (`export_ids`),
    else by keyset on the list's order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    yield "\ufeff" + _drain(buffer)
    if ids is not None:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start:start + CHUNK]
            found = {row.id: row for row in db.session.execute(
                select(*_COLUMNS).where(Fse.id.in_(chunk), Fse.praticien_id == praticien_id))}
            rows = [found[i] for i in chunk if i in found]
            acts = _acts_of([row.id for row in rows])
            for row in rows:
                writer.writerow(_line(row, acts.get(row.id, ""), names, hnp_word))
            yield _drain(buffer)
        return
    conditions = base_conditions(praticien_id, filters, at)
    last = None
    while True:
        query = select(*_COLUMNS).where(*conditions)
        if last is not None:
            query = query.where(keyset_after(last))
        rows = db.session.execute(query.order_by(Fse.transmise_le.desc(), Fse.id.desc()).limit(CHUNK)).all()
        if not rows:
            return
        acts = _acts_of([row.id for row in rows])
        for row in rows:
            writer.writerow(_line(row, acts.get(row.id, ""), names, hnp_word))
        yield _drain(buffer)
        last = (rows[-1].transmise_le, rows[-1].id)
        # The chunk's rows are plain tuples, not tracked objects: nothing accumulates in the session.


def _acts_of(fse_ids: list[int]) -> dict[int, str]:
    acts: dict[int, list[str]] = {}
    for fse_id, detail in db.session.execute(
            select(LigneFse.fse_id, LigneFse.detail).where(LigneFse.fse_id.in_(fse_ids))
            .order_by(LigneFse.fse_id, LigneFse.rang)):
        acts.setdefault(fse_id, []).append(detail)
    return {fse_id: " + ".join(details) for fse_id, details in acts.items()}


def _line(row, acts: str, names: dict[int, str], hnp_word: str) -> list[str]:
    text = [row.accuse_reception or "", row.caisse or "", row.matricule or "",
            f"{row.patient_nom or ''} {row.patient_prenom or ''}".strip(), acts]
    reference, caisse, matricule, patient, actes = (neutralise(value) for value in text)
    return [day(row.date_soins), reference, day(row.transmise_le), caisse, matricule, patient, actes,
            amount(row.total_base), amount(row.total_facture), amount(row.depassement), amount(row.part_caisse),
            amount(row.part_patient), hnp_word if row.hnp else "", status_label(row.statut),
            neutralise(names.get(row.transmise_par_id, ""))]


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text

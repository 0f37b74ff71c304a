"""Each form's history: the documents of one kind a practice transmitted, newest first, filtered by
the day of transmission (Monaco days) and the patient, 25 a page.

Every query holds the praticien, the kind and the transmitted statuses, ordered by `transmis_le`:
the index `ix_formulaire_historique` (praticien_id, type, transmis_le) serves it. Nothing here reads
the medical elements: a history never shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from math import ceil

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.domain.calendar import utc_bounds
from app.domain.text import fold
from app.extensions import db
from app.models import Formulaire

PAGE_SIZE = 25
PATIENT_MAX = 80  # the filter form's limit


@dataclass(frozen=True)
class FormHistoryFilters:
    """The period of transmission (Monaco days, both included) and the patient searched for."""

    du: date | None = None
    au: date | None = None
    patient: str = ""

    def to_json(self) -> dict:
        """A JSON-able form, for the filter state kept in the session (app/web/filter_state.py)."""
        return {"du": self.du.isoformat() if self.du else None, "au": self.au.isoformat() if self.au else None,
                "patient": self.patient}

    @classmethod
    def from_json(cls, data: dict) -> FormHistoryFilters:
        """Back from `to_json`; anything malformed gives no filter rather than an error."""
        try:
            du = date.fromisoformat(data["du"]) if data.get("du") else None
            au = date.fromisoformat(data["au"]) if data.get("au") else None
            patient = data.get("patient") or ""
            if not isinstance(patient, str) or len(patient) > PATIENT_MAX or (du and au and au < du):
                return cls()
            return cls(du=du, au=au, patient=patient.strip())
        except (AttributeError, KeyError, TypeError, ValueError):
            return cls()

    @property
    def active(self) -> bool:
        return self != FormHistoryFilters()


@dataclass(frozen=True)
class FormHistoryPage:
    """One page of a kind's history and where it stands in the whole selection."""

    rows: list[Formulaire]
    total: int
    page: int
    pages: int


def conditions(praticien_id: int, kind: str, filters: FormHistoryFilters) -> list:
    """The WHERE of a kind's history: this practice, this kind, transmitted, and the filters."""
    where = [Formulaire.praticien_id == praticien_id, Formulaire.type == kind, Formulaire.statut != "brouillon"]
    start, end = utc_bounds(filters.du, filters.au)
    if start is not None:
        where.append(Formulaire.transmis_le >= start)
    if end is not None:
        where.append(Formulaire.transmis_le < end)
    search = filters.patient.strip()
    if search.replace(" ", "").isdigit():
        where.append(Formulaire.matricule.startswith(search.replace(" ", ""), autoescape=True))
    elif search:
        # Every word somewhere in the folded « nom prénom »: « helene bellando » finds « BELLANDO Hélène ».
        where.extend(Formulaire.patient_recherche.contains(word, autoescape=True) for word in fold(search).split())
    return where


def history_page(praticien_id: int, kind: str, filters: FormHistoryFilters, page: int = 1) -> FormHistoryPage:
    """The page asked for (brought back within the pages there are), with who sent each document."""
    where = conditions(praticien_id, kind, filters)
    total = db.session.scalar(select(func.count(Formulaire.id)).where(*where)) or 0
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(db.session.scalars(
        select(Formulaire).where(*where).options(selectinload(Formulaire.compte))
        .order_by(Formulaire.transmis_le.desc(), Formulaire.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return FormHistoryPage(rows=rows, total=total, page=page, pages=pages)


def latest_documents(praticien_id: int, kind: str, limit: int = 5) -> list[Formulaire]:
    """The last documents of this kind the practice transmitted, newest first."""
    return list(db.session.scalars(
        select(Formulaire).where(Formulaire.praticien_id == praticien_id, Formulaire.type == kind,
                                 Formulaire.statut != "brouillon")
        .order_by(Formulaire.transmis_le.desc(), Formulaire.id.desc()).limit(limit)))

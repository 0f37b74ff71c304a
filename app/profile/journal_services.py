"""The « Journal d'activité »: the audit rows of a praticien's account and his assistants', filtered,
paginated and put into words (one query for the page's rows, one count, one for the accounts, one
for the references of the page's FSE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from math import ceil

from flask import current_app, url_for
from sqlalchemy import false, func, or_, select

from app.domain import audit_labels as labels
from app.domain.calendar import MONACO, utc_bounds
from app.domain.user_agent import describe_user_agent
from app.extensions import db
from app.models import Compte, Fse, JournalAudit

PAGE_SIZE = 50
FSE_DETAIL_ENDPOINT = "history.detail"
DRAFT_LABEL = "FSE en cours"
_COLUMNS = (JournalAudit.numero, JournalAudit.horodatage, JournalAudit.compte_id, JournalAudit.action,
            JournalAudit.objet_type, JournalAudit.objet_id, JournalAudit.resultat, JournalAudit.ip,
            JournalAudit.user_agent, JournalAudit.details)


@dataclass(frozen=True)
class JournalFilters:
    """What the praticien asked for: one of his accounts, an action group, a period of Monaco days."""

    compte_id: int | None = None
    groupe: str | None = None
    du: date | None = None
    au: date | None = None

    @classmethod
    def from_form(cls, form) -> JournalFilters:
        """The filters of a validated JournalFilterForm."""
        return cls(compte_id=int(form.personne.data) if form.personne.data else None,
                   groupe=form.groupe.data or None, du=form.du.data, au=form.au.data)

    def query_args(self) -> dict[str, str]:
        """The filters as the page's query string (kept by the pagination links)."""
        values = {"personne": self.compte_id and str(self.compte_id), "groupe": self.groupe,
                  "du": self.du and self.du.isoformat(), "au": self.au and self.au.isoformat()}
        return {key: value for key, value in values.items() if value}


@dataclass(frozen=True)
class JournalEntry:
    """One line of the journal, in words."""

    numero: int
    horodatage: datetime
    quand: str
    personne: str
    libelle: str
    objet: str | None
    objet_url: str | None
    detail: str | None
    ip: str
    appareil: str
    resultat: str
    resultat_libelle: str


@dataclass(frozen=True)
class JournalPage:
    """A page of the journal and where it stands among the rows the filters select."""

    entries: list[JournalEntry]
    total: int
    page: int
    pages: int


def _conditions(praticien_id: int, filters: JournalFilters) -> list:
    """The WHERE of both queries: always the praticien's own rows, then the filters."""
    conditions = [JournalAudit.praticien_id == praticien_id]
    if filters.compte_id is not None:
        conditions.append(JournalAudit.compte_id == filters.compte_id)
    if filters.groupe:
        families = labels.group_families(filters.groupe)
        conditions.append(or_(*(or_(JournalAudit.action == fam,
                                    JournalAudit.action.startswith(f"{fam}.", autoescape=True))
                                for fam in families)) if families else false())
    start, end = utc_bounds(filters.du, filters.au)
    if start is not None:
        conditions.append(JournalAudit.horodatage >= start)
    if end is not None:
        conditions.append(JournalAudit.horodatage < end)
    return conditions


def journal_page(praticien_id: int, own_id: int, accounts: list[Compte], filters: JournalFilters,
                 page: int = 1) -> JournalPage:
    """The page asked for (kept within the existing pages), newest first."""
    conditions = _conditions(praticien_id, filters)
    total = db.session.scalar(select(func.count()).select_from(JournalAudit).where(*conditions)) or 0
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(*_COLUMNS).where(*conditions).order_by(JournalAudit.numero.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)
    ).all() if total else []
    names = {compte.id: compte.nom_complet for compte in accounts if compte.praticien_id == praticien_id}
    references = _fse_references(praticien_id, rows)
    detail_url = _fse_detail_url()
    return JournalPage([_entry(row, own_id, names, references, detail_url) for row in rows], total, page, pages)


def _fse_references(praticien_id: int, rows) -> dict[int, str | None]:
    """The accusé de réception of the page's FSE (None for a draft), in one query; only the
    praticien's own FSE: an id he does not own stays unnamed."""
    ids = {_int(row.objet_id) for row in rows if row.objet_type == "fse"} - {None}
    if not ids:
        return {}
    return dict(db.session.execute(select(Fse.id, Fse.accuse_reception)
                                   .where(Fse.id.in_(ids), Fse.praticien_id == praticien_id)).all())


def _fse_object(row, references: dict[int, str | None], detail_url) -> tuple[str | None, str | None]:
    """An FSE named as the history and the décompte name it, by its accusé de réception, with a
    link to its page; a draft (« Réinitialiser » acts on one) has no number worth showing."""
    if row.action == "fse.reinitialisation":
        return None, None  # its label already says « FSE en cours »; the row's id is a draft's
    fse_id = _int(row.objet_id)
    if fse_id not in references:
        return None, None  # unknown or another praticien's: nothing to name
    reference = references[fse_id]
    if reference is None:
        return DRAFT_LABEL, None
    return reference, detail_url(fse_id) if detail_url else None


def _entry(row, own_id: int, names: dict[int, str], references: dict[int, str | None], detail_url) -> JournalEntry:
    if row.compte_id == own_id:
        personne = "vous"
    elif row.compte_id is None:
        personne = labels.actor_without_account(row.action)
    else:
        # Only the practice's own accounts are named; anything else stays anonymous (a caisse
        # agent's action on the practice is « la caisse »).
        personne = names.get(row.compte_id, "la caisse" if labels.family(row.action) == "caisse" else "—")
    # The caisse's own staff are not shown to the practice: neither named nor placed (address, browser).
    staff = row.compte_id is not None and row.compte_id not in names
    objet, objet_url = labels.object_label(row.objet_type, row.objet_id), None
    if row.objet_type == "compte" and row.compte_id != _int(row.objet_id):
        objet = names.get(_int(row.objet_id))
    elif row.objet_type == "fse":
        objet, objet_url = _fse_object(row, references, detail_url)
    return JournalEntry(
        numero=row.numero, horodatage=row.horodatage,
        quand=row.horodatage.astimezone(MONACO).strftime("%d/%m/%Y %H:%M:%S"),
        personne=personne, libelle=labels.action_label(row.action, row.resultat), objet=objet,
        objet_url=objet_url, detail=labels.safe_detail(row.details), ip="—" if staff else row.ip or "—",
        appareil="—" if staff else describe_user_agent(row.user_agent), resultat=row.resultat,
        resultat_libelle=labels.result_label(row.resultat),
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _fse_detail_url():
    """A builder of the history's FSE detail URL, when that page exists in this app."""
    if FSE_DETAIL_ENDPOINT not in current_app.view_functions:
        return None
    rule = next(current_app.url_map.iter_rules(FSE_DETAIL_ENDPOINT))
    if len(rule.arguments) != 1:
        return None
    argument = next(iter(rule.arguments))
    return lambda fse_id: url_for(FSE_DETAIL_ENDPOINT, **{argument: fse_id})

"""« Historique FSE »: the praticien's transmitted FSE of the last 12 months (contract article 2), the
filters, one aggregate for the totals, one for the month chart, and the deletion before 22:00.

Every query starts from `base_conditions`, which always holds the praticien, the transmitted statuses
and the 12-month window on `transmise_le`: the index `ix_fse_praticien_transmise` serves them all.

The sums and the chart add up only the FSE whose money stands (`counted_statuses`): a deleted or
rejected FSE is listed and counted apart, never billed; unless the status filter asks for exactly
the deleted (or rejected) ones, whose own amounts are then shown, labelled so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta
from decimal import Decimal
from math import ceil

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import selectinload

from app.history.cache import kept, touch
from app.audit.services import record
from app.domain.calendar import MONACO, today_in_monaco, utc_bounds
from app.domain.lifecycle import (LIBELLES, PAYEE, REJETEE, STATUTS_TRANSMIS, SUPPRIMEE, TRANSMISE, can_transition,
                                  deletion_refusal)
from app.domain.text import fold
from app.extensions import db
from app.models import Fse
from app.models.types import utcnow

PAGE_SIZE = 50
CAISSES = ("CCSS", "CAMTI", "SPME")
ZERO = Decimal("0.00")
# The statuses whose money stands; the others are listed but were never due (deleted) or paid (rejected).
COUNTED = (TRANSMISE, PAYEE)
NOT_COUNTED = (SUPPRIMEE, REJETEE)


def now() -> datetime:
    """The current instant; tests replace this function to freeze the clock (22:00 rule)."""
    return utcnow()


class HistoryError(Exception):
    """An action refused, with its reason in French and the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class HistoryFilters:
    """What the person asked for; empty values select everything of the 12 months."""

    du: date | None = None
    au: date | None = None
    patient: str = ""
    caisse: str = ""
    statut: str = ""
    hnp: str = ""  # "oui", "non" or "" (tous)
    montant_min: Decimal | None = None
    montant_max: Decimal | None = None
    compte_id: int | None = None

    def to_json(self) -> dict:
        """A JSON-able form, for the server-side filter state."""
        data = asdict(self)
        for name in ("du", "au"):
            data[name] = data[name].isoformat() if data[name] else None
        for name in ("montant_min", "montant_max"):
            data[name] = str(data[name]) if data[name] is not None else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> HistoryFilters:
        """Back from `to_json`; anything malformed gives no filter rather than an error."""
        try:
            return cls(
                du=date.fromisoformat(data["du"]) if data.get("du") else None,
                au=date.fromisoformat(data["au"]) if data.get("au") else None,
                patient=str(data.get("patient") or "")[:80], caisse=str(data.get("caisse") or ""),
                statut=str(data.get("statut") or ""), hnp=str(data.get("hnp") or ""),
                montant_min=Decimal(data["montant_min"]) if data.get("montant_min") else None,
                montant_max=Decimal(data["montant_max"]) if data.get("montant_max") else None,
                compte_id=int(data["compte_id"]) if data.get("compte_id") else None,
            )
        except (KeyError, TypeError, ValueError, ArithmeticError):
            return cls()

    @property
    def active(self) -> bool:
        return self != HistoryFilters()


@dataclass(frozen=True)
class Totals:
    """Count of what the filters select, how many of them are deleted or rejected, and the sums of
    those counted (`counted_statuses`)."""

    nombre: int = 0
    supprimees: int = 0
    rejetees: int = 0
    base: Decimal = ZERO
    facture: Decimal = ZERO
    depassement: Decimal = ZERO
    part_caisse: Decimal = ZERO
    part_patient: Decimal = ZERO


@dataclass
class HistoryPage:
    """One page of the list, the totals of the whole selection and where the page stands.

    The page's FSE (`rows`, with their acts) are read when the template first asks for them: a page
    whose table is kept (`key`, templates/history/_results.html, app/web/fragments.py) reads none."""

    ids: list[int]
    totals: Totals
    page: int
    pages: int
    names: dict[int, str] = field(default_factory=dict)
    praticien_id: int | None = None
    # What the table is drawn from: this state of the praticien's FSE (his history's token), the
    # filters, the page, the day and the names of who entered them; None when his history has no
    # token yet (then nothing is kept).
    key: tuple | None = None

    @cached_property
    def rows(self) -> list[Fse]:
        if not self.ids:
            return []
        found = {fse.id: fse for fse in db.session.scalars(
            select(Fse).where(Fse.id.in_(self.ids), Fse.praticien_id == self.praticien_id)
            .options(selectinload(Fse.lignes)))}
        return [found[i] for i in self.ids if i in found]


def twelve_months_before(day: date) -> date:
    """The same day twelve months earlier (29 February gives the 28th)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def window(at: datetime) -> tuple[date, date]:
    """The Monaco days the history covers at an instant: from the same day 12 months ago to today."""
    today = today_in_monaco(at)
    return twelve_months_before(today), today


def period(filters: HistoryFilters, at: datetime) -> tuple[date, date]:
    """The filters' period clamped to the 12 months (an empty side takes the window's)."""
    first, today = window(at)
    du = max(filters.du or first, first)
    au = min(filters.au or today, today)
    return du, au


def period_notice(filters: HistoryFilters, at: datetime) -> str | None:
    """One line when the period asked for reaches before the 12 months (it is clamped), else None."""
    first, _ = window(at)
    if filters.au and filters.au < first:
        # Stored filters the sliding window has left behind (a session spanning midnight).
        return f"Seuls les 12 derniers mois sont consultables (depuis le {first:%d/%m/%Y})."
    if filters.du and filters.du < first:
        return f"Période ramenée au {first:%d/%m/%Y} : seuls les 12 derniers mois sont consultables."
    return None


def counted_statuses(filters: HistoryFilters) -> tuple[str, ...]:
    """The statuses the sums and the chart add up: those whose money stands, or exactly the deleted
    (rejected) ones when the status filter selects them."""
    return (filters.statut,) if filters.statut in NOT_COUNTED else COUNTED


def status_words(statut: str, nombre: int) -> str:
    """« supprimées », « payée »: the status after a count."""
    word = LIBELLES.get(statut, statut).lower()
    return f"{word}s" if nombre > 1 else word


def base_conditions(praticien_id: int, filters: HistoryFilters, at: datetime) -> list:
    """The WHERE shared by the list, the totals, the chart and the export."""
    start, end = utc_bounds(*period(filters, at))
    conditions = [Fse.praticien_id == praticien_id, Fse.transmise_le >= start, Fse.transmise_le < end,
                  Fse.statut.in_(STATUTS_TRANSMIS)]
    search = filters.patient.strip()
    if search.replace(" ", "").isdigit():
        conditions.append(Fse.matricule.startswith(search.replace(" ", ""), autoescape=True))
    elif search:
        # Every word somewhere in the folded « nom prénom »: « marc bellando » finds « BELLANDO Marc ».
        conditions.extend(Fse.patient_recherche.contains(word, autoescape=True) for word in fold(search).split())
    if filters.caisse:
        conditions.append(Fse.caisse == filters.caisse)
    if filters.statut:
        conditions.append(Fse.statut == filters.statut)
    if filters.hnp in ("oui", "non"):
        conditions.append(Fse.hnp.is_(filters.hnp == "oui"))
    if filters.montant_min is not None:
        conditions.append(Fse.total_facture >= filters.montant_min)
    if filters.montant_max is not None:
        conditions.append(Fse.total_facture <= filters.montant_max)
    if filters.compte_id is not None:
        conditions.append(Fse.transmise_par_id == filters.compte_id)
    return conditions


def totals(conditions: list, counted: tuple[str, ...] = COUNTED) -> Totals:
    """Count of the selection, its deleted and rejected, and the sums of the `counted` statuses: one
    aggregate query (CASE inside SUM), whatever its size."""
    row = db.session.execute(select(
        func.count(Fse.id), func.sum(case((Fse.statut == SUPPRIMEE, 1), else_=0)),
        func.sum(case((Fse.statut == REJETEE, 1), else_=0)),
        *(func.sum(case((Fse.statut.in_(counted), column))) for column in (
            Fse.total_base, Fse.total_facture, Fse.depassement, Fse.part_caisse, Fse.part_patient)),
    ).where(*conditions)).one()
    count, deleted, rejected, *sums = row
    return Totals(count or 0, deleted or 0, rejected or 0,
                  *(Decimal(str(value)).quantize(ZERO) if value is not None else ZERO for value in sums))


def history_page(praticien_id: int, filters: HistoryFilters, page: int, at: datetime,
                 names: dict[int, str], praticien=None) -> HistoryPage:
    """The page asked for (kept within the pages), newest first; its FSE and their acts are read in one
    query when the table is drawn (`HistoryPage.rows`)."""
    conditions = base_conditions(praticien_id, filters, at)
    keep = _keeper(praticien, at)
    summary = selection_totals(praticien_id, filters, at, praticien)
    pages = max(1, ceil(summary.nombre / PAGE_SIZE))
    page = min(max(page, 1), pages)
    ids = keep(("page", filters, page), lambda: list(db.session.scalars(
        select(Fse.id).where(*conditions).order_by(Fse.transmise_le.desc(), Fse.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))) if summary.nombre else []
    token = praticien.jeton_historique if praticien is not None else None
    key = (praticien_id, token, filters, page, today_in_monaco(at), tuple(sorted(names.items()))) \
        if token is not None else None
    return HistoryPage(ids, summary, page, pages, names, praticien_id, key)


def selection_totals(praticien_id: int, filters: HistoryFilters, at: datetime, praticien=None) -> Totals:
    """The totals of the selection, kept for this state of the praticien's FSE and day: the
    history page and the export of the same selection share them."""
    return _keeper(praticien, at)(("totaux", filters), lambda: totals(base_conditions(praticien_id, filters, at),
                                                                      counted_statuses(filters)))


def selection_ids(praticien_id: int, filters: HistoryFilters, at: datetime, praticien=None) -> list[int]:
    """Every id of the selection in the list's order (newest first), kept like the totals: for an
    export of a selection small enough to keep (the caller checks its size first)."""
    return _keeper(praticien, at)(("ids", filters), lambda: list(db.session.scalars(
        select(Fse.id).where(*base_conditions(praticien_id, filters, at))
        .order_by(Fse.transmise_le.desc(), Fse.id.desc()))))


def _keeper(praticien, at: datetime):
    """Keep what the history computes for this state of the praticien's FSE and this day of Monaco
    (app/history/cache.py); without a praticien (the export, a script), compute it each time."""
    if praticien is None:
        return lambda key, compute: compute()
    day = today_in_monaco(at)
    return lambda key, compute: kept(praticien, (*key, day), compute)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month from `first`'s to `last`'s."""
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def month_series(praticien_id: int, filters: HistoryFilters, at: datetime,
                 praticien=None) -> list[tuple[date, int, Decimal]]:
    """`_month_series`, kept for this state of the praticien's FSE and day (app/history/cache.py)."""
    return _keeper(praticien, at)(("mois", filters), lambda: _month_series(praticien_id, filters, at))


def _month_series(praticien_id: int, filters: HistoryFilters, at: datetime) -> list[tuple[date, int, Decimal]]:
    """(month, count, billed) for each Monaco month of the window: one GROUP BY query on a CASE that
    numbers the month from precomputed UTC boundaries, right across daylight saving on SQLite and
    PostgreSQL alike (no date functions of either)."""
    first, today = window(at)
    months = month_starts(first, today)
    starts = [utc_bounds(month, None)[0] for month in months[1:]]
    bucket = case(*((Fse.transmise_le < start, index) for index, start in enumerate(starts)),
                  else_=len(starts)).label("mois")
    found = {row.mois: (row.nombre, row.facture) for row in db.session.execute(
        select(bucket, func.count(Fse.id).label("nombre"), func.sum(Fse.total_facture).label("facture"))
        .where(*base_conditions(praticien_id, filters, at), Fse.statut.in_(counted_statuses(filters)))
        .group_by(bucket))}
    return [(month, found.get(i, (0, ZERO))[0], found.get(i, (0, ZERO))[1] or ZERO) for i, month in enumerate(months)]


def fse_of(praticien_id: int, fse_id: int) -> Fse | None:
    """A transmitted FSE of this praticien (any date), or None: another's is never revealed."""
    return db.session.scalar(
        select(Fse).where(Fse.id == fse_id, Fse.praticien_id == praticien_id, Fse.statut.in_(STATUTS_TRANSMIS))
        .options(selectinload(Fse.lignes)))


def delete_fse(principal, fse: Fse, at: datetime) -> None:
    """« Supprimer »: status supprimee and its audit row in the caller's transaction, once only.

    The UPDATE only changes a row still transmise, so two tabs cannot both delete it.
    """
    refusal = deletion_refusal(fse.statut, fse.transmise_le, at)
    if refusal:
        raise HistoryError(refusal)
    if not can_transition(fse.statut, SUPPRIMEE):
        raise HistoryError(f"Une FSE {status_label(fse.statut).lower()} ne peut pas être supprimée.")
    done = db.session.execute(
        update(Fse).where(Fse.id == fse.id, Fse.praticien_id == principal.praticien_id, Fse.statut == TRANSMISE)
        .values(statut=SUPPRIMEE, statut_change_le=at, statut_change_par_id=principal.compte.id,
                version=Fse.version + 1, modifiee_le=at)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        raise HistoryError("Cette FSE vient déjà de changer de statut : elle n'a pas été supprimée.")
    db.session.expire(fse)
    touch(principal.praticien_id)
    record("fse.suppression", "succes", compte=principal.compte, objet_type="fse", objet_id=fse.id)


def status_label(statut: str) -> str:
    """The status in words."""
    return LIBELLES.get(statut, statut)


def acts_summary(fse: Fse) -> str:
    """The acts as entered, in one line, the same form as the detail and the CSV: « V 1 + MD + DEQP003 »."""
    return " + ".join(line.detail for line in fse.lignes)


def keyset_after(last: tuple[datetime, int]):
    """Rows after (transmise_le, id) in the newest-first order, for the export's chunks."""
    instant, fse_id = last
    # The plain upper bound lets the index range stop there; the OR only breaks ties on the instant.
    return and_(Fse.transmise_le <= instant,
                or_(Fse.transmise_le < instant, and_(Fse.transmise_le == instant, Fse.id < fse_id)))


def in_monaco(instant: datetime) -> datetime:
    return instant.astimezone(MONACO)

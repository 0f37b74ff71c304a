"""What can be billed: the codes of the profession, the CCAM search, the favourites."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from typing import NamedTuple

from sqlalchemy import bindparam, literal, select, union_all

from app.domain.entries import Entry, decode
from app.domain.professions import ALL_PROFESSIONS
from app.domain.text import fold
from app.extensions import db, once
from app.models import ActeCcam, Favori, FsePrecodee, LigneFse, Tarif
from app.referentiel.cache import NO_TOKEN, cached, current_token

MAX_SUGGESTIONS = 12


def options(kind: str, profession: str, on: date) -> list[tuple[str, str]]:
    """(code, « code — label ») of the codes of a kind that have a tariff for the profession that day
    (cached until the reference data changes)."""
    return cached(("options", kind, profession, on), lambda: _options(kind, profession, on))


def ccam_offered(profession: str, on: date) -> bool:
    """Whether the profession bills CCAM acts: at least one CCAM act priced for it that day in the
    reference data (a nurse, a physiotherapist or a speech therapist bills NGAP letter keys only, and
    the FSE page then offers no CCAM line it could not price)."""
    return bool(options("CCAM", profession, on))


def _options(kind: str, profession: str, on: date) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Tarif.code, Tarif.libelle, Tarif.date_effet)
        .where(Tarif.type == kind, Tarif.profession.in_((profession, ALL_PROFESSIONS)), Tarif.date_effet <= on)
        .order_by(Tarif.code, Tarif.date_effet)
    ).all()
    labels = {code: libelle for code, libelle, _ in rows}
    return [(code, f"{code} — {label}") for code, label in labels.items()]


@dataclass(frozen=True)
class CcamIndex:
    """Every CCAM act in memory, indexed for the autocomplete: the acts in code order, each act's
    (label, regroupement) by code, and for each distinct space-free word of the folded labels the
    acts that hold it. A query word has no space, so it is inside a label exactly when it is inside
    one of the label's words: scanning the ~11,000 distinct words finds the same acts as scanning
    the 8,160 labels, in a fraction of the time, and one query's acts are the intersection."""

    rows: list[tuple[str, str, str]]  # (code, label, folded label), by code
    acts: dict[str, tuple[str, str]]  # code → (label, regroupement)
    codes: list[str]  # the codes in order, for a prefix search by bisection
    words: dict[str, frozenset[int]]  # folded word → indexes into rows

    @classmethod
    def build(cls, acts) -> "CcamIndex":
        rows = [(code, label, fold(label)) for code, label, _ in acts]
        words: dict[str, set[int]] = {}
        for index, (_, _, folded) in enumerate(rows):
            for word in folded.split(" "):
                words.setdefault(word, set()).add(index)
        return cls(rows, {code: (label, group) for code, label, group in acts}, [row[0] for row in rows],
                   {word: frozenset(found) for word, found in words.items()})

    def holding(self, word: str) -> set[int]:
        """The acts whose label holds `word` (accent- and case-folded, no space)."""
        found: set[int] = set()
        for candidate, indexes in self.words.items():
            if word in candidate:
                found |= indexes
        return found


def ccam_index() -> CcamIndex:
    """The CCAM acts, read once per process until the reference data changes."""
    def read() -> CcamIndex:
        return CcamIndex.build(db.session.execute(select(ActeCcam.code, ActeCcam.libelle, ActeCcam.regroupement)
                                                  .order_by(ActeCcam.code)).all())
    return cached(("ccam",), read)


def search_ccam(query: str) -> list[tuple[str, str]]:
    """Acts whose code starts with the query, then acts whose label holds every word of it, the
    labels that begin with the query first, then by where the first word appears (the same answer
    as reading every label, from the index; the last answers are kept until the referentiel changes)."""
    folded = fold(query.strip())
    token = current_token()
    if token == NO_TOKEN:
        return _search(ccam_index(), folded)
    return list(_recent_search(token, folded))


@lru_cache(maxsize=4096)
def _recent_search(token: str, folded: str) -> tuple[tuple[str, str], ...]:
    """The last answers, by version of the reference data (a few hundred bytes each)."""
    return tuple(_search(ccam_index(), folded))


def _search(index: CcamIndex, folded: str) -> list[tuple[str, str]]:
    code_query = folded.upper().replace(" ", "")
    start = bisect_left(index.codes, code_query)
    by_code = []
    for position in range(start, len(index.codes)):
        if not index.codes[position].startswith(code_query) or len(by_code) >= MAX_SUGGESTIONS:
            break
        by_code.append(position)
    words = folded.split()
    if len(by_code) >= MAX_SUGGESTIONS or not words:
        return [index.rows[i][:2] for i in by_code]
    matches: set[int] | None = None
    for word in sorted(words, key=len, reverse=True):  # the longest word narrows the most
        found = index.holding(word)
        matches = found if matches is None else matches & found
        if not matches:
            break
    matches = (matches or set()) - set(by_code)
    ranked = heapq.nsmallest(MAX_SUGGESTIONS - len(by_code), (
        (not index.rows[i][2].startswith(folded), index.rows[i][2].find(words[0]), index.rows[i][0], i)
        for i in matches))
    return [index.rows[i][:2] for i in by_code] + [index.rows[i][:2] for *_, i in ranked]


class Shortcut(NamedTuple):
    """A one-tap button of the FSE page: a favourite act or a pre-coded basket."""

    id: int
    libelle: str

    @property
    def nom(self) -> str:  # a basket's name
        return self.libelle


@once
def _shortcuts_query():
    """The favourites, then the pre-coded baskets, of one praticien."""
    favourites = (select(literal(0).label("kind"), Favori.id, Favori.libelle, Favori.type.label("k1"),
                         Favori.code.label("k2"))
                  .where(Favori.praticien_id == bindparam("praticien_id")))
    baskets = (select(literal(1).label("kind"), FsePrecodee.id, FsePrecodee.nom, FsePrecodee.nom_cle,
                      FsePrecodee.nom_cle)
               .where(FsePrecodee.praticien_id == bindparam("praticien_id")))
    return union_all(favourites, baskets).order_by("kind", "k1", "k2")


class Shortcuts:
    """The praticien's favourites and pre-coded baskets, read in one statement, and only when the
    response draws them (most of the FSE page's fragments do not)."""

    def __init__(self, praticien_id: int):
        self.praticien_id = praticien_id
        self._read: tuple[list[Shortcut], list[Shortcut]] | None = None

    def _both(self) -> tuple[list[Shortcut], list[Shortcut]]:
        if self._read is None:
            # Columns, not objects: run by the session's connection, without the ORM's steps.
            rows = db.session.connection().execute(_shortcuts_query(), {"praticien_id": self.praticien_id}).all()
            self._read = ([Shortcut(r.id, r.libelle) for r in rows if r.kind == 0],
                          [Shortcut(r.id, r.libelle) for r in rows if r.kind == 1])
        return self._read

    @property
    def favourites(self) -> "LazyList":
        return LazyList(lambda: self._both()[0])

    @property
    def baskets(self) -> "LazyList":
        return LazyList(lambda: self._both()[1])


class LazyList:
    """A list read on first use (a template's `{% if %}` or `{% for %}`)."""

    def __init__(self, read):
        self._read, self._items = read, None

    def _list(self) -> list:
        if self._items is None:
            self._items = self._read()
        return self._items

    def __iter__(self):
        return iter(self._list())

    def __len__(self) -> int:
        return len(self._list())

    def __bool__(self) -> bool:
        return bool(self._list())


def favourite_of(praticien_id: int, favori_id: int) -> Favori | None:
    favourite = db.session.get(Favori, favori_id)
    return favourite if favourite is not None and favourite.praticien_id == praticien_id else None


def entry_parameters(line: LigneFse) -> str:
    """A basket line as entered, in its stored form (app/domain/entries.py)."""
    if line.type == "NGAP":
        entry = Entry("NGAP", line.code, line.coefficient, line.diviseur,
                      tuple(m for m in line.majorations.split(",") if m))
    else:
        entry = Entry("CCAM", line.code, activite=line.activite, phase=line.phase,
                      modifiers=tuple(line.modificateurs), association=line.association)
    return entry.parametres


def add_favourite(praticien_id: int, line: LigneFse) -> Favori:
    """Keep the act as entered; the same act twice is kept once."""
    parametres = entry_parameters(line)
    existing = db.session.scalar(select(Favori).where(Favori.praticien_id == praticien_id, Favori.type == line.type,
                                                      Favori.code == line.code, Favori.parametres == parametres))
    if existing is not None:
        return existing
    favourite = Favori(praticien_id=praticien_id, type=line.type, code=line.code, parametres=parametres,
                       libelle=line.detail[:160])
    db.session.add(favourite)
    db.session.flush()
    return favourite


def add_entry(draft, profession: str, kind: str, code: str, parametres: str) -> LigneFse:
    """Add an act kept as entered (see `entry_parameters`) to the basket, priced at the date of care."""
    from app.fse import services

    entry = decode(kind, code, parametres)
    if kind == "NGAP":
        return services.add_ngap(draft, profession, code, entry.coefficient, entry.divisor, list(entry.majorations))
    return services.add_ccam(draft, profession, code, entry.activite, entry.phase, list(entry.modifiers),
                             entry.association)


def apply_favourite(draft, profession: str, favourite: Favori) -> None:
    """Add the favourite's act to the basket, priced at the date of care."""
    add_entry(draft, profession, favourite.type, favourite.code, favourite.parametres)

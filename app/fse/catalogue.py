"""What can be billed: the codes of the profession, the CCAM search, the favourites."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import select

from app.domain.entries import Entry, decode
from app.domain.professions import ALL_PROFESSIONS
from app.domain.text import fold
from app.extensions import db
from app.models import ActeCcam, Favori, ImportReferentiel, LigneFse, Tarif

_cache_lock = threading.Lock()
_ccam_cache: dict = {"empreinte": None, "rows": []}
MAX_SUGGESTIONS = 12


def options(kind: str, profession: str, on: date) -> list[tuple[str, str]]:
    """(code, « code — label ») of the codes of a kind that have a tariff for the profession that day."""
    rows = db.session.execute(
        select(Tarif.code, Tarif.libelle, Tarif.date_effet)
        .where(Tarif.type == kind, Tarif.profession.in_((profession, ALL_PROFESSIONS)), Tarif.date_effet <= on)
        .order_by(Tarif.code, Tarif.date_effet)
    ).all()
    labels = {code: libelle for code, libelle, _ in rows}
    return [(code, f"{code} — {label}") for code, label in labels.items()]


def _ccam_rows() -> list[tuple[str, str, str]]:
    """(code, label, folded label) of every act, kept in memory until the CCAM file changes."""
    empreinte = db.session.scalar(select(ImportReferentiel.empreinte_sha256)
                                  .where(ImportReferentiel.partie == "ccam"))
    with _cache_lock:
        if _ccam_cache["empreinte"] != empreinte:
            acts = db.session.execute(select(ActeCcam.code, ActeCcam.libelle).order_by(ActeCcam.code)).all()
            _ccam_cache["rows"] = [(code, label, fold(label)) for code, label in acts]
            _ccam_cache["empreinte"] = empreinte
        return _ccam_cache["rows"]


def search_ccam(query: str) -> list[tuple[str, str]]:
    """Acts whose code starts with the query, then acts whose label holds every word of it, the
    labels that begin with the query first, then by where the first word appears."""
    folded = fold(query.strip())
    code_query = folded.upper().replace(" ", "")
    words = folded.split()
    by_code, by_label = [], []
    for code, label, folded_label in _ccam_rows():
        if code.startswith(code_query):
            by_code.append((code, label))
            if len(by_code) >= MAX_SUGGESTIONS:
                break
        elif words and all(word in folded_label for word in words):
            by_label.append((not folded_label.startswith(folded), folded_label.find(words[0]), code, label))
    by_label.sort()
    return (by_code + [(code, label) for _, _, code, label in by_label])[:MAX_SUGGESTIONS]


def favourites(praticien_id: int) -> list[Favori]:
    return list(db.session.scalars(select(Favori).where(Favori.praticien_id == praticien_id)
                                   .order_by(Favori.type, Favori.code)))


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

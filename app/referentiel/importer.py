"""Importing the reference data: every file is read and checked first, then written in one transaction.

A malformed row stops the import before anything is written; a second import of the same files
changes nothing (each table is synchronised with its file: rows added, changed or removed).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.referentiel.cache import bump
from app.models import (
    ActeCcam,
    CodeNgap,
    ImportReferentiel,
    NatureEtm,
    ParametreConvention,
    RegleCouleur,
    Tarif,
)
from app.domain.tariffs import TariffKind
from app.models.types import utcnow
from app.referentiel import parsing

DATA_DIR = Path(__file__).resolve().parent / "data"
SAMPLE_TARIFFS = DATA_DIR / "tarifs-exemple.csv"


@dataclass(frozen=True)
class Sources:
    """The files of one import; by default those shipped in app/referentiel/data/."""

    ccam: Path = DATA_DIR / "ccam_v63_actes.csv"
    prestations: Path = DATA_DIR / "prestations_nat.csv"
    etm: Path = DATA_DIR / "etm_natures.csv"
    tarifs: Path = SAMPLE_TARIFFS
    convention: Path = DATA_DIR / "convention.toml"


@dataclass
class PartReport:
    """What one import did to one table."""

    lignes: int = 0
    ajoutees: int = 0
    modifiees: int = 0
    supprimees: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.ajoutees or self.modifiees or self.supprimees)


@dataclass
class ImportReport:
    """What the import did, part by part."""

    parts: dict[str, PartReport] = field(default_factory=dict)
    tarifs_exemple: bool = False

    @property
    def changed(self) -> bool:
        return any(part.changed for part in self.parts.values())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def is_sample_file(path: Path) -> bool:
    """True when the tariff file is the shipped sample (same bytes), wherever it was copied."""
    return path.is_file() and sha256_of(path) == sha256_of(SAMPLE_TARIFFS)


def _sync(
    session: Session,
    model: type,
    key: Callable[[Any], Hashable],
    wanted: dict[Hashable, dict[str, Any]],
) -> PartReport:
    """Make the table hold exactly the wanted rows (by natural key): insert, update, delete."""
    report = PartReport(lignes=len(wanted))
    existing = {key(obj): obj for obj in session.scalars(select(model))}
    for k, obj in existing.items():
        values = wanted.get(k)
        if values is None:
            session.delete(obj)
            report.supprimees += 1
        elif any(getattr(obj, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(obj, name, value)
            report.modifiees += 1
    new_rows = [values for k, values in wanted.items() if k not in existing]
    if new_rows:
        session.execute(model.__table__.insert(), new_rows)
        report.ajoutees = len(new_rows)
    session.flush()
    return report


def _ngap_rows(tarifs: Iterable, prestations: dict[str, parsing.PrestationRecord]) -> dict:
    """The NGAP keys and majorations the tariff file uses, labelled from it and from IR_NAT_V."""
    latest: dict[str, Any] = {}
    for row in tarifs:
        if row.kind in (TariffKind.NGAP, TariffKind.MAJ):
            if row.code not in latest or row.date_effet > latest[row.code].date_effet:
                latest[row.code] = row
    wanted = {}
    for code, row in sorted(latest.items()):
        known = prestations.get(code)
        wanted[code] = {
            "code": code,
            "libelle": row.libelle,
            "majoration": row.kind == TariffKind.MAJ,
            "code_prestation": known.code_prestation if known else None,
            "libelle_nomenclature": known.libelle if known else None,
        }
    return wanted


def import_referentiel(session: Session, sources: Sources | None = None, exemple: bool | None = None) -> ImportReport:
    """Read and check every file, then synchronise every reference table in the caller's transaction.

    `exemple` marks the tariffs as a sample (the « Données d'exemple » banner); by default it is
    true exactly when the tariff file is the shipped sample.
    """
    sources = sources or Sources()
    ccam = parsing.parse_ccam(sources.ccam)
    prestations = parsing.parse_prestations(sources.prestations)
    etm = parsing.parse_etm(sources.etm)
    tarifs = parsing.parse_tarifs(sources.tarifs, {act.code for act in ccam})
    rules = parsing.parse_convention_file(sources.convention)
    if exemple is None:
        exemple = is_sample_file(sources.tarifs)

    report = ImportReport(tarifs_exemple=exemple)
    report.parts["ccam"] = _sync(
        session, ActeCcam, lambda o: o.code,
        {a.code: {"code": a.code, "libelle": a.libelle, "regroupement": a.regroupement} for a in ccam},
    )
    report.parts["etm"] = _sync(
        session, NatureEtm, lambda o: o.code,
        {n.code: {"code": n.code, "code_court": n.code_court, "libelle": n.libelle} for n in etm},
    )
    report.parts["ngap"] = _sync(session, CodeNgap, lambda o: o.code, _ngap_rows(tarifs, prestations))
    report.parts["tarifs"] = _sync(
        session, Tarif, lambda o: (o.type, o.code, o.profession, o.date_effet),
        {
            row.key: {
                "type": row.kind.value, "code": row.code, "profession": row.profession,
                "date_effet": row.date_effet, "montant": row.montant,
                "pourcentage": row.pourcentage, "libelle": row.libelle,
            }
            for row in tarifs
        },
    )
    report.parts["convention"] = _sync(
        session, RegleCouleur, lambda o: o.couleur,
        {
            c.couleur: {"couleur": c.couleur, "libelle": c.libelle, "depassement": c.depassement,
                        "coefficient_max": c.coefficient_max, "hnp": c.hnp}
            for c in rules.couleurs.values()
        },
    )
    parameters = _sync(
        session, ParametreConvention, lambda o: o.id,
        {1: {"id": 1, "taux_remboursement": rules.taux_remboursement,
             "taux_remboursement_etm": rules.taux_remboursement_etm,
             "seuil_etm_coefficient_ngap": rules.seuil_etm_coefficient_ngap,
             "seuil_etm_ccam": rules.seuil_etm_ccam}},
    )
    report.parts["convention"].ajoutees += parameters.ajoutees
    report.parts["convention"].modifiees += parameters.modifiees

    _record_sources(session, sources, report, exemple)
    bump(session)  # every process's cached tariffs and rules are stale now
    return report


def _record_sources(session: Session, sources: Sources, report: ImportReport, exemple: bool) -> None:
    """Note each part's file and fingerprint; unchanged parts keep their row as it was."""
    files = {"ccam": sources.ccam, "etm": sources.etm, "ngap": sources.prestations,
             "tarifs": sources.tarifs, "convention": sources.convention}
    for partie, path in files.items():
        digest = sha256_of(path)
        flag = exemple if partie in ("tarifs", "ngap") else False
        row = session.get(ImportReferentiel, partie)
        if row is None:
            session.add(ImportReferentiel(partie=partie, fichier=path.name, empreinte_sha256=digest,
                                          exemple=flag, lignes=report.parts[partie].lignes))
        elif (row.empreinte_sha256, row.exemple, row.fichier) != (digest, flag, path.name):
            row.fichier, row.empreinte_sha256, row.exemple = path.name, digest, flag
            row.lignes = report.parts[partie].lignes
            row.importe_le = utcnow()
    session.flush()


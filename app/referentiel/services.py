"""Reading the reference data: the tariff in force, the Convention's rules, a summary for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.domain.convention import ColourRule, ConventionRules
from app.domain.professions import ALL_PROFESSIONS
from app.domain.tariffs import TariffKind, TariffRow, tariff_in_force
from app.extensions import db
from app.referentiel.cache import cached
from app.domain.calendar import today_in_monaco
from app.models import (
    ActeCcam,
    CodeNgap,
    ImportReferentiel,
    ParametreConvention,
    RegleCouleur,
    RegleCouleurDatee,
    Tarif,
)


def _row(tarif: Tarif) -> TariffRow:
    return TariffRow(
        kind=TariffKind(tarif.type), code=tarif.code, profession=tarif.profession,
        date_effet=tarif.date_effet, libelle=tarif.libelle,
        montant=tarif.montant, pourcentage=tarif.pourcentage,
    )


def lookup_tariff(kind: TariffKind, code: str, profession: str, on: date) -> TariffRow | None:
    """The tariff of (kind, code) in force on the date of care for the profession, or None (cached
    until the reference data changes: app/referentiel/cache.py)."""
    return cached(("tarif", kind, code, profession, on), lambda: _lookup_tariff(kind, code, profession, on))


def _lookup_tariff(kind: TariffKind, code: str, profession: str, on: date) -> TariffRow | None:
    candidates = db.session.scalars(
        select(Tarif).where(
            Tarif.type == kind.value,
            Tarif.code == code,
            Tarif.profession.in_((profession, ALL_PROFESSIONS)),
            Tarif.date_effet <= on,
        )
    )
    return tariff_in_force((_row(t) for t in candidates), kind, code, profession, on)


def convention_rules(on: date | None = None) -> ConventionRules:
    """The Convention's rules in force on a date of care (today by default): the rates of the file,
    and per card colour the caisse's latest change in force on that date, else the file's rule
    (cached until the reference data changes; callers never modify what they get)."""
    on = on or today_in_monaco()
    return cached(("regles", on), lambda: _convention_rules(on))


def _convention_rules(on: date) -> ConventionRules:
    params = db.session.get(ParametreConvention, 1)
    if params is None:
        raise LookupError("les règles de la Convention ne sont pas chargées (flask referentiel import)")
    couleurs = {
        r.couleur: ColourRule(r.couleur, r.libelle, r.depassement, r.coefficient_max, r.hnp)
        for r in db.session.scalars(select(RegleCouleur))
    }
    changes = db.session.scalars(
        select(RegleCouleurDatee).where(RegleCouleurDatee.date_effet <= on).order_by(RegleCouleurDatee.date_effet))
    for change in changes:  # the latest change of each colour wins
        base = couleurs[change.couleur]
        couleurs[change.couleur] = ColourRule(base.couleur, base.libelle, change.depassement,
                                              change.coefficient_max, change.hnp)
    return ConventionRules(
        taux_remboursement=params.taux_remboursement,
        taux_remboursement_etm=params.taux_remboursement_etm,
        seuil_etm_coefficient_ngap=params.seuil_etm_coefficient_ngap,
        seuil_etm_ccam=params.seuil_etm_ccam,
        couleurs=couleurs,
    )


@dataclass(frozen=True)
class ReferentielSummary:
    """What the reference data holds, for the front page."""

    actes_ccam: int
    codes_ngap: int
    tarifs: int
    tarifs_exemple: bool
    tarifs_importes_le: datetime | None


def referentiel_summary() -> ReferentielSummary:
    """Counts of the loaded reference data and where the tariffs come from."""
    tarifs_import = db.session.get(ImportReferentiel, "tarifs")
    return ReferentielSummary(
        actes_ccam=db.session.scalar(select(func.count()).select_from(ActeCcam)) or 0,
        codes_ngap=db.session.scalar(select(func.count()).select_from(CodeNgap)) or 0,
        tarifs=db.session.scalar(select(func.count()).select_from(Tarif)) or 0,
        tarifs_exemple=bool(tarifs_import and tarifs_import.exemple),
        tarifs_importes_le=tarifs_import.importe_le if tarifs_import else None,
    )

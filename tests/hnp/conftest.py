"""HNP/RDD FSE built by the real pricing code (app.demo.activity), paid with create_ordiposte."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.demo.activity import transmitted_fse
from app.domain.calendar import MONACO, today_in_monaco
from app.extensions import db
from app.hnp.services import create_ordiposte
from app.models import Beneficiaire, Compte, Foyer

CONSULTATION = (("NGAP", "C", "1|1|"),)


class Practice:
    """Builds transmitted HNP FSE on the fixed verte card 100001 and pays them in ordipostes."""

    def __init__(self):
        self.today = today_in_monaco()

    def compte(self, identifiant: str = "medecin.demo") -> Compte:
        return db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))

    def members(self, matricule: str = "100001") -> list[Beneficiaire]:
        foyer = db.session.scalar(select(Foyer).where(Foyer.matricule == matricule))
        return list(foyer.beneficiaires)

    def fse(self, days_ago: int = 10, member: int = 0, identifiant: str = "medecin.demo", hnp: bool = True,
            matricule: str = "100001", acts=CONSULTATION):
        """One FSE transmitted the day of care at 10:00 (Monaco), `days_ago` days before today."""
        day = self.today - timedelta(days=days_ago)
        at = datetime.combine(day, time(10, 0), MONACO)
        fse = transmitted_fse(db.session, self.compte(identifiant), self.members(matricule)[member], day, acts, at,
                              hnp=hnp)
        db.session.flush()
        return fse

    def fses(self, count: int, days_ago: int = 10, **kwargs):
        return [self.fse(days_ago=days_ago + n % 5, member=n % 4, **kwargs) for n in range(count)]

    def pay(self, fses, days_ago: int = 2) -> SimpleNamespace:
        """Pay the FSE in an ordiposte, committed; its values and its FSE's, readable after requests."""
        ordiposte = create_ordiposte(fses, self.today - timedelta(days=days_ago))
        db.session.commit()
        return snapshot(ordiposte)


def snapshot(ordiposte) -> SimpleNamespace:
    """Plain values of an ordiposte and of the FSE it paid (the test client ends the session's objects)."""
    fses = [SimpleNamespace(id=f.id, accuse_reception=f.accuse_reception, date_soins=f.date_soins,
                            patient=f"{f.patient_prenom} {f.patient_nom}", total_base=f.total_base,
                            part_caisse=f.part_caisse, statut=f.statut) for f in ordiposte.fses]
    return SimpleNamespace(id=ordiposte.id, reference=ordiposte.reference, caisse=ordiposte.caisse,
                           date_paiement=ordiposte.date_paiement, montant=ordiposte.montant,
                           nombre_fse=ordiposte.nombre_fse, fses=fses)


@pytest.fixture
def practice(app_ctx, demo_accounts) -> Practice:
    return Practice()

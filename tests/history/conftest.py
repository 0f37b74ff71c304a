"""Fixtures of the history tests: transmitted FSE made by the real pricing code, at chosen instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.demo.activity import transmitted_fse
from app.domain.calendar import MONACO
from app.extensions import db
from app.models import Beneficiaire, Compte, Foyer

CONSULTATION = (("NGAP", "C", "1|1|"),)


def monaco(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """An aware UTC instant at a Monaco wall-clock time."""
    return datetime.combine(day, time(hour, minute), MONACO).astimezone(UTC)


def member(matricule: str = "100001", rang: int = 1) -> Beneficiaire:
    return db.session.scalar(select(Beneficiaire).join(Foyer).where(Foyer.matricule == matricule,
                                                                   Beneficiaire.rang == rang))


def compte(identifiant: str) -> Compte:
    return db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))


class Maker:
    """Writes transmitted FSE for the demo accounts, committed at once."""

    def __init__(self):
        self.today = datetime.now(UTC).astimezone(MONACO).date()

    def __call__(self, who="medecin.demo", matricule="100001", rang=1, sent=None, care=None, acts=CONSULTATION,
                 hnp=False, ponderation=None, **values):
        sent = sent or monaco(self.today - timedelta(days=1))
        care = care or sent.astimezone(MONACO).date()
        fse = transmitted_fse(db.session, compte(who), member(matricule, rang), care, acts, sent, hnp=hnp,
                              ponderation=ponderation)
        for name, value in values.items():
            setattr(fse, name, value)
        db.session.commit()
        return fse.id


@pytest.fixture
def make_fse(db, demo_accounts):
    return Maker()


@pytest.fixture
def medecin(auth):
    auth.login("medecin.demo")
    return auth

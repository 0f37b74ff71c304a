"""SQLAlchemy 2 models, one module per aggregate; importing this package registers them all."""

from app.models.comptes import AppareilTotp, Compte, Praticien
from app.models.referentiel import (
    ActeCcam,
    CodeNgap,
    ImportReferentiel,
    NatureEtm,
    ParametreConvention,
    RegleCouleur,
    Tarif,
)
from app.models.registre import Beneficiaire, Exoneration, Foyer

__all__ = [
    "ActeCcam",
    "AppareilTotp",
    "Beneficiaire",
    "CodeNgap",
    "Compte",
    "Exoneration",
    "Foyer",
    "ImportReferentiel",
    "NatureEtm",
    "ParametreConvention",
    "Praticien",
    "RegleCouleur",
    "Tarif",
]

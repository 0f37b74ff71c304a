"""SQLAlchemy 2 models, one module per aggregate; importing this package registers them all."""

from app.models.abonnement import DemandeAbonnement
from app.models.audit import AuditTete, JournalAudit
from app.models.comptes import AppareilTotp, Compte, Praticien
from app.models.referentiel import (
    ActeCcam,
    CodeNgap,
    ImportReferentiel,
    NatureEtm,
    ParametreConvention,
    RegleCouleur,
    RegleCouleurDatee,
    Tarif,
    VersionReferentiel,
)
from app.models.formulaire import Formulaire
from app.models.fse import Favori, Fse, FsePrecodee, LigneFse, LignePrecodee, Ordiposte
from app.models.registre import Beneficiaire, Exoneration, Foyer
from app.models.sessions import (
    Activation,
    ConnexionEnAttente,
    EnrolementEnAttente,
    SessionOuverte,
    TentativeConnexion,
)

__all__ = [
    "VersionReferentiel",
    "Favori",
    "Formulaire",
    "Fse",
    "FsePrecodee",
    "LigneFse",
    "LignePrecodee",
    "Ordiposte",
    "Activation",
    "ConnexionEnAttente",
    "EnrolementEnAttente",
    "SessionOuverte",
    "TentativeConnexion",
    "ActeCcam",
    "AppareilTotp",
    "AuditTete",
    "Beneficiaire",
    "CodeNgap",
    "Compte",
    "DemandeAbonnement",
    "Exoneration",
    "Foyer",
    "ImportReferentiel",
    "JournalAudit",
    "NatureEtm",
    "ParametreConvention",
    "Praticien",
    "RegleCouleur",
    "RegleCouleurDatee",
    "Tarif",
]

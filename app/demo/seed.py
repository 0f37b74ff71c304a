"""Writing the demo registry and the demo accounts; never in production."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from app.demo.demandes import ensure_demo_demandes
from app.demo.generator import FoyerData, generate_registry
from app.models import AppareilTotp, Beneficiaire, Compte, Exoneration, Foyer, Praticien
from app.security.crypto import encrypt_secret
from app.security.passwords import hash_password

DEMO_PASSWORD = "Demo-FSE-2026"
BATCH = 2000


@dataclass(frozen=True)
class DemoPraticien:
    identifiant: str
    profession: str
    specialite: str
    nom: str
    prenom: str
    totp_secret: str
    # Made-up identifiers, well formed (the RPPS's last digit is its Luhn key): printed on documents.
    rpps: str | None = None
    adeli: str | None = None


# Fixed TOTP secrets, published in the README so that a visitor can add them to an authenticator app.
DEMO_PRATICIENS = [
    DemoPraticien("medecin.demo", "medecin", "Médecin généraliste", "Lorenzi", "Claire",
                  "UVZL6KNGEKP5GPAE75WHHK25CBCNAFZ6", rpps="10009812347"),
    DemoPraticien("dentiste.demo", "dentiste", "Chirurgien-dentiste", "Passeron", "Marc",
                  "CTULJR4RMTU3THJTQ7WICMEVFMVMVBZR", rpps="10009876516"),
    DemoPraticien("infirmier.demo", "infirmier", "Infirmière libérale", "Fautrier", "Sophie",
                  "CYZRK7VEA5VI7ATE2Z2LXHSQBFSV4OFS", rpps="10009765438", adeli="986012345"),
    DemoPraticien("kine.demo", "kine", "Masseur-kinésithérapeute", "Raimbert", "Luc",
                  "C3XHZQ3DMQA5T5PXVT6QXPG6XETPYCF6", rpps="10009654327", adeli="986054321"),
]


# A médecin who has not activated two-factor authentication yet, to try the first activation.
NOUVEAU = DemoPraticien("nouveau.demo", "medecin", "Médecin généraliste", "Vatrican", "Nicolas", "",
                        rpps="10009543215")
# An assistant of medecin.demo, valid from 2026-01-01 with no end, with his own password and phone.
ASSISTANT_IDENTIFIANT = "assistant.demo"
ASSISTANT_PASSWORD = "Assistant-FSE-2026"
ASSISTANT_SECRET = "H6R55WFERPC5DISBB2V6OA7GZU2PNC7V"


# The caisse's staff (issue 10's back office): an agent and the médecin conseil, with the demo
# praticiens' password and fixed TOTP secrets (the README's table; `flask demo totp` prints codes).
DEMO_STAFF = [
    ("agent.demo", "agent", "Cellario", "Marie", "CEGN35T667672A5EHZC24TXKWLPVTCUJ"),
    ("conseil.demo", "medecin_conseil", "Gastaud", "Paul", "M4ACPSRRSXI3BW5KVJ3GC6T6HVQ74WTE"),
]


def ensure_demo_staff(session: Session) -> None:
    """agent.demo and conseil.demo, with their activated TOTP devices, unless they exist."""
    for identifiant, role, nom, prenom, secret in DEMO_STAFF:
        if session.scalar(select(Compte).where(Compte.identifiant == identifiant)) is not None:
            continue
        compte = Compte(identifiant=identifiant, password_hash=hash_password(DEMO_PASSWORD), role=role,
                        praticien_id=None, nom=nom, prenom=prenom)
        compte.appareil = AppareilTotp(secret_chiffre=encrypt_secret(secret), active_le=datetime.now(UTC),
                                       dernier_pas=0)
        session.add(compte)
    session.flush()


class DemoRefused(RuntimeError):
    """Demo data may not be written here (production)."""


def registry_is_empty(session: Session) -> bool:
    return not session.scalar(select(func.count()).select_from(Foyer))


def load_registry(session: Session, households: list[FoyerData]) -> int:
    """Insert households, members and exonerations in batches; returns the number of households."""
    for start in range(0, len(households), BATCH):
        batch = households[start:start + BATCH]
        foyer_ids = session.scalars(
            insert(Foyer).returning(Foyer.id, sort_by_parameter_order=True),
            [{"matricule": h.matricule, "code_fse": h.code_fse, "caisse": h.caisse,
              "couleur_carte": h.couleur_carte} for h in batch],
        ).all()
        members = [(foyer_id, m) for foyer_id, h in zip(foyer_ids, batch, strict=True) for m in h.membres]
        member_ids = session.scalars(
            insert(Beneficiaire).returning(Beneficiaire.id, sort_by_parameter_order=True),
            [{"foyer_id": fid, "rang": m.rang, "qualite": m.qualite, "nom": m.nom, "prenom": m.prenom,
              "date_naissance": m.date_naissance, "droits_debut": m.droits_debut,
              "droits_fin": m.droits_fin} for fid, m in members],
        ).all()
        exonerations = [
            {"beneficiaire_id": mid, "nature_code": e.nature_code, "date_debut": e.date_debut,
             "date_fin": e.date_fin}
            for mid, (_, m) in zip(member_ids, members, strict=True) for e in m.exonerations
        ]
        if exonerations:
            session.execute(insert(Exoneration), exonerations)
    return len(households)


def ensure_demo_praticien(session: Session, demo: DemoPraticien) -> Compte:
    """Create a demo praticien with his account and activated TOTP device, unless it exists."""
    compte = session.scalar(select(Compte).where(Compte.identifiant == demo.identifiant))
    if compte is not None:
        if compte.praticien.rpps is None and compte.praticien.adeli is None:  # a demo database of before
            compte.praticien.rpps, compte.praticien.adeli = demo.rpps, demo.adeli
        return compte
    praticien = Praticien(profession=demo.profession, specialite=demo.specialite, nom=demo.nom,
                          prenom=demo.prenom, email=f"{demo.identifiant}@exemple.mc", rpps=demo.rpps,
                          adeli=demo.adeli,
                          # subscribed before the year of activity the demo gives him (nouveau.demo: today)
                          cree_le=datetime.now(UTC) - timedelta(days=400 if demo.totp_secret else 0))
    compte = Compte(identifiant=demo.identifiant, password_hash=hash_password(DEMO_PASSWORD),
                    role="praticien", praticien=praticien, nom=demo.nom, prenom=demo.prenom)
    if demo.totp_secret:
        compte.appareil = AppareilTotp(secret_chiffre=encrypt_secret(demo.totp_secret),
                                       active_le=datetime.now(UTC), dernier_pas=0)
    session.add(compte)
    session.flush()
    return compte


def ensure_demo_assistant(session: Session) -> Compte:
    """assistant.demo, assistant of medecin.demo from 2026-01-01, with his own password and device."""
    compte = session.scalar(select(Compte).where(Compte.identifiant == ASSISTANT_IDENTIFIANT))
    if compte is not None:
        return compte
    medecin = session.scalar(select(Compte).where(Compte.identifiant == DEMO_PRATICIENS[0].identifiant))
    compte = Compte(identifiant=ASSISTANT_IDENTIFIANT, password_hash=hash_password(ASSISTANT_PASSWORD),
                    role="assistant", praticien_id=medecin.praticien_id, nom="Rey", prenom="Camille",
                    valide_du=date(2026, 1, 1), valide_au=None)
    compte.appareil = AppareilTotp(secret_chiffre=encrypt_secret(ASSISTANT_SECRET),
                                   active_le=datetime.now(UTC), dernier_pas=0)
    session.add(compte)
    session.flush()
    return compte


def seed_demo(session: Session, env: str, today: date, count: int = 20000, seed: int = 2026) -> int:
    """Load the demo accounts, and the registry when it is empty; returns households written."""
    if env == "production":
        raise DemoRefused("les données de démonstration sont refusées en production (FSE_ENV=production)")
    for demo in DEMO_PRATICIENS:
        ensure_demo_praticien(session, demo)
    ensure_demo_praticien(session, NOUVEAU)
    ensure_demo_assistant(session)
    ensure_demo_staff(session)
    ensure_demo_demandes(session, today)
    if not registry_is_empty(session):
        return 0
    return load_registry(session, generate_registry(count, today, seed))

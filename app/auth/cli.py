"""`flask praticien create`: a new praticien account and its one-time activation link."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.audit.services import record
from app.domain.professions import PROFESSIONS
from app.extensions import db
from app.models import Activation, Compte, Praticien
from app.models.types import utcnow

praticien_cli = AppGroup("praticien", help="Comptes des praticiens.")
ACTIVATION_VALIDITY = timedelta(days=7)
ACTIVATION_VALIDITY_WORDS = f"{ACTIVATION_VALIDITY.days} jours"  # in every message that gives a link


def create_activation(compte: Compte) -> str:
    """A one-time activation token for the account; only its SHA-256 is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(Activation(empreinte=hashlib.sha256(token.encode()).hexdigest(), compte_id=compte.id,
                              expire_le=utcnow() + ACTIVATION_VALIDITY))
    return token


def identifiant_taken(identifiant: str) -> bool:
    """An identifiant names one account, whatever its case."""
    return bool(db.session.scalar(select(func.count()).select_from(Compte)
                                  .where(func.lower(Compte.identifiant) == identifiant)))


def refuse_taken_identifiant(identifiant: str) -> None:
    """Stop the command when the identifiant names an account already."""
    if identifiant_taken(identifiant):
        raise click.ClickException(f"l'identifiant « {identifiant} » est déjà pris")


def activation_link(token: str) -> str:
    """The one-time activation link of a token, on the portal's public address."""
    return f"{current_app.config['FSE_BASE_URL'].rstrip('/')}/activation/{token}"


def create_with_activation_link(compte: Compte, commit: bool = True) -> str:
    """Store a new account with its audit row and return its one-time activation link (7 days).
    With commit=False the caller commits: an agent's approval writes the request's status, the
    praticien, his account, the link and both audit rows in one transaction."""
    db.session.add(compte)
    db.session.flush()
    token = create_activation(compte)
    record("compte.creation", "succes", compte=compte, objet_type="compte", objet_id=compte.id)
    if commit:
        db.session.commit()
    return activation_link(token)


@praticien_cli.command("create")
@click.option("--profession", required=True, type=click.Choice(sorted(PROFESSIONS)), help="Profession.")
@click.option("--nom", required=True, help="Nom.")
@click.option("--prenom", required=True, help="Prénom.")
@click.option("--email", required=True, help="Adresse e-mail (obligatoire).")
@click.option("--identifiant", required=True, help="Identifiant de connexion.")
@click.option("--specialite", default=None, help="Libellé affiché (par défaut : la profession).")
@click.option("--adeli", default=None, help="N° ADELI.")
@click.option("--rpps", default=None, help="N° RPPS.")
def create_command(profession, nom, prenom, email, identifiant, specialite, adeli, rpps):
    """Create a praticien and print his one-time activation link (valid 7 days)."""
    identifiant = identifiant.strip().lower()
    if "@" not in email or len(email) > 254:
        raise click.ClickException("adresse e-mail invalide")
    refuse_taken_identifiant(identifiant)
    praticien = Praticien(profession=profession, specialite=specialite or PROFESSIONS[profession], nom=nom.strip(),
                          prenom=prenom.strip(), email=email.strip(), adeli=adeli, rpps=rpps)
    compte = Compte(identifiant=identifiant, password_hash=None, role="praticien", praticien=praticien,
                    nom=praticien.nom, prenom=praticien.prenom)
    link = create_with_activation_link(compte)
    click.echo(f"Compte créé pour {prenom} {nom} ({identifiant}).")
    click.echo(f"Lien d'activation, à usage unique, valable {ACTIVATION_VALIDITY_WORDS} : {link}")


compte_cli = AppGroup("compte", help="Comptes : déblocage après trop de tentatives.")


@compte_cli.command("debloquer")
@click.argument("identifiant")
def unlock_command(identifiant: str):
    """Clear the failure count of an identifiant locked after too many attempts (audited)."""
    from app.auth.throttling import unlock

    identifiant = identifiant.strip().lower()
    compte = db.session.scalar(select(Compte).where(func.lower(Compte.identifiant) == identifiant))
    if not unlock(identifiant):
        raise click.ClickException(f"aucune tentative enregistrée pour « {identifiant} »")
    record("compte.deblocage", "succes", compte=compte, identifiant=identifiant, details="par un administrateur")
    db.session.commit()
    click.echo(f"« {identifiant} » est débloqué.")

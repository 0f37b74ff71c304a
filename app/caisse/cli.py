"""`flask caisse create-agent`: an account of the caisse's staff and its one-time activation link."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.audit.services import record
from app.auth.cli import create_activation
from app.domain.access import ROLE_LABELS, STAFF_ROLES
from app.extensions import db
from app.models import Compte

caisse_cli = AppGroup("caisse", help="Personnel de la caisse : agents et médecin conseil.")


@caisse_cli.command("create-agent")
@click.option("--role", required=True, type=click.Choice(sorted(STAFF_ROLES)), help="agent ou medecin_conseil.")
@click.option("--nom", required=True, help="Nom.")
@click.option("--prenom", required=True, help="Prénom.")
@click.option("--identifiant", required=True, help="Identifiant de connexion.")
def create_agent_command(role, nom, prenom, identifiant):
    """Create a staff account (no praticien) and print its one-time activation link (valid 7 days):
    he chooses his password and enrols his own phone, as a praticien does."""
    identifiant = identifiant.strip().lower()
    if db.session.scalar(select(func.count()).select_from(Compte).where(func.lower(Compte.identifiant) == identifiant)):
        raise click.ClickException(f"l'identifiant « {identifiant} » est déjà pris")
    compte = Compte(identifiant=identifiant, password_hash=None, role=role, praticien_id=None,
                    nom=nom.strip(), prenom=prenom.strip())
    db.session.add(compte)
    db.session.flush()
    token = create_activation(compte)
    record("compte.creation", "succes", compte=compte, objet_type="compte", objet_id=compte.id)
    db.session.commit()
    base = current_app.config["FSE_BASE_URL"].rstrip("/")
    click.echo(f"Compte {ROLE_LABELS[role].lower()} créé pour {prenom} {nom} ({identifiant}).")
    click.echo(f"Lien d'activation, à usage unique, valable 7 jours : {base}/activation/{token}")

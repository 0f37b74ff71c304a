"""`flask caisse create-agent`: an account of the caisse's staff and its one-time activation link."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.auth.cli import ACTIVATION_VALIDITY_WORDS, create_with_activation_link, refuse_taken_identifiant
from app.domain.access import ROLE_LABELS, STAFF_ROLES
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
    refuse_taken_identifiant(identifiant)
    link = create_with_activation_link(Compte(identifiant=identifiant, password_hash=None, role=role,
                                              praticien_id=None, nom=nom.strip(), prenom=prenom.strip()))
    click.echo(f"Compte {ROLE_LABELS[role].lower()} créé pour {prenom} {nom} ({identifiant}).")
    click.echo(f"Lien d'activation, à usage unique, valable {ACTIVATION_VALIDITY_WORDS} : {link}")

"""`flask demo seed` and `flask demo totp`: demo data and the current code of a demo account."""

from __future__ import annotations

import time

import click
import pyotp
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from app.demo.practice import seed_practice
from app.demo.seed import DemoRefused, seed_demo
from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import Compte
from app.models.types import utcnow
from app.security.crypto import decrypt_secret

demo_cli = AppGroup("demo", help="Données de démonstration (refusées en production).")


@demo_cli.command("seed")
@click.option("--foyers", default=20000, show_default=True, help="Nombre de foyers aléatoires.")
@click.option("--graine", default=2026, show_default=True, help="Graine du générateur (déterministe).")
@click.option("--activite/--sans-activite", default=True, show_default=True,
              help="Une année d'activité des praticiens de démonstration (FSE, ordipostes, FSE pré-codées, "
                   "formulaires).")
def seed_command(foyers: int, graine: int, activite: bool):
    """Load the demo accounts, the demo registry if it is empty, and a year of practice."""
    started = time.perf_counter()
    try:
        written = seed_demo(db.session, current_app.config["FSE_ENV"], today_in_monaco(), foyers, graine)
        db.session.flush()
        seeded = seed_practice(db.session, today_in_monaco(), utcnow(), graine) if activite else None
        db.session.commit()
    except DemoRefused as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    if written:
        click.echo(f"{written} foyers de démonstration chargés en {time.perf_counter() - started:.1f} s.")
    else:
        click.echo("Registre déjà chargé : données existantes conservées.")
    if seeded and seeded.fse:
        click.echo(f"{seeded.fse} FSE de démonstration transmises (historique, ordipostes, FSE pré-codées).")
    if seeded and seeded.formulaires:
        click.echo(f"{seeded.formulaires} formulaires de démonstration transmis (IT, ETM, invalidité).")
    click.echo("Comptes de démonstration prêts (voir README.md, « Comptes de démonstration »).")


@demo_cli.command("totp")
@click.argument("identifiant")
def totp_command(identifiant: str):
    """Print the current TOTP code of a demo account."""
    if current_app.config["FSE_ENV"] == "production":
        raise click.ClickException("refusé en production (FSE_ENV=production)")
    compte = db.session.scalar(select(Compte).where(Compte.identifiant == identifiant.strip().lower()))
    if compte is None or compte.appareil is None:
        raise click.ClickException(f"aucun appareil de double authentification pour « {identifiant} »")
    totp = pyotp.TOTP(decrypt_secret(compte.appareil.secret_chiffre))
    remaining = 30 - int(time.time()) % 30
    click.echo(f"{totp.now()}  (valable encore {remaining} s)")

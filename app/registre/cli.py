"""`flask registre import FICHIER`: the households CSV (app/registre/FORMAT.md), with a progress bar
over the checks and over the writes; all or nothing, audited without an account (like the web
import, whose code it shares). A refused file prints its lines and exits with status 1."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.extensions import db
from app.registre import importer

registre_cli = AppGroup("registre", help="Registre des assurés : foyers, bénéficiaires, droits, exonérations.")

ACTION = "caisse.registre.import"
ORIGIN = ("127.0.0.1", "flask registre import")  # the audit row's origin: the server's command line


@registre_cli.command("import")
@click.argument("fichier", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(fichier: Path):
    """Check the whole file, then create or update its households and members; one refused line
    and nothing is written (format: app/registre/FORMAT.md)."""
    data = fichier.read_bytes()
    estimated = max(data.count(b"\n") - 1, 1)
    with click.progressbar(length=estimated, label="Vérification", show_pos=True) as bar:
        parsed, report = importer.check_file(db.session, data, fichier.name, progress=bar.update)
    if report.refused:
        _refuse(report)
    with click.progressbar(length=len(parsed.rows), label="Écriture   ", show_pos=True) as bar:
        try:
            importer.write_rows(db.session, parsed.rows, report, progress=bar.update)
        except IntegrityError:
            db.session.rollback()
            raise click.ClickException("le registre a été modifié pendant l'import (un autre import en même "
                                       "temps ?) : rien n'a été enregistré ; recommencez.") from None
    record(ACTION, "succes", objet_type="registre", details=report.summary(), origine=ORIGIN)
    db.session.commit()
    click.echo(f"« {report.fichier} » importé : {report.lignes} lignes (sha256 {report.sha256}).")
    click.echo(f"Foyers        : {report.foyers.words()}")
    click.echo(f"Bénéficiaires : {report.membres.words()}")
    click.echo(f"Exonérations remplacées : {report.exonerations_remplacees} bénéficiaire(s)")
    if not report.changed and not report.exonerations_remplacees:
        click.echo("Registre déjà à jour : aucune modification.")


def _refuse(report: importer.RegistreReport) -> None:
    db.session.rollback()
    record(ACTION, "refus", objet_type="registre", details=report.summary(), origine=ORIGIN)
    db.session.commit()
    click.echo(f"Fichier refusé, rien n'a été modifié : {report.error_total} erreur(s).", err=True)
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.more_errors:
        click.echo(f"  … et {report.more_errors} autre(s) erreur(s).", err=True)
    raise SystemExit(1)

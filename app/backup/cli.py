"""`flask backup [DESTINATION]` and `flask restore SOURCE [--oui]` (README, « Production »)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.backup.services import BackupError, create_backup, restore_backup

YES = {"o", "oui", "y", "yes"}


@click.command("backup")
@with_appcontext
@click.argument("destination", required=False, type=click.Path(file_okay=False, path_type=Path))
def backup_command(destination: Path | None):
    """Sauvegarde cohérente de la base, portail en service (SQLite : API de sauvegarde ; PostgreSQL :
    pg_dump), avec son manifeste. DESTINATION : dossier des sauvegardes (par défaut instance/sauvegardes/)."""
    try:
        result = create_backup(destination, echo=click.echo)
    except BackupError as exc:
        click.echo(f"Sauvegarde impossible : {exc}", err=True)
        sys.exit(1)
    manifest = result.manifest
    journal = manifest["journal_audit"]
    click.echo(f"Sauvegarde écrite : {result.folder}")
    click.echo(f"  {manifest['fichier']} : {manifest['taille']} octets, SHA-256 {manifest['sha256']}")
    click.echo(f"  {result.folder / 'manifeste.json'} : {len(manifest['tables'])} tables, {manifest['lignes']} lignes, "
               f"révision {manifest['revision_alembic']}, journal d'audit jusqu'à la ligne "
               f"n° {journal['dernier_numero'] or 0}")
    if not journal["integre"]:
        click.echo(f"Attention : {journal['verification']} Cette sauvegarde sera refusée à la restauration ; "
                   f"conservez-la comme pièce et examinez la base.", err=True)


@click.command("restore")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--oui", is_flag=True, help="Remplacer sans demander de confirmation (tâche planifiée, exercice).")
def restore_command(source: Path, oui: bool):
    """Restaure une sauvegarde (dossier ou son manifeste) après l'avoir vérifiée sur une copie :
    empreinte, intégrité, révision, nombre de lignes, journal d'audit. Arrêtez le portail avant."""
    click.echo("Le portail doit être arrêté pendant la restauration (systemctl stop portail-fse).")

    def confirm(question: str) -> bool:
        if oui:
            return True
        answer = click.prompt(f"{question} [o/N]", default="n", show_default=False)
        return answer.strip().lower() in YES

    try:
        result = restore_backup(source, confirm, echo=click.echo)
    except BackupError as exc:
        click.echo(str(exc) if str(exc).startswith("Restauration") else f"Restauration impossible : {exc}", err=True)
        sys.exit(1)
    click.echo(f"Base restaurée : {result.target}, depuis la sauvegarde du {result.manifest.get('cree_le')}.")
    for note in result.notes:
        click.echo(note)
    if result.revision_to_upgrade:
        click.echo("Exécutez maintenant « flask db upgrade », puis redémarrez le portail.")
    else:
        click.echo("Redémarrez le portail.")

"""`flask referentiel import`: load or refresh the nomenclatures, tariffs and Convention rules."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models import ImportReferentiel
from app.referentiel.importer import Sources, import_referentiel
from app.referentiel.parsing import ReferentielError

referentiel_cli = AppGroup("referentiel", help="Données de référence : nomenclatures, tarifs, Convention.")

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


@referentiel_cli.command("import")
@click.option("--ccam", type=_FILE, help="Actes CCAM (format IR_CCAM_V63).")
@click.option("--prestations", type=_FILE, help="Natures de prestation NGAP (format IR_NAT_V).")
@click.option("--etm", type=_FILE, help="Natures d'exonération (format IR_ETM_V).")
@click.option("--tarifs", type=_FILE, help="Fichier de tarifs (format de tarifs-exemple.csv).")
@click.option("--convention", type=_FILE, help="Règles de la Convention (format convention.toml).")
@click.option("--exemple/--officiel", default=None,
              help="Marquer les tarifs comme données d'exemple ou officielles "
                   "(par défaut : exemple seulement s'il s'agit du fichier d'exemple livré).")
@click.option("--si-vide", "only_if_empty", is_flag=True,
              help="Ne rien faire si un référentiel est déjà chargé (utilisé par make run).")
def import_command(ccam, prestations, etm, tarifs, convention, exemple, only_if_empty):
    """Import (or re-import) the reference files; all or nothing."""
    if only_if_empty and db.session.get(ImportReferentiel, "tarifs") is not None:
        click.echo("Référentiel déjà chargé : conservé tel quel.")
        return
    defaults = Sources()
    sources = Sources(
        ccam=ccam or defaults.ccam, prestations=prestations or defaults.prestations,
        etm=etm or defaults.etm, tarifs=tarifs or defaults.tarifs,
        convention=convention or defaults.convention,
    )
    try:
        report = import_referentiel(db.session, sources, exemple)
        db.session.commit()
    except ReferentielError as exc:
        db.session.rollback()
        raise click.ClickException(f"import refusé, rien n'a été modifié — {exc}") from None
    for name, part in report.parts.items():
        click.echo(f"{name:<11} {part.lignes:>6} lignes : {part.ajoutees} ajoutées, "
                   f"{part.modifiees} modifiées, {part.supprimees} supprimées")
    if not report.changed:
        click.echo("Référentiel déjà à jour : aucune modification.")
    if report.tarifs_exemple:
        click.echo("Attention : tarifs d'EXEMPLE (non officiels) ; le portail affiche « Données d'exemple ».")

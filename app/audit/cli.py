"""`flask audit verify`: check the audit trail's hash chain, for operators and scheduled jobs."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.audit.services import verify_chain

audit_cli = AppGroup("audit", help="Journal d'audit : vérification de la chaîne d'empreintes.")


@audit_cli.command("verify")
def verify_command():
    """Verify the journal; exit status 1 when it has been altered, so that a cron job can alert."""
    ok, _checked, message = verify_chain()
    click.echo(message, err=not ok)
    if not ok:
        sys.exit(1)

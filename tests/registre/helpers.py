"""Helpers of the registry import's tests: files, and the registry as plain tuples."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.domain.registre import COLUMNS
from app.extensions import db
from app.models import Beneficiaire, Exoneration, Foyer

SAMPLE = Path(__file__).resolve().parents[2] / "app" / "registre" / "exemple-registre.csv"
HEADER = ";".join(COLUMNS)


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    text = "\n".join([header, *lines]) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


def snapshot() -> tuple[list, list, list]:
    """Every household, member and exoneration, as tuples of their natural keys and values."""
    db.session.expire_all()
    foyers = [tuple(r) for r in db.session.execute(
        select(Foyer.matricule, Foyer.code_fse, Foyer.caisse, Foyer.couleur_carte).order_by(Foyer.matricule))]
    membres = [tuple(r) for r in db.session.execute(
        select(Foyer.matricule, Beneficiaire.rang, Beneficiaire.qualite, Beneficiaire.nom, Beneficiaire.prenom,
               Beneficiaire.date_naissance, Beneficiaire.droits_debut, Beneficiaire.droits_fin)
        .join(Foyer, Foyer.id == Beneficiaire.foyer_id).order_by(Foyer.matricule, Beneficiaire.rang))]
    exonerations = [tuple(r) for r in db.session.execute(
        select(Foyer.matricule, Beneficiaire.rang, Exoneration.nature_code, Exoneration.date_debut,
               Exoneration.date_fin)
        .join(Beneficiaire, Beneficiaire.id == Exoneration.beneficiaire_id)
        .join(Foyer, Foyer.id == Beneficiaire.foyer_id)
        .order_by(Foyer.matricule, Beneficiaire.rang, Exoneration.date_debut))]
    return foyers, membres, exonerations


def with_line_replaced(data: bytes, line: int, new_line: str) -> bytes:
    """The file with its line `line` (header = 1) replaced."""
    lines = data.decode("utf-8").split("\n")
    lines[line - 1] = new_line
    return "\n".join(lines).encode("utf-8")

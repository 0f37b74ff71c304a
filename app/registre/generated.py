"""A registry file written from households (app/demo/generator.py's), in the import's format: the
deterministic large files of the benchmark and of the tests (the same arguments, the same bytes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from app.demo.generator import FoyerData, generate_registry
from app.domain.registre import COLUMNS

GENERATED_ON = date(2026, 1, 15)  # a fixed day: the same file whatever the day it is made


def _day(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def registry_lines(households: Iterable[FoyerData], limit: int | None = None) -> list[str]:
    """The header and one line per member (at most `limit` members; a cut household keeps its first
    rangs, so its assuré), `;`-separated, with `\\n` endings."""
    lines = [";".join(COLUMNS) + "\n"]
    count = 0
    for foyer in households:
        for member in foyer.membres:
            if limit is not None and count >= limit:
                return lines
            etm = "|".join(f"{e.nature_code}:{_day(e.date_debut)}:{_day(e.date_fin)}".rstrip(":")
                           for e in member.exonerations)
            lines.append(";".join((foyer.matricule, foyer.code_fse, foyer.caisse, foyer.couleur_carte,
                                   str(member.rang), member.qualite, member.nom, member.prenom,
                                   # the demo's fixed card of a toddler opens his rights in 2020,
                                   # before his birth, which the import refuses: from his birth here
                                   _day(member.date_naissance), _day(max(member.droits_debut, member.date_naissance)),
                                   _day(member.droits_fin), etm)) + "\n")
            count += 1
    return lines


def generated_registry(members: int, seed: int = 2026) -> bytes:
    """A UTF-8 file of exactly `members` members (enough seeded households, then cut)."""
    households = generate_registry(members // 2 + 10, GENERATED_ON, seed)  # about 2.4 members each
    lines = registry_lines(households, members)
    if len(lines) - 1 < members:
        raise ValueError(f"{members} membres demandés, {len(lines) - 1} générés")
    return "".join(lines).encode("utf-8")

"""The caisse's changes of the Convention's colour rules: the overview per colour, a change scheduled
from a date of effect (replacing one scheduled on that same date only when the agent saw it), and the
cancellation of a change whose date has not come. Each with its audit row in the caller's transaction.

A scheduled change that is replaced or cancelled never priced anything, so its row goes; the audit
trail keeps its values. A change whose date has come stays for good: it prices the care of its days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.referentiel.cache import bump
from app.audit.services import record
from app.domain.colour_rules import Timeline, check_change, describe, timeline
from app.domain.convention import CARD_COLOURS, ColourRule
from app.extensions import db
from app.models import RegleCouleur, RegleCouleurDatee
from app.referentiel.services import convention_rules

OBJET = "regle_couleur"


class RuleChangeError(Exception):
    """A change refused: the field concerned and the French message."""

    def __init__(self, field: str, message: str, existing: RegleCouleurDatee | None = None):
        self.field, self.existing = field, existing
        super().__init__(message)


@dataclass(frozen=True)
class ColourOverview:
    """One colour as the agent sees it: the file's rule, the rule in force today and its changes."""

    couleur: str
    libelle: str
    file_rule: ColourRule
    today_rule: ColourRule
    timeline: Timeline


def overview(today: date) -> list[ColourOverview]:
    """Every colour, in the Convention's order, seen from today."""
    rules = convention_rules(today)
    files = {r.couleur: r for r in db.session.scalars(select(RegleCouleur))}
    changes = db.session.scalars(select(RegleCouleurDatee).options(selectinload(RegleCouleurDatee.cree_par))).all()
    result = []
    for couleur in CARD_COLOURS:
        base = files[couleur]
        result.append(ColourOverview(
            couleur=couleur, libelle=base.libelle,
            file_rule=ColourRule(couleur, base.libelle, base.depassement, base.coefficient_max, base.hnp),
            today_rule=rules.colour(couleur),
            timeline=timeline([c for c in changes if c.couleur == couleur], today)))
    return result


def _said(change: RegleCouleurDatee) -> str:
    return (f"{change.couleur} au {change.date_effet.strftime('%d/%m/%Y')} : "
            f"{describe(change.depassement, change.coefficient_max, change.hnp)} (motif : {change.motif[:100]})")


def change_token(change: RegleCouleurDatee) -> str:
    """Names one recorded change for a confirmation: its id and the instant it was recorded (an id
    alone may come back after a deletion on SQLite)."""
    return f"{change.id}.{change.cree_le.strftime('%Y%m%d%H%M%S%f')}"


def scheduled_on(couleur: str, day: date) -> RegleCouleurDatee | None:
    """The change of this colour dated that day, if any."""
    return db.session.scalar(select(RegleCouleurDatee).where(RegleCouleurDatee.couleur == couleur,
                                                             RegleCouleurDatee.date_effet == day))


def schedule_change(compte, couleur: str, depassement: bool, coefficient_max: Decimal, hnp: bool,
                    date_effet: date, motif: str, today: date, replaces: str | None = None) -> RegleCouleurDatee:
    """Record a change of a colour's rule from its date of effect, with its audit row (the caller
    commits). A change already scheduled on that date is replaced only when `replaces` names it (the
    agent was shown it: its change_token); otherwise RuleChangeError carries it. The session is rolled back on a race."""
    motif = motif.strip()
    problems = check_change(depassement, coefficient_max, date_effet, motif, today)
    if problems:
        field, message = next(iter(problems.items()))
        raise RuleChangeError(field, message)
    before = convention_rules(date_effet - timedelta(days=1)).colour(couleur)
    existing = scheduled_on(couleur, date_effet)
    if existing is not None and change_token(existing) != replaces:
        raise RuleChangeError("date_effet", (
            f"Une modification est déjà prévue pour la carte {before.libelle.lower()} le "
            f"{date_effet.strftime('%d/%m/%Y')} ({describe(existing.depassement, existing.coefficient_max, existing.hnp)}"
            f", par {existing.cree_par.prenom} {existing.cree_par.nom}). Envoyez de nouveau pour la remplacer "
            "par celle-ci, ou choisissez une autre date."), existing=existing)
    if (before.depassement, before.coefficient_max, before.hnp) == (depassement, coefficient_max, hnp):
        hint = " Annulez plutôt la modification prévue à cette date." if existing is not None else ""
        raise RuleChangeError("coefficient_max", (
            f"C'est déjà la règle de la carte {before.libelle.lower()} la veille du "
            f"{date_effet.strftime('%d/%m/%Y')} : cette modification ne changerait rien.{hint}"))
    details = f"avant : {describe(before.depassement, before.coefficient_max, before.hnp)}"
    if existing is not None:
        replaced = _said(existing)
        gone = db.session.execute(delete(RegleCouleurDatee).where(
            RegleCouleurDatee.id == existing.id, RegleCouleurDatee.cree_le == existing.cree_le,
            RegleCouleurDatee.date_effet > today)
            .execution_options(synchronize_session=False)).rowcount
        if gone != 1:
            db.session.rollback()
            raise RuleChangeError("date_effet", "La modification prévue à cette date vient d'être annulée ou "
                                                "remplacée par un(e) collègue : vérifiez la page, puis recommencez.")
        db.session.expunge(existing)
        details += f" ; remplace la modification prévue ({replaced})"
    change = RegleCouleurDatee(couleur=couleur, date_effet=date_effet, depassement=depassement,
                               coefficient_max=coefficient_max, hnp=hnp, motif=motif, cree_par_id=compte.id)
    db.session.add(change)
    bump()  # every process's cached rules are stale now
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise RuleChangeError("date_effet", "Un(e) collègue vient d'enregistrer une modification de cette carte à "
                                            "la même date : vérifiez la page, puis recommencez.") from None
    record("caisse.convention.modification", "succes", compte=compte, objet_type=OBJET, objet_id=change.id,
           details=f"{_said(change)} ; {details}")
    return change


def cancel_change(compte, change_id: int, today: date) -> RegleCouleurDatee:
    """Cancel a scheduled change (its date not come), with its audit row; RuleChangeError otherwise."""
    change = db.session.get(RegleCouleurDatee, change_id)
    if change is None:
        raise RuleChangeError("", "Cette modification n'existe plus : un(e) collègue l'a sans doute déjà annulée "
                                  "ou remplacée.")
    said, day = _said(change), change.date_effet
    gone = db.session.execute(delete(RegleCouleurDatee).where(
        RegleCouleurDatee.id == change.id, RegleCouleurDatee.date_effet > today)
        .execution_options(synchronize_session=False)).rowcount
    if gone != 1:
        db.session.rollback()
        if day > today:  # deleted by a colleague between the read and the delete
            raise RuleChangeError("", "Cette modification vient d'être annulée ou remplacée par un(e) collègue.")
        raise RuleChangeError("", f"La modification du {day.strftime('%d/%m/%Y')} est en vigueur : elle ne peut "
                                  "plus être annulée. Programmez une nouvelle modification.")
    db.session.expunge(change)
    bump()  # every process's cached rules are stale now
    record("caisse.convention.annulation", "succes", compte=compte, objet_type=OBJET, objet_id=change_id,
           details=said)
    return change

"""The Convention's colour rules are dated: a change by the caisse applies to care given from its date
of effect, the file's rule before it, and the latest change in force wins."""

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.models import Compte, RegleCouleurDatee
from app.referentiel.services import convention_rules


def change(db, couleur, day, coefficient, depassement=True, hnp=False):
    agent = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    db.session.add(RegleCouleurDatee(couleur=couleur, date_effet=day, depassement=depassement,
                                     coefficient_max=Decimal(coefficient), hnp=hnp, motif="Avenant",
                                     cree_par_id=agent.id))
    db.session.flush()


def test_the_file_rule_holds_until_the_first_change(db, demo_accounts):
    assert convention_rules(date(2026, 1, 1)).colour("rose").coefficient_max == Decimal("1.20")
    change(db, "rose", date(2027, 1, 1), "1.30")
    assert convention_rules(date(2026, 12, 31)).colour("rose").coefficient_max == Decimal("1.20")
    assert convention_rules(date(2027, 1, 1)).colour("rose").coefficient_max == Decimal("1.30")
    assert convention_rules(date(2027, 1, 1)).colour("rose").libelle == "Rose"
    assert convention_rules(date(2027, 1, 1)).colour("bulle").coefficient_max == Decimal("2.00")


def test_the_latest_change_in_force_wins(db, demo_accounts):
    change(db, "verte", date(2027, 1, 1), "1.00", depassement=False, hnp=False)
    change(db, "verte", date(2027, 6, 1), "1.00", depassement=False, hnp=True)
    assert convention_rules(date(2026, 12, 1)).colour("verte").hnp is True
    assert convention_rules(date(2027, 3, 1)).colour("verte").hnp is False
    assert convention_rules(date(2027, 6, 1)).colour("verte").hnp is True

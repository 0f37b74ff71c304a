"""Helpers of the forms' route tests: the values of each kind, what the database holds afterwards,
and the stale CSRF token of the FSE page's tests."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, timedelta

from sqlalchemy import func, select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.formulaires import medical
from app.models import Formulaire, JournalAudit
from tests.fse.test_fse_fixes import stale_token  # noqa: F401 - shared with the forms' tests

HX = {"HX-Request": "true"}
NEUTRAL_IT = "Matricule ou code FSE incorrect : vérifiez la carte d'immatriculation."
NEUTRAL_REQUESTS = "Matricule, code FSE ou date de naissance incorrect : vérifiez la carte d'immatriculation."
REQUIRED = "Zone obligatoire : renseignez-la pour transmettre."
CHANGED_ELSEWHERE = "Ce formulaire a été modifié depuis un autre onglet ou une autre tablette"
EXPIRED = "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau."
NOT_SENT = "Le formulaire ne peut pas être transmis : corrigez les zones signalées."


def fr(day: date) -> str:
    """A date as the praticien types it: jj/mm/aaaa."""
    return f"{day:%d/%m/%Y}"


def days(n: int) -> date:
    """Today (Monaco) moved by n days."""
    return today_in_monaco() + timedelta(days=n)


def body(response) -> str:
    """A response's text with the HTML entities of quotes undone (« l'arrêt » as typed)."""
    return html_lib.unescape(response.get_data(as_text=True))


def field_error(html: str, field: str) -> str | None:
    """The message shown next to a field (its `<p class="field-error" id="…-erreur">`), or None."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-erreur">(.*?)</p>', html, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def etm_values(**overrides) -> dict:
    values = {"etm_nature_code": "41", "duree_mois": "24", "telephone": "+377 93 00 00 01",
              "adresse": "4, rue Grimaldi, Monaco", "affection": "Diabète de type 2 insulinorequérant",
              "arguments": "HbA1c à 9,2 % malgré bithérapie orale"}
    values.update(overrides)
    return values


def invalidite_values(**overrides) -> dict:
    values = {"date_arret": fr(days(-120)), "telephone": "06 12 34 56 78", "adresse": "7, avenue de Grande-Bretagne",
              "diagnostics": "Coxarthrose bilatérale évoluée",
              "incapacite": "Périmètre de marche inférieur à cent mètres",
              "traitement": "Antalgiques de palier deux, kinésithérapie", "pronostic": "Arthroplastie envisagée"}
    values.update(overrides)
    return values


def fresh():
    """End the test's own transaction, so that the next queries see what the requests committed."""
    db.session.rollback()


def sent(kind: str | None = None) -> list[Formulaire]:
    """The transmitted documents (of one kind), oldest first."""
    fresh()
    query = select(Formulaire).where(Formulaire.statut != "brouillon")
    if kind:
        query = query.where(Formulaire.type == kind)
    return list(db.session.scalars(query.order_by(Formulaire.id)))


def count_sent(kind: str | None = None) -> int:
    fresh()
    query = select(func.count()).select_from(Formulaire).where(Formulaire.statut != "brouillon")
    if kind:
        query = query.where(Formulaire.type == kind)
    return db.session.scalar(query)


def draft_of(kind: str) -> Formulaire | None:
    """The draft of this kind (the tests sign in one praticien at a time)."""
    fresh()
    return db.session.scalar(select(Formulaire).where(Formulaire.type == kind, Formulaire.statut == "brouillon"))


def medical_of(document: Formulaire) -> dict:
    return medical.unseal(document.elements_medicaux)


def audit(action: str) -> list[JournalAudit]:
    fresh()
    return list(db.session.scalars(select(JournalAudit).where(JournalAudit.action == action)
                                   .order_by(JournalAudit.numero)))

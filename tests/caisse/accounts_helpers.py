"""Helpers of the agent's « Demandes d'abonnement » and « Praticiens » tests."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.models import DemandeAbonnement, JournalAudit
from tests.conftest import AuthActions, csrf_from

HX = {"HX-Request": "true"}
ALREADY_TREATED = "Cette demande a déjà été traitée : voici sa décision."
SUSPENDED = "L'accès de ce cabinet au portail est suspendu par la caisse. Contactez la caisse."


def body(response) -> str:
    return response.get_data(as_text=True)


def text(html: str) -> str:
    """The page's words, tags removed and spaces collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-erreur">(.*?)</p>', html, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def input_value(html: str, field: str) -> str | None:
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field)}"[^>]*>', html)
    value = tag and re.search(r'value="([^"]*)"', tag.group(0))
    return html_lib.unescape(value.group(1)) if value else None


def signed_in(client, totp_clock, identifiant="agent.demo", password="Demo-FSE-2026") -> AuthActions:
    actions = AuthActions(client, totp_clock)
    actions.login(identifiant, password)
    return actions


def post(client, path: str, data: dict | None = None, page: str = "/caisse", **kwargs):
    """POST with the CSRF token of a page this client can see."""
    token = csrf_from(body(client.get(page)))
    return client.post(path, data={"csrf_token": token, **(data or {})}, **kwargs)


def demande(jeton: str = "demo-demande-orthophoniste") -> DemandeAbonnement:
    db.session.expire_all()
    return db.session.scalar(select(DemandeAbonnement).where(DemandeAbonnement.jeton == jeton))


def new_demande(**overrides) -> DemandeAbonnement:
    """A pending request as the public page stores it."""
    values = dict(reference=f"AB-20261120-{overrides.pop('suffix', 'TSTABC')}", jeton=overrides.pop("jeton", "t" * 32),
                  profession="medecin", nom="Sangiorgio", prenom="Hélène", adeli=None, rpps="10009321455",
                  sans_carte_cps=False, email="helene.sangiorgio@exemple.mc", mobile="+377 6 80 86 24 13",
                  fixe=None, fait_a="Monaco", fait_le=date(2026, 11, 20), contrat_accepte=True)
    values.update(overrides)
    row = DemandeAbonnement(**values)
    db.session.add(row)
    db.session.commit()
    db.session.refresh(row)
    db.session.expunge(row)  # its values stay readable after the requests (each has its own context)
    return row


def audit(action: str) -> list[JournalAudit]:
    db.session.expire_all()
    return list(db.session.scalars(select(JournalAudit).where(JournalAudit.action == action)
                                   .order_by(JournalAudit.numero)))

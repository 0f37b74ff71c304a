"""Helpers of the subscription request's route tests: the values of a valid request, a browser of
the public page, what the page shows next to a field, what the database holds."""

from __future__ import annotations

import html as html_lib
import re

from sqlalchemy import func, select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import DemandeAbonnement
from tests.conftest import csrf_from

HX = {"HX-Request": "true"}
NOT_SENT = "La demande n'est pas envoyée : corrigez les zones signalées."
THROTTLED = "Trop de demandes d'abonnement envoyées depuis cette connexion : réessayez dans"
EXPIRED = "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau."


def body(response) -> str:
    """The text of a response with its HTML entities undone (« l'article » as typed)."""
    return html_lib.unescape(response.get_data(as_text=True))


def field_error(html: str, field: str) -> str | None:
    """The message shown next to a field (its `<p class="field-error" id="…-erreur">`), or None."""
    match = re.search(rf'<p class="field-error" id="{re.escape(field)}-erreur">(.*?)</p>', html, re.S)
    return html_lib.unescape(match.group(1)) if match else None


def input_tag(html: str, field: str) -> str:
    """The `<input>` tag of a field, from the raw HTML (empty when absent)."""
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field)}"[^>]*>', html)
    return tag.group(0) if tag else ""


def input_value(html: str, field: str) -> str | None:
    """What a field shows (its value attribute), or None."""
    value = re.search(r'\bvalue="([^"]*)"', input_tag(html, field))
    return html_lib.unescape(value.group(1)) if value else None


def valid_values(**overrides) -> dict:
    """A request that goes through, with some fields changed (None leaves a field out of the post)."""
    values = {"nom": "Rossi", "prenom": "Anne-Marie", "profession": "medecin", "carte": "carte",
              "adeli": "", "rpps": "10003456786", "email": "anne.rossi@exemple.mc", "mobile": "+377 6 12 34 56 78",
              "fixe": "93 15 43 44", "fait_a": "Monaco", "fait_le": f"{today_in_monaco():%d/%m/%Y}",
              "contrat_accepte": "y"}
    values.update(overrides)
    return {key: value for key, value in values.items() if value is not None}


class Requester:
    """A browser of the public page: it opens the form (its CSRF token and one-time token), then posts."""

    def __init__(self, client, address="127.0.0.1"):
        self.client, self.address = client, address

    def open(self):
        page = self.client.get("/abonnement", environ_base={"REMOTE_ADDR": self.address})
        html = page.get_data(as_text=True)
        self.csrf = csrf_from(html)
        self.jeton = re.search(r'id="jeton" name="jeton" type="hidden" value="([^"]+)"', html).group(1)
        return page

    def send(self, values=None, headers=None, fresh=True, **overrides):
        if fresh:
            self.open()
        data = {"csrf_token": self.csrf, "jeton": self.jeton, **(values or valid_values(**overrides))}
        return self.client.post("/abonnement", data=data, headers=headers or {},
                                environ_base={"REMOTE_ADDR": self.address})


def rows() -> list[DemandeAbonnement]:
    """The requests stored, in their order."""
    return list(db.session.scalars(select(DemandeAbonnement).order_by(DemandeAbonnement.id)))


def count() -> int:
    """How many requests are stored."""
    return db.session.scalar(select(func.count()).select_from(DemandeAbonnement))

"""Fixtures of the forms' tests: the médecin at his forms, through the real pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.domain.calendar import today_in_monaco


def text(response) -> str:
    return response.get_data(as_text=True)


class Doctor:
    """A praticien filling a form through its real page (CSRF, token and version as the page gives them)."""

    def __init__(self, auth, kind="it"):
        self.auth, self.client, self.kind = auth, auth.client, kind

    @property
    def path(self) -> str:
        return f"/formulaires/{self.kind}"

    def page(self) -> str:
        return text(self.client.get(self.path))

    def hidden(self, html: str) -> dict:
        return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("jeton", "version")}

    def post(self, action: str, data: dict, html: str | None = None, **kwargs):
        html = html or self.page()
        from tests.conftest import csrf_from

        payload = {"csrf_token": csrf_from(html), **self.hidden(html), "action": action, **data}
        return self.client.post(self.path, data=payload, **kwargs)

    def identify(self, matricule="100001", code_fse="K7P2", date_naissance="", **kwargs):
        return self.post("identifier", {"matricule": matricule, "code_fse": code_fse,
                                        "date_naissance": date_naissance}, **kwargs)

    def member_ids(self) -> list[str]:
        return re.findall(r'name="beneficiaire" value="(\d+)"', self.page())


def it_values(**overrides) -> dict:
    today = today_in_monaco()
    values = {"nature_arret": "initial", "date_debut": today.isoformat(),
              "date_fin": (today + timedelta(days=6)).isoformat(), "sorties": "oui",
              "sorties_horaires": "de 10 h à 12 h", "employeur": "Société des Bains de Mer",
              "telephone": "+377 93 00 00 00", "adresse": "12, boulevard des Moulins, Monaco",
              "motif": "Lombalgie aiguë hyperalgique", "elements_medicaux": "Contracture paravertébrale, Lasègue négatif"}
    values.update(overrides)
    return values


@pytest.fixture
def doctor(auth):
    auth.login("medecin.demo")
    return Doctor(auth)

"""The billing fragment computes the basket's state once: the state that validated the billed fee is the
one drawn (app/fse/basket.py computes it again only when it had to drop the HNP box). Without JavaScript
nothing is drawn by the POST: the page after the redirect draws the whole household."""

from __future__ import annotations

import pytest

from app.fse import basket, views
from tests.fse.test_statement_counts import Tablet


@pytest.fixture
def counted(monkeypatch):
    calls = []
    for module in (basket, views):
        real = module.build_state
        monkeypatch.setattr(module, "build_state", lambda *a, _real=real, **k: calls.append(k) or _real(*a, **k))
    return calls


def test_the_billing_fragment_builds_the_state_once(desk, counted):
    tablet = Tablet(desk)
    assert tablet.identify("100001", "K7P2").status_code == 200
    assert tablet.post("/fse/beneficiaire", {"beneficiaire_id": desk.member_ids()[0]}).status_code == 200
    assert tablet.ngap("C").status_code == 200
    counted.clear()
    response = tablet.post("/fse/facturation", {"montant_facture": "", "ponderation": ""})
    assert response.status_code == 200 and 'id="panier"' in response.get_data(as_text=True)
    assert len(counted) == 1


def test_without_javascript_the_page_is_drawn_with_its_household(desk, counted):
    tablet = Tablet(desk)
    assert tablet.identify("100001", "K7P2").status_code == 200
    assert tablet.post("/fse/beneficiaire", {"beneficiaire_id": desk.member_ids()[0]}).status_code == 200
    counted.clear()
    response = desk.client.post("/fse/facturation", data={"montant_facture": "", "ponderation": "",
                                                          "csrf_token": tablet.token})
    assert response.status_code == 302  # then the page, drawn with every member
    assert len(counted) == 1  # the POST validated with one state and drew nothing
    page = desk.client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('class="member-name"') >= 4

"""The CCAM line is offered to the professions that bill CCAM acts: those with at least one CCAM act
priced for them that day in the reference data. A nurse or a physiotherapist bills NGAP letter keys
only: no CCAM line (nor its search link) they could not price."""

from __future__ import annotations

from datetime import date

import pytest

from app.fse.catalogue import ccam_offered
from tests.fse.test_fse import Desk


@pytest.mark.parametrize("identifiant, offered", [("medecin.demo", True), ("dentiste.demo", True),
                                                  ("infirmier.demo", False), ("kine.demo", False)])
def test_the_fse_page_offers_the_ccam_line_to_who_bills_ccam(auth, identifiant, offered):
    auth.login(identifiant)
    desk = Desk(auth)
    assert desk.identify("100001", "K7P2").status_code == 302
    assert desk.choose(0).status_code == 302
    page = desk.client.get("/fse").get_data(as_text=True)
    assert 'id="ngap"' in page  # the NGAP line always
    assert ('id="ccam"' in page) is offered
    assert ("Facturation des actes CCAM" in page) is offered
    assert ("/fse/ccam/recherche" in page) is offered
    # After an NGAP act the entry lines come back out of band: the same lines.
    response = desk.post("/fse/ngap", {"lettre": desk_letter(identifiant), "coefficient": "1", "diviseur": "1"},
                         headers={"HX-Request": "true"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert ('id="ccam"' in response.get_data(as_text=True)) is offered


def desk_letter(identifiant: str) -> str:
    return {"medecin.demo": "C", "dentiste.demo": "C", "infirmier.demo": "AMI", "kine.demo": "AMK"}[identifiant]


def test_offered_follows_the_reference_data(app_ctx, demo_accounts):
    # The sample tariffs price CCAM acts for médecins, dentists and sages-femmes only.
    on = date(2026, 11, 22)
    assert [p for p in ("medecin", "dentiste", "sagefemme", "infirmier", "kine", "orthophoniste", "orthoptiste")
            if ccam_offered(p, on)] == ["medecin", "dentiste", "sagefemme"]

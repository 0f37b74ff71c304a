"""Two tabs (or two tablets of the same person) on one draft: a tab that shows an older state can
neither validate nor transmit it (SECURITY.md 27); a basket kept across patients is announced."""

import re

from tests.fse.test_fse import HX

VERSION = re.compile(r'name="version" value="(\d+)"')
VERSION_HIDDEN = re.compile(r'name="version" type="hidden" value="(\d+)"')


def _page(desk):
    return desk.client.get("/fse").get_data(as_text=True)


def _marc_with_a_consultation(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")


def _summary(desk):
    """« Valider » from the page as it is now: the summary's jeton and the version it showed."""
    summary = desk.post("/fse/valider", {"version": VERSION.search(_page(desk)).group(1)}).get_data(as_text=True)
    jeton = re.search(r'name="jeton" type="hidden" value="([^"]+)"', summary).group(1)
    return jeton, VERSION_HIDDEN.search(summary).group(1)


def test_a_stale_tab_cannot_validate_another_patient(desk):
    _marc_with_a_consultation(desk)
    tab1 = VERSION.search(_page(desk)).group(1)
    # The second tab identifies another patient.
    desk.identify("100003", "B9X3", "CAMTI")
    desk.choose(0)
    stale = desk.post("/fse/valider", {"version": tab1})
    assert stale.status_code == 302 and stale.headers["Location"].endswith("/fse")
    page = _page(desk)
    assert "modifiée depuis un autre onglet" in page
    # The page now shows the current state and validates.
    current = VERSION.search(page).group(1)
    assert current != tab1
    assert desk.post("/fse/valider", {"version": current}).status_code == 200


def test_an_act_added_in_another_tab_moves_the_version(desk):
    _marc_with_a_consultation(desk)
    before = VERSION.search(_page(desk)).group(1)
    desk.ngap("C", diviseur="2")
    after = VERSION.search(_page(desk)).group(1)
    assert after != before
    assert desk.post("/fse/valider", {"version": before}).status_code == 302


def test_a_change_between_the_summary_and_transmettre_refuses_the_transmission(desk):
    _marc_with_a_consultation(desk)
    jeton, seen = _summary(desk)
    desk.ngap("V", majorations=["MD"])  # another tab adds a visit
    refused = desk.post("/fse/transmettre", {"jeton": jeton, "version": seen})
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/fse")
    assert "modifiée depuis un autre onglet" in _page(desk)
    _, current = _summary(desk)
    sent = desk.post("/fse/transmettre", {"jeton": jeton, "version": current})
    assert "/accuse" in sent.headers["Location"]


def test_a_basket_kept_for_the_next_patient_is_announced(desk):
    desk.identify("100002", "R4M8")
    desk.choose(0)
    desk.ngap("C")
    desk.ngap("V", majorations=["MD"])
    fragment = desk.identify("100001", "K7P2", headers=HX).get_data(as_text=True)
    assert "Le panier garde 2 actes saisis avant ce changement de patient" in fragment
    # The same card again is no change of patient: no notice.
    again = desk.identify("100001", "K7P2", headers=HX).get_data(as_text=True)
    assert "Le panier garde" not in again


def test_a_refused_transmission_from_htmx_loads_the_fse_page_once(desk):
    _marc_with_a_consultation(desk)
    jeton, seen = _summary(desk)
    desk.identify("100003", "B9X3", "CAMTI")  # the other tab
    refused = desk.post("/fse/transmettre", {"jeton": jeton, "version": seen}, headers=HX)
    # Not a page swapped into the summary's form: htmx is told to load the FSE page.
    assert refused.status_code == 200 and refused.headers["HX-Redirect"].endswith("/fse")
    assert refused.get_data(as_text=True) == ""
    page = _page(desk)
    assert page.count("modifiée depuis un autre onglet") == 1

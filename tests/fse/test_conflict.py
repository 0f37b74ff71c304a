"""A tab showing an older state of the draft cannot write over a newer one (SECURITY.md 27): every
action of the FSE page that changes the draft checks the draft and version the page showed."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select, update

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.fse import services
from app.fse.conflict import CONFLICT
from app.models import Fse, JournalAudit
from tests.fse.test_fse import HX

SHOWN = re.compile(r'name="brouillon" value="(\d+)" data-fse="brouillon"><input type="hidden" name="version" '
                   r'value="(\d+)" data-fse="version">')


def _page(desk):
    return desk.client.get("/fse").get_data(as_text=True)


def shown(desk) -> dict:
    """The draft and version a tab opened now shows (every form of the page carries the same)."""
    found = set(SHOWN.findall(_page(desk)))
    assert len(found) == 1, found
    brouillon, version = found.pop()
    return {"brouillon": brouillon, "version": version}


def stored():
    """What the database holds of the draft: everything an action could change."""
    db.session.expire_all()
    fse = db.session.scalar(select(Fse).where(Fse.statut == "brouillon"))
    return (fse.id, fse.version, fse.foyer_id, fse.beneficiaire_id, fse.date_soins, fse.nature, fse.etm_appliquee,
            fse.montant_facture_saisi, fse.ponderation, fse.hnp, [line.detail for line in fse.lignes])


def lookups():
    return db.session.scalar(select(func.count()).select_from(JournalAudit)
                             .where(JournalAudit.action == "patient.recherche"))


def _line_id(desk):
    return re.search(r"/fse/lignes/(\d+)/supprimer", _page(desk)).group(1)


def _member_id(desk, index):
    return desk.member_ids()[index]


def _favourite(desk):
    desk.post(f"/fse/lignes/{_line_id(desk)}/favori", {})
    return re.search(r"/fse/favoris/(\d+)", _page(desk)).group(1)


def _basket(desk):
    desk.post("/fse-precodees/enregistrer", {"nom": "Consultation du test"})
    return re.search(r"/fse-precodees/(\d+)/appliquer", _page(desk)).group(1)


# Each action of the page: what to prepare (before the tab's state is read), then its path and form.
ACTIONS = {
    "identifier": (None, lambda desk, _: ("/fse/patient", {"matricule": "100003", "code_fse": "B9X3",
                                                           "caisse": "CAMTI"})),
    "beneficiaire": (None, lambda desk, _: ("/fse/beneficiaire", {"beneficiaire_id": _member_id(desk, 1)})),
    "conditions": (None, lambda desk, _: ("/fse/conditions", {"date_soins": today_in_monaco().strftime("%d/%m/%Y"),
                                                            "nature": "maladie", "etm_appliquee": "y"})),
    "facturation": (None, lambda desk, _: ("/fse/facturation", {"montant_facture": "", "ponderation": "", "hnp": "y"})),
    "ngap": (None, lambda desk, _: ("/fse/ngap", {"lettre": "C", "coefficient": "2", "diviseur": "1"})),
    "ccam": (None, lambda desk, _: ("/fse/ccam", {"code": "DEQP003", "activite": "1", "phase": "0",
                                                  "association": "1"})),
    "retirer": (_line_id, lambda desk, line: (f"/fse/lignes/{line}/supprimer", {})),
    "favori": (_favourite, lambda desk, favourite: (f"/fse/favoris/{favourite}", {})),
    "precodee": (_basket, lambda desk, basket: (f"/fse-precodees/{basket}/appliquer", {})),
    "reinitialiser": (None, lambda desk, _: ("/fse/reinitialiser", {})),
}


def _marc_with_a_consultation(desk):
    desk.identify("100001", "K7P2")
    desk.choose(0)
    desk.ngap("C")


@pytest.mark.parametrize("action", ACTIONS)
def test_a_stale_tab_writes_nothing_then_the_current_one_does(desk, action):
    prepare, request = ACTIONS[action]
    _marc_with_a_consultation(desk)
    prepared = prepare(desk) if prepare else None
    tab = shown(desk)
    desk.ngap("V", majorations=["MD"])  # the other tab adds a visit
    path, data = request(desk, prepared)
    before, lookups_before = stored(), lookups()
    assert str(before[1]) != tab["version"]

    for htmx in (False, True):
        refused = desk.post(path, {**data, **tab}, headers=HX if htmx else {})
        html = unescape(refused.get_data(as_text=True))
        assert stored() == before and lookups() == lookups_before  # nothing written, nothing looked up
        assert CONFLICT in html and 'id="fse-conflit"' in html
        assert "V 1 + MD" in html  # the basket as it is now
        current = shown(desk)
        if htmx:
            # The whole region, swapped by htmx (422), with the draft and version it now shows.
            assert refused.status_code == 422
            assert refused.headers["HX-Retarget"] == "#fse" and refused.headers["HX-Reswap"].startswith("outerHTML")
            assert (refused.headers["FSE-Brouillon"], refused.headers["FSE-Version"]) == (current["brouillon"],
                                                                                          current["version"])
            assert html.lstrip().startswith('<div id="fse"')
        else:
            assert refused.status_code == 409 and "<html" in html
        assert f'value="{current["version"]}" data-fse="version"' in html

    # Done again from the page as it is now, the action goes through.
    path, data = request(desk, prepared)
    done = desk.post(path, {**data, **current}, headers=HX)
    plain_form = action == "reinitialiser"  # its confirmation page is a plain form: a redirect either way
    assert done.status_code == (302 if plain_form else 200), done.get_data(as_text=True)
    assert stored() != before
    if not plain_form:
        assert done.headers["FSE-Version"] == str(stored()[1])


def test_the_entry_line_keeps_what_was_typed(desk):
    _marc_with_a_consultation(desk)
    tab = shown(desk)
    desk.ngap("V", majorations=["MD"])
    html = desk.post("/fse/ngap", {"lettre": "K", "coefficient": "2,5", "diviseur": "1", **tab},
                     headers=HX).get_data(as_text=True)
    ngap = html.split('id="ngap"')[1].split("</form>")[0]
    assert re.search(r'name="lettre"[^>]*value="K"', ngap) and re.search(r'name="coefficient"[^>]*value="2,5"', ngap)
    assert 'autofocus' not in ngap and re.search(r'id="fse-conflit"[^>]*autofocus', html)
    identification = desk.post("/fse/patient", {"matricule": "100003", "code_fse": "B9X3", "caisse": "CAMTI", **tab},
                               headers=HX).get_data(as_text=True)
    assert re.search(r'name="matricule"[^>]*value="100003"', identification)


def test_a_post_without_version_is_not_checked(desk):
    """Scripts and old pages post without a version: accepted, as before (README, « Réseau et onglets »)."""
    _marc_with_a_consultation(desk)
    desk.ngap("V", majorations=["MD"])
    assert desk.ngap("C", diviseur="2").status_code == 302
    assert stored()[-1] == ["C 1", "V 1 + MD", "C 1 /2"]


def test_a_page_of_a_draft_since_transmitted_cannot_write_to_the_next_one(desk):
    """The versions of two drafts can be equal: the draft's id is checked too."""
    _marc_with_a_consultation(desk)
    old = shown(desk)
    jeton, sent = desk.validate_and_transmit()
    assert sent.status_code == 302
    new = shown(desk)
    assert new["brouillon"] != old["brouillon"]
    refused = desk.post("/fse/patient", {"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS",
                                         "brouillon": old["brouillon"], "version": new["version"]})
    assert refused.status_code == 409 and stored()[2] is None


def test_every_fragment_tells_the_page_its_version(desk):
    _marc_with_a_consultation(desk)
    tab = shown(desk)
    added = desk.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "2", **tab}, headers=HX)
    assert added.status_code == 200
    assert (added.headers["FSE-Brouillon"], added.headers["FSE-Version"]) == (str(stored()[0]), str(stored()[1]))
    assert int(added.headers["FSE-Version"]) > int(tab["version"])
    # A refused entry (422) changes nothing and says so; a plain page answer carries no header.
    refused = desk.post("/fse/ngap", {"lettre": "ZZ", "coefficient": "1", "diviseur": "1",
                                      "version": added.headers["FSE-Version"]}, headers=HX)
    assert refused.status_code == 422 and refused.headers["FSE-Version"] == added.headers["FSE-Version"]
    assert "FSE-Version" not in desk.client.get("/fse").headers


def test_a_line_removed_in_another_tab(desk):
    """« Ajouter aux favoris » on a line the other tab removed: the current basket, not a 404."""
    _marc_with_a_consultation(desk)
    line = _line_id(desk)
    tab = shown(desk)
    desk.post(f"/fse/lignes/{line}/supprimer", {})
    favourite = desk.post(f"/fse/lignes/{line}/favori", tab, headers=HX)
    assert favourite.status_code == 422 and CONFLICT in unescape(favourite.get_data(as_text=True))
    assert desk.post(f"/fse/lignes/{line}/favori", {}).status_code == 404  # without a version: as before


def test_the_reset_confirmation_carries_the_version_of_the_page(desk):
    _marc_with_a_consultation(desk)
    tab = shown(desk)
    link = re.search(r'href="(/fse/reinitialiser[^"]*)" data-fse-link', _page(desk)).group(1).replace("&amp;", "&")
    confirmation = desk.client.get(link).get_data(as_text=True)
    assert f'name="version" value="{tab["version"]}"' in confirmation
    assert f'name="brouillon" value="{tab["brouillon"]}"' in confirmation


def test_two_requests_at_the_same_instant(desk, monkeypatch):
    """The version column catches a change made between the check and the save: a conflict, not a 500."""
    _marc_with_a_consultation(desk)
    tab = shown(desk)
    add_ngap = services.add_ngap

    def racing(draft, *args):
        line = add_ngap(draft, *args)
        with db.session.no_autoflush:  # another request saves first
            db.session.execute(update(Fse).where(Fse.id == draft.id).values(version=Fse.version + 1)
                               .execution_options(synchronize_session=False))
        return line

    monkeypatch.setattr(services, "add_ngap", racing)
    before = stored()
    response = desk.post("/fse/ngap", {"lettre": "V", "coefficient": "1", "diviseur": "1", **tab}, headers=HX)
    assert response.status_code == 422 and CONFLICT in unescape(response.get_data(as_text=True))
    assert stored()[-1] == before[-1]

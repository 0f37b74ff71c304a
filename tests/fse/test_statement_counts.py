"""Every FSE interaction runs at most 8 SQL statements (issue 11): a query in a loop, a lazy load per
line or member, or option lists read again cannot come back unnoticed.

The statements are counted on the engine, through the real routes, as htmx sends them. Each count is
taken after a first request of the same kind, as on a tablet in use: the reference data's caches
(app/referentiel/cache.py) are warm, and the session's activity was written less than 30 s ago.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import counted_statements, csrf_from

HX = {"HX-Request": "true"}
LIMIT = 8


class Tablet:
    """htmx's requests of the FSE page, with the page's CSRF token taken once (as the page holds it)."""

    def __init__(self, desk):
        self.desk, self.client = desk, desk.client
        self.token = csrf_from(self.client.get("/fse").get_data(as_text=True))

    def post(self, path, data=None):
        return self.client.post(path, data=data or {}, headers={**HX, "X-CSRFToken": self.token})

    def identify(self, matricule, code):
        return self.post("/fse/patient", {"matricule": matricule, "code_fse": code, "caisse": "CCSS"})

    def ngap(self, lettre="C", majorations=()):
        return self.post("/fse/ngap", {"lettre": lettre, "coefficient": "1", "diviseur": "1",
                                       "majorations": list(majorations)})

    def ccam(self, code):
        return self.post("/fse/ccam", {"code": code, "activite": "1", "phase": "0", "association": "1"})

    def billing(self):
        return self.post("/fse/facturation", {"montant_facture": "", "ponderation": ""})

    def page(self) -> str:
        return self.client.get("/fse").get_data(as_text=True)

    def line_ids(self) -> list[str]:
        return list(dict.fromkeys(re.findall(r"/fse/lignes/(\d+)/supprimer", self.page())))


@pytest.fixture
def ready(desk):
    """medecin.demo with a child of household 100001 chosen and three acts in the basket."""
    tablet = Tablet(desk)
    assert tablet.identify("100001", "K7P2").status_code == 200
    assert tablet.post("/fse/beneficiaire", {"beneficiaire_id": desk.member_ids()[3]}).status_code == 200
    assert tablet.ngap("C", majorations=["MD"]).status_code == 200
    assert tablet.ccam("DEQP003").status_code == 200
    assert tablet.ngap("C").status_code == 200
    return tablet


def measure(app, send, expected_status=200):
    """Send once to warm what a tablet in use has warm, then count the statements of a second send."""
    send()
    with counted_statements(app) as statements:
        response = send()
    assert response.status_code == expected_status, response.get_data(as_text=True)[:500]
    return statements


def check(statements, what):
    print(f"\n{what}: {len(statements)}")
    assert len(statements) <= LIMIT, (f"{what}: {len(statements)} statements (at most {LIMIT}):\n"
                                      + "\n".join(s.split("\n")[0][:160] for s in statements))


def test_identify_a_new_patient_and_the_same_card_again(app, ready):
    # Another household each time (the draft changes), then the same card again (nothing changes).
    for matricule, code in (("100002", "R4M8"), ("100001", "K7P2")):
        with counted_statements(app) as statements:
            assert ready.identify(matricule, code).status_code == 200
        check(statements, f"identify {matricule}")
    check(measure(app, lambda: ready.identify("100001", "K7P2")), "identify, the same card")


def test_pick_the_beneficiary(app, ready):
    member = ready.desk.member_ids()[3]
    check(measure(app, lambda: ready.post("/fse/beneficiaire", {"beneficiaire_id": member})), "pick")


def test_add_an_ngap_act(app, ready):
    check(measure(app, lambda: ready.ngap("C", majorations=["MD"])), "add NGAP")


def test_add_a_ccam_act_and_its_autocomplete(app, ready):
    search = lambda: ready.client.get("/fse/ccam/recherche?q=radio thorax", headers=HX)  # noqa: E731
    check(measure(app, search), "CCAM autocomplete")
    check(measure(app, lambda: ready.ccam("DEQP003")), "add CCAM")


def test_remove_an_act(app, ready):
    sends = iter(ready.line_ids()[-2:])
    check(measure(app, lambda: ready.post(f"/fse/lignes/{next(sends)}/supprimer")), "remove")


def test_billing_fragment(app, ready):
    check(measure(app, ready.billing), "billing")


def test_favourite_kept_then_used(app, ready):
    first = ready.line_ids()[0]
    check(measure(app, lambda: ready.post(f"/fse/lignes/{first}/favori")), "add to favourites")
    favourite = re.search(r"/fse/favoris/(\d+)", ready.page()).group(1)
    check(measure(app, lambda: ready.post(f"/fse/favoris/{favourite}")), "use a favourite")


def test_pre_coded_basket_applied_in_one_insert(app, ready):
    assert ready.post("/fse-precodees/enregistrer", {"nom": "Consultation enfant"}).status_code == 200
    basket = re.search(r"/fse-precodees/(\d+)/appliquer", ready.page()).group(1)
    statements = measure(app, lambda: ready.post(f"/fse-precodees/{basket}/appliquer"))
    check(statements, "apply a pre-coded basket (3 acts)")
    assert sum(s.lstrip().upper().startswith("INSERT INTO LIGNE_FSE") for s in statements) == 1
    assert len(ready.line_ids()) == 3 + 3 + 3  # the basket's three acts, added twice


def test_the_fse_page_itself(app, ready):
    check(measure(app, lambda: ready.client.get("/fse")), "the FSE page")


def test_the_page_writes_nothing_but_a_new_draft(app, desk):
    """The first visit creates the person's draft and commits it; a visit after that writes nothing
    (it reads on in one transaction)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Fse

    def drafts():
        with app.app_context():
            return db.session.scalar(select(func.count()).select_from(Fse).where(Fse.statut == "brouillon"))

    before = drafts()
    with counted_statements(app) as first:
        assert desk.client.get("/fse").status_code == 200
    assert drafts() == before + 1  # committed: seen from another session
    assert any(s.lstrip().upper().startswith("INSERT INTO FSE") for s in first)
    with counted_statements(app) as again:
        assert desk.client.get("/fse").status_code == 200
    assert drafts() == before + 1
    # (The session's activity may be written, every 30 s, by any request: not the page's doing.)
    writes = [s for s in again if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
              and "session_ouverte" not in s.lower()]
    assert not writes, writes


def test_a_basket_four_times_as_long_costs_no_more_statements(app, ready):
    """No statement per line: a basket of 12 acts is priced and drawn with as many as one of 3."""
    before = measure(app, ready.billing)
    for _ in range(9):
        assert ready.ngap("C").status_code == 200
    assert len(measure(app, ready.billing)) == len(before)


def test_a_favourite_kept_shows_at_once_in_the_list(ready):
    """« Ajouter aux favoris » answers with the favourites' list out of band: the new button is there."""
    first = ready.line_ids()[0]
    html = ready.post(f"/fse/lignes/{first}/favori").get_data(as_text=True)
    favourites = html[html.index('id="favoris"'):]
    assert 'hx-swap-oob="true"' in favourites[:120]
    assert re.search(r"/fse/favoris/\d+", favourites)


def test_a_basket_fragment_reads_the_chosen_member_not_the_household(app, ready):
    """The basket's fragments draw no household band: the draft, its card, its lines and the chosen
    member with his exonerations come in one statement, the other members are not read."""
    statements = measure(app, ready.billing)
    reads_members = [s for s in statements if re.search(r"\bFROM beneficiaire\b", s, re.I)]
    assert reads_members == [], reads_members  # the member is a JOIN of the draft's statement
    assert len(statements) <= 3  # the session, the draft, nothing else: the billing is unchanged


def test_a_basket_error_drawn_as_a_page_shows_the_whole_household(app, ready):
    """Without JavaScript a refused basket action answers with the whole page: every member of the
    household is drawn there, read in one statement (not one per member)."""
    names = re.findall(r'<span class="member-name">([^<]+)</span>', ready.page())
    assert len(names) >= 4
    send = lambda: ready.client.post("/fse/ngap", data={"lettre": "ZZ", "coefficient": "1", "diviseur": "1"},  # noqa: E731
                                     headers={"X-CSRFToken": ready.token})
    statements = measure(app, send, expected_status=422)
    page = send().get_data(as_text=True)
    assert re.findall(r'<span class="member-name">([^<]+)</span>', page) == names
    assert 'aria-pressed="true"' in page and "field-error" in page
    assert sum(bool(re.search(r"\bFROM beneficiaire\b", s, re.I)) for s in statements) == 1
    check(statements, "a refused NGAP act without JavaScript")

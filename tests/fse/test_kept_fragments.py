"""The FSE page's entry forms are kept once drawn (app/web/fragments.py): the page must read exactly as
it does when they are drawn every time, in every state those forms have — each profession, the
conditions as the praticien set them, a date of care, a code brought from the CCAM search, a form
given back with its errors, the field chosen for the focus — and a change of the reference data must
show at the next request."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import render_template_string
from sqlalchemy import select

from app.domain.calendar import today_in_monaco
from app.extensions import db
from app.models import Tarif
from app.referentiel.cache import NO_TOKEN, current_token
from app.web.fragments import KeptFragments
from tests.fse.test_fse import Desk

HX = {"HX-Request": "true"}
# itsdangerous: the session's token as JSON (zlib-compressed, after a dot, when that is shorter), the
# time, the signature.
CSRF_TOKEN = re.compile(r"\.?[\w-]{20,}\.[\w-]{6}\.[\w-]{20,}")


def normal(html: str) -> str:
    """The page without its CSRF tokens (signed with the time: they change from one second to the next)."""
    return CSRF_TOKEN.sub("…", html)


def both_ways(app, fetch) -> str:
    """The same request drawn with every piece drawn, then kept (first drawn, then read from the dict):
    the three answers must be the same page."""
    fragments = app.extensions["fse_fragments"]
    fragments.enabled = False
    try:
        drawn = fetch()
    finally:
        fragments.enabled = True
    first, again = fetch(), fetch()
    assert drawn.status_code == first.status_code == again.status_code
    expected = normal(drawn.get_data(as_text=True))
    assert normal(first.get_data(as_text=True)) == expected
    assert normal(again.get_data(as_text=True)) == expected
    return expected


@pytest.fixture
def at_desk(auth):
    def sign_in(identifiant: str) -> Desk:
        auth.login(identifiant)
        desk = Desk(auth)
        assert desk.identify("100001", "K7P2").status_code == 302
        assert desk.choose(0).status_code == 302
        return desk
    return sign_in


def conditions(desk, day: date, **extra):
    response = desk.post("/fse/conditions", {"date_soins": day.strftime("%d/%m/%Y"), "nature": "maladie", **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:400]


def test_the_reference_data_has_a_token_so_pieces_are_kept(app, at_desk):
    desk = at_desk("medecin.demo")
    desk.client.get("/fse")
    with app.test_request_context():
        token = current_token()
    assert token != NO_TOKEN
    names = {name for kept_token, (name, *_) in app.extensions["fse_fragments"]._entries if kept_token == token}
    assert names == {"fse/_conditions.html", "fse/_ngap.html", "fse/_ccam.html"}


@pytest.mark.parametrize("identifiant", ["medecin.demo", "dentiste.demo", "infirmier.demo", "kine.demo"])
def test_each_profession_reads_the_same_page_kept_or_drawn(app, at_desk, identifiant):
    desk = at_desk(identifiant)
    page = both_ways(app, lambda: desk.client.get("/fse"))
    assert 'id="ngap"' in page and 'id="conditions"' in page
    # The profession's own conditions fields (kept per profession, not one praticien's for another).
    assert ('name="prescripteur"' in page) is (identifiant in ("infirmier.demo", "kine.demo"))
    assert ('name="entente_numero"' in page) is (identifiant == "dentiste.demo")


def test_professions_sharing_a_process_each_get_their_own_pieces(app, auth):
    pages = {}
    for identifiant in ("medecin.demo", "infirmier.demo", "medecin.demo"):
        auth.login(identifiant)
        desk = Desk(auth)
        desk.identify("100001", "K7P2")
        desk.choose(0)
        pages.setdefault(identifiant, []).append(both_ways(app, lambda: desk.client.get("/fse")))
        desk.client.post("/deconnexion", data={"csrf_token": re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"', desk.client.get("/fse").get_data(as_text=True)).group(1)})
    assert 'name="serie"' in pages["infirmier.demo"][0]
    assert all('name="serie"' not in page for page in pages["medecin.demo"])


def test_the_conditions_shown_are_the_drafts_own(app, at_desk):
    desk = at_desk("infirmier.demo")
    today = today_in_monaco()
    conditions(desk, today - timedelta(days=3), serie="y", prescripteur="Dr Lorenzi",
               date_prescription=(today - timedelta(days=5)).strftime("%d/%m/%Y"))
    page = both_ways(app, lambda: desk.client.get("/fse"))
    assert f'value="{(today - timedelta(days=3)).isoformat()}"' in page
    assert 'value="Dr Lorenzi"' in page and 'name="serie" type="checkbox" value="y"' in page
    # Changed again: the page shows the new values at once, not the kept ones.
    conditions(desk, today, nature="at_mp", date_accident=(today - timedelta(days=10)).strftime("%d/%m/%Y"))
    page = both_ways(app, lambda: desk.client.get("/fse"))
    assert 'value="Dr Lorenzi"' not in page
    assert '<option selected value="at_mp">' in page
    assert f'value="{(today - timedelta(days=10)).isoformat()}"' in page


def test_a_date_of_care_out_of_bounds_shows_its_problem(app, at_desk):
    desk = at_desk("medecin.demo")
    conditions(desk, today_in_monaco() - timedelta(days=400))
    page = both_ways(app, lambda: desk.client.get("/fse"))
    assert 'class="field-error" role="alert"' in page  # state.date_problem, next to the date


def test_a_dentists_entente_is_shown(app, at_desk):
    desk = at_desk("dentiste.demo")
    conditions(desk, today_in_monaco(), entente_numero="EP-2026-118",
               entente_date=today_in_monaco().strftime("%d/%m/%Y"))
    assert 'value="EP-2026-118"' in both_ways(app, lambda: desk.client.get("/fse"))


def test_a_code_brought_from_the_ccam_search_fills_the_line(app, at_desk):
    desk = at_desk("medecin.demo")

    def ccam_pieces():
        return sum(1 for _, (name, *_) in app.extensions["fse_fragments"]._entries if name == "fse/_ccam.html")

    plain = both_ways(app, lambda: desk.client.get("/fse"))
    kept = ccam_pieces()
    brought = both_ways(app, lambda: desk.client.get("/fse?ccam=ZBQK002"))
    assert 'value="ZBQK002"' in brought and 'value="ZBQK002"' not in plain
    # Not kept: whatever is typed in the address would fill the kept pieces for nothing.
    assert ccam_pieces() == kept


def test_a_form_given_back_shows_what_was_typed_and_its_error(app, at_desk):
    desk = at_desk("medecin.demo")
    desk.client.get("/fse")  # the pristine pieces kept first
    bad = {"lettre": "C", "coefficient": "abc", "diviseur": "1"}
    for headers in ({}, HX):  # the page without JavaScript, the fragment with htmx
        page = both_ways(app, lambda: desk.post("/fse/ngap", bad, headers=headers))
        assert 'value="abc"' in page and "Saisissez un nombre, par exemple 1,5." in page
    page = both_ways(app, lambda: desk.post("/fse/conditions", {"date_soins": "31/02/2026", "nature": "maternite"}))
    assert 'id="date_soins-erreur"' in page and '<option selected value="maternite">' in page
    # The next page is the pristine one again.
    page = both_ways(app, lambda: desk.client.get("/fse"))
    assert 'value="abc"' not in page and 'id="date_soins-erreur"' not in page
    assert '<option selected value="maladie">' in page


def test_the_entry_lines_sent_back_after_an_act_are_the_same(app, at_desk):
    desk = at_desk("medecin.demo")
    lines = []

    def add_then_read():
        response = desk.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1"}, headers=HX)
        lines.append(response)
        return response

    fragments = app.extensions["fse_fragments"]
    fragments.enabled = False
    try:
        drawn = normal(add_then_read().get_data(as_text=True))
    finally:
        fragments.enabled = True
    add_then_read()  # drawn and kept
    kept = normal(add_then_read().get_data(as_text=True))  # read from the kept pieces
    # Only the basket and the draft's version differ (one more line); the entry lines sent out of band
    # are the same.
    entries = re.compile(r'<form id="(?:ngap|ccam)".*?</form>', re.S)
    version = re.compile(r'name="version" value="\d+"')
    drawn, kept = version.sub("", drawn), version.sub("", kept)
    assert len(entries.findall(drawn)) == 2 and entries.findall(kept) == entries.findall(drawn)


def test_the_focus_is_part_of_the_key(app):
    template = '{% call kept("essai", ("cle",)) %}{{ autofocus_id }}{% endcall %}'
    with app.test_request_context():
        from app.referentiel.cache import remember_token
        remember_token("jeton-essai")
        assert render_template_string(template, autofocus_id="lettre") == "lettre"
        assert render_template_string(template, autofocus_id="code") == "code"
        assert render_template_string(template, autofocus_id="lettre") == "lettre"
        # Kept: the same key gives the first drawing, not a new one.
        assert render_template_string('{% call kept("essai", ("cle",)) %}autre{% endcall %}',
                                      autofocus_id="lettre") == "lettre"
        # No key: drawn every time.
        assert render_template_string('{% call kept("essai", None) %}autre{% endcall %}',
                                      autofocus_id="lettre") == "autre"


def test_the_kept_pieces_are_bounded_the_least_recently_used_first(app, monkeypatch):
    monkeypatch.setattr("app.web.fragments.MAX_CHARACTERS", 25)
    fragments = KeptFragments(enabled=True)
    with app.test_request_context():
        from app.referentiel.cache import remember_token
        remember_token("jeton-essai")
        fragments.get("a", lambda: "x" * 10)
        fragments.get("b", lambda: "y" * 10)
        assert fragments.get("a", lambda: "autre") == "x" * 10  # used again: b is now the oldest
        fragments.get("c", lambda: "z" * 10)  # 30 characters: b goes
        assert len(fragments) == 2
        assert fragments.get("a", lambda: "autre") == "x" * 10 and fragments.get("c", lambda: "autre") == "z" * 10
        assert fragments.get("b", lambda: "nouveau") == "nouveau"


def test_a_piece_is_read_only_under_the_token_it_was_drawn_with(app):
    """A request that read the token before an import never gets a piece drawn after it."""
    fragments = KeptFragments(enabled=True)
    with app.test_request_context():
        from flask import g

        from app.referentiel.cache import remember_token
        remember_token("ancien")
        fragments.get("piece", lambda: "avant")
        g.referentiel_jeton = "nouveau"
        assert fragments.get("piece", lambda: "après") == "après"
        g.referentiel_jeton = "ancien"
        assert fragments.get("piece", lambda: "autre") == "avant"


def test_a_change_of_the_reference_data_shows_at_the_next_request(app, at_desk):
    desk = at_desk("medecin.demo")
    before = desk.client.get("/fse").get_data(as_text=True)
    tariffs = db.session.scalars(select(Tarif).where(Tarif.type == "MAJ", Tarif.code == "MD")).all()
    assert tariffs and "MD — Majoration de déplacement (visite)" in before
    labels = {tariff.id: tariff.libelle for tariff in tariffs}
    try:
        for tariff in tariffs:
            tariff.libelle = "Majoration libellé renouvelé"
        db.session.commit()  # an ORM change of reference data replaces the token (app/referentiel/cache.py)
        after = both_ways(app, lambda: desk.client.get("/fse"))
        assert "Majoration libellé renouvelé" in after
    finally:  # the reference data is loaded once for the whole run (the requests ended the session)
        for tariff_id, label in labels.items():
            db.session.get(Tarif, tariff_id).libelle = label
        db.session.commit()

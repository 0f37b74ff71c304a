"""« Journal d'activité » in Chromium at tablet sizes, with JavaScript (htmx swaps) and without (plain GET form)."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import settle

pytestmark = pytest.mark.browser
MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret
IPAD = ("192.0.2.32", "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                      "Version/16.6 Mobile/15E148 Safari/604.1")


@pytest.fixture
def journal_setup(app, live_server, totp_clock):
    """The demo accounts, and sixty lookups and transmissions by the assistant and the praticien."""
    from app.audit.services import record
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.demo.activity import transmitted_fse
    from app.models import Beneficiaire, Compte, Foyer

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        comptes = {c.identifiant: c for c in db.session.scalars(select(Compte))}
        start = datetime(2026, 10, 5, 7, 0, tzinfo=UTC)
        member = db.session.scalar(select(Beneficiaire).join(Foyer).where(Foyer.matricule == "100001",
                                                                         Beneficiaire.rang == 1))
        references = {}
        for n in range(60):
            who = comptes["assistant.demo" if n % 2 else "medecin.demo"]
            at = start + timedelta(minutes=10 * n)
            record("patient.recherche", "succes", compte=who, objet_type="foyer", objet_id=n, horodatage=at,
                   origine=IPAD)
            fse_id = 500 + n  # the praticien's rows name no real FSE: shown without a number
            if n % 2:  # the assistant's: real transmitted FSE, named by their accusé de réception
                fse = transmitted_fse(db.session, who, member, at.date(), [("NGAP", "C", "1|1|")], at)
                db.session.flush()
                fse_id, references[fse.id] = fse.id, fse.accuse_reception
            record("fse.transmission", "succes", compte=who, objet_type="fse", objet_id=fse_id,
                   horodatage=at + timedelta(minutes=4), origine=IPAD)
        db.session.commit()
    JOURNAL_FSE.clear()
    JOURNAL_FSE.update(references)
    return live_server, totp_clock


JOURNAL_FSE: dict[int, str] = {}


def person_cells(page):
    return page.locator('td[data-label="Personne"]')


@pytest.mark.parametrize("viewport", [(1024, 768), (800, 1280)], ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_open_the_journal_from_profil_and_filter_by_the_assistant(browser, journal_setup, screenshot_dir,
                                                                   javascript, viewport):
    base, clock = journal_setup
    size = f"{viewport[0]}x{viewport[1]}"
    mode = "js" if javascript else "sans-js"
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    page.get_by_role("link", name="Profil").click()
    page.get_by_role("link", name="Journal d'activité").click()
    expect(page.get_by_role("heading", name="Journal d'activité")).to_be_visible()
    expect(page.locator(".journal-count")).to_contain_text("page 1 sur 3")
    assert "vous" in person_cells(page).all_inner_texts()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / f"journal-{mode}-{size}.png"), full_page=True)

    page.get_by_label("Personne").select_option(label="Camille Rey")
    page.get_by_label("Action").select_option(label="FSE")
    if javascript:
        settle(page)  # each change applies the filters in place
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    else:
        page.get_by_role("button", name="Filtrer").click()
    expect(page.locator(".journal-count")).to_contain_text("30 évènements")
    assert set(person_cells(page).all_inner_texts()) == {"Camille Rey"}
    assert set(page.locator('td[data-label="Action"]').all_inner_texts()) == {
        f"FSE transmise · {reference}" for reference in JOURNAL_FSE.values()}
    links = page.locator("a.journal-object")
    expect(links).to_have_count(30)
    for link in links.all()[:3]:  # each links to its page in the history, as a 44 px touch target
        assert link.get_attribute("href").removeprefix("/historique/").isdigit()
        assert JOURNAL_FSE[int(link.get_attribute("href").removeprefix("/historique/"))] == link.inner_text()
        assert link.bounding_box()["height"] >= 44
    assert "personne=" in page.url and "groupe=fse" in page.url
    assert page.get_by_label("Personne").evaluate("s => s.options[s.selectedIndex].text") == "Camille Rey"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / f"journal-assistant-{mode}-{size}.png"), full_page=True)

    # the period: a day without any of these events
    page.get_by_label("Du").fill("2026-10-06")
    page.get_by_label("Au").fill("2026-10-06")
    if javascript:
        settle(page)
    page.get_by_role("button", name="Filtrer").click()
    if javascript:
        settle(page)
    expect(page.get_by_text("Aucun évènement ne correspond à ces filtres.")).to_be_visible()

    # a period backwards is refused next to the field, the input kept
    page.get_by_label("Du").fill("2026-10-07")
    if javascript:
        settle(page)
    page.get_by_role("button", name="Filtrer").click()
    if javascript:
        settle(page)
    expect(page.locator("#au-erreur")).to_have_text("La date de fin précède la date de début.")
    expect(page.get_by_label("Du")).to_have_value("2026-10-07")
    page.screenshot(path=str(screenshot_dir / f"journal-erreur-{mode}-{size}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_pages_of_the_journal(browser, journal_setup, javascript):
    base, clock = journal_setup
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    page.goto(base + "/profil/journal?groupe=patients")
    expect(page.locator(".journal-count")).to_contain_text("60 évènements · page 1 sur 2")
    page.get_by_role("link", name="Plus anciens →").click()
    if javascript:
        settle(page)
    expect(page.locator(".journal-count")).to_contain_text("page 2 sur 2")
    expect(page.locator('td[data-label="Action"]')).to_have_count(10)
    assert "page=2" in page.url and "groupe=patients" in page.url
    page.get_by_role("link", name="← Plus récents").click()
    if javascript:
        settle(page)
    expect(page.locator(".journal-count")).to_contain_text("page 1 sur 2")
    context.close()

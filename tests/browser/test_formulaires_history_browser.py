"""A form's history in Chromium at tablet sizes, with JavaScript (htmx swaps the region, the pages are
buttons of the filter form) and without (plain posted forms): list, pages, patient filter, bad period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in

pytestmark = pytest.mark.browser
SECRET = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}["medecin.demo"]
VIEWPORTS = [(1024, 768), (800, 1280)]


@pytest.fixture
def thirty_its(app, live_server):
    """27 IT of Marc Bellando, then 3 of Sophie Crovetto, sent by medecin.demo."""
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.formulaires.test_history import sent_document

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        for i in range(27):
            sent_document("it", "Marc", start + timedelta(hours=i))
        for i in range(3):
            sent_document("it", "Sophie", start + timedelta(days=10, hours=i))


def settle(page):
    page.wait_for_load_state("networkidle")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_pages_filter_and_bad_period(browser, live_server, totp_clock, thirty_its, screenshot_dir, javascript,
                                     viewport):
    name = f"{'js' if javascript else 'sans-js'}-{viewport[0]}x{viewport[1]}"
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, live_server, "medecin.demo", "Demo-FSE-2026", totp_clock.code(SECRET))
    page.get_by_role("link", name="Formulaires").click()
    page.get_by_role("heading", name="Formulaires", exact=True).wait_for()
    page.screenshot(path=str(screenshot_dir / f"formulaires-accueil-{name}.png"), full_page=True)
    page.get_by_role("link", name="Historique : Prescription d'IT").click()
    page.get_by_role("heading", name="Historique · Prescription d'interruption de travail").wait_for()
    if javascript:
        page.evaluate("window.pasDeRechargement = true")  # gone if a swap turned into a navigation
    rows = page.locator("tr[data-formulaire]")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Sophie Crovetto")
    page.screenshot(path=str(screenshot_dir / f"formulaires-historique-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll

    # The next page: a button of the filter form.
    page.get_by_role("button", name="Plus anciens →").click()
    settle(page)
    expect(rows).to_have_count(5)
    expect(page.get_by_text("Page 2 sur 2", exact=True)).to_be_visible()

    # A patient with the wrong accents and case: 27 documents, and his second page keeps the filter.
    page.get_by_label("Matricule ou nom du patient").fill("BELLÀNDO")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#historique-total")).to_contain_text("27 documents transmis")
    expect(rows).to_have_count(25)
    page.get_by_role("button", name="Plus anciens →").click()
    settle(page)
    expect(rows).to_have_count(2)
    expect(page.locator("tr[data-formulaire]", has_text="Crovetto")).to_have_count(0)
    assert page.get_by_label("Matricule ou nom du patient").input_value() == "BELLÀNDO"
    assert "bell" not in page.url.lower() and "page" not in page.url

    # A period whose end precedes its start: the message next to « au », the input kept.
    page.get_by_label("Transmis du").fill("2026-03-12")  # a date picker
    page.get_by_label("au", exact=True).fill("2026-03-10")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#au-erreur")).to_contain_text("La date de fin précède la date de début.")
    expect(rows).to_have_count(0)
    assert page.get_by_label("Matricule ou nom du patient").input_value() == "BELLÀNDO"
    page.screenshot(path=str(screenshot_dir / f"formulaires-historique-erreur-{name}.png"), full_page=True)
    if javascript:
        assert page.evaluate("window.pasDeRechargement === true")
    context.close()

"""« HNP » in Chromium at tablet sizes, with JavaScript (htmx swaps) and without (plain GET form):
the list, the period filter and a fiche de décompte downloaded, then turned into PNG to look at."""

import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import settle

pytestmark = pytest.mark.browser
MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret


@pytest.fixture
def ordipostes(app, live_server, totp_clock):
    """The demo accounts and three ordipostes of medecin.demo: 45 FSE, then 3, then 2 (newest)."""
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.hnp.conftest import Practice

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        practice = Practice()
        practice.members()[1].prenom = "Julie-Charlotte Éléonore"  # a long name must wrap in its cell
        paid = [practice.pay(practice.fses(45, days_ago=70), days_ago=40),
                practice.pay(practice.fses(3, days_ago=30), days_ago=20),
                practice.pay(practice.fses(2, days_ago=10), days_ago=5)]
    return live_server, totp_clock, paid


def references(page):
    return page.locator('td[data-label="Référence"]').all_inner_texts()


@pytest.mark.parametrize("viewport", [(1024, 768), (800, 1280)], ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_list_filter_and_download_a_decompte(browser, ordipostes, screenshot_dir, tmp_path, javascript, viewport,
                                              poppler):
    base, clock, (big, middle, recent) = ordipostes
    size, mode = f"{viewport[0]}x{viewport[1]}", "js" if javascript else "sans-js"
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    page.get_by_role("link", name="HNP", exact=True).click()
    expect(page.get_by_role("heading", name="HNP : ordipostes")).to_be_visible()
    assert references(page) == [recent.reference, middle.reference, big.reference]
    expect(page.locator(".hnp-count")).to_contain_text("3 ordipostes")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / f"hnp-{mode}-{size}.png"), full_page=True)

    # The period: the middle ordiposte's payment day only.
    page.get_by_label("Payés du").fill((middle.date_paiement - timedelta(days=1)).isoformat())
    page.get_by_label("au", exact=True).fill(middle.date_paiement.isoformat())
    page.get_by_role("button", name="Filtrer").click()
    if javascript:
        settle(page)
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # swapped in place
    expect(page.locator('td[data-label="Référence"]')).to_have_count(1)
    assert references(page) == [middle.reference]
    assert f"au={middle.date_paiement.isoformat()}" in page.url
    page.screenshot(path=str(screenshot_dir / f"hnp-filtre-{mode}-{size}.png"), full_page=True)

    # A period backwards: the message next to the field, the input kept.
    page.get_by_label("Payés du").fill((middle.date_paiement + timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Filtrer").click()
    if javascript:
        settle(page)
    expect(page.locator("#au-erreur")).to_have_text("La date de fin précède la date de début.")
    expect(page.get_by_label("Payés du")).to_have_value((middle.date_paiement + timedelta(days=3)).isoformat())
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / f"hnp-erreur-{mode}-{size}.png"), full_page=True)

    page.get_by_role("link", name="Toute la période").click()
    if javascript:
        settle(page)
    expect(page.locator('td[data-label="Référence"]')).to_have_count(3)

    # The décompte of the 45-FSE ordiposte: a 44 px target, a PDF download, two A4 pages.
    link = page.get_by_role("link", name=f"Télécharger la fiche de décompte de l'ordiposte {big.reference} en PDF")
    box = link.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == f"decompte-{big.reference}.pdf"
    pdf = tmp_path / download.suggested_filename
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    prefix = screenshot_dir / f"hnp-decompte-{mode}-{size}"
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(prefix)], check=True)
    assert sorted(p.name for p in screenshot_dir.glob(f"{prefix.name}-*.png")) == \
        [f"{prefix.name}-1.png", f"{prefix.name}-2.png"]
    context.close()

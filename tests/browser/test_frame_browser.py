"""The page frame in a real browser at tablet sizes: readable, touchable, no horizontal scroll."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TABLETS = {"paysage-1024x768": (1024, 768), "portrait-800x1280": (800, 1280)}


@pytest.mark.parametrize("name", TABLETS)
def test_front_page_at_tablet_size(page, live_server, screenshot_dir, name):
    width, height = TABLETS[name]
    page.set_viewport_size({"width": width, "height": height})
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/")

    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", name="La Feuille de Soins Électronique")).to_be_visible()
    expect(page.get_by_text("Données d'exemple")).to_be_visible()
    # htmx loaded from the vendored file, with no CSP violation or script error in the console
    assert page.evaluate("window.htmx && window.htmx.version") == "2.0.11"
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 16
    for link in page.locator("header a, header button, main a.button").all():
        box = link.bounding_box()
        assert box["height"] >= 44, link.inner_text()
    page.screenshot(path=str(screenshot_dir / f"accueil-{name}.png"), full_page=True)


def test_not_found_page_in_the_browser(page, live_server):
    response = page.goto(live_server + "/introuvable")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    page.get_by_role("link", name="Retour à l'accueil").click()
    assert page.url == live_server + "/"

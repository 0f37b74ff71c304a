"""« FSE pré-codées » in Chromium at tablet sizes, JavaScript on and off: save the basket from the FSE
page, start a new FSE, fill its basket in one tap, then see the tab."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_fse_browser import add_c_and_md, choose, desk_for, identify, settle, total  # noqa: F401 - fixture

pytestmark = pytest.mark.browser


def new_fse(page):
    """« Réinitialiser », confirmed: an empty FSE."""
    page.get_by_role("link", name="Réinitialiser").click()
    page.get_by_role("button", name="Réinitialiser").click()
    page.get_by_text("La FSE a été réinitialisée.").wait_for()


@pytest.mark.parametrize("viewport", [(1024, 768), (800, 1280)], ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_save_then_apply_a_precoded_basket_in_one_tap(desk_for, screenshot_dir, javascript, viewport):
    page = desk_for("medecin.demo", javascript, viewport=viewport)
    name = f"{'js' if javascript else 'sans-js'}-{viewport[0]}x{viewport[1]}"
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    add_c_and_md(page)
    settle(page)

    page.get_by_label("Nom de la FSE pré-codée").fill("Consultation + MD")
    page.locator("#precodee-enregistrer").get_by_role("button", name="Enregistrer").click()
    page.get_by_text("FSE pré-codée « Consultation + MD » enregistrée").wait_for()
    settle(page)
    expect(page.locator("#precodees").get_by_role("button", name="Consultation + MD")).to_be_visible()
    # The same name in other case and accents is refused next to the field, the input kept.
    page.get_by_label("Nom de la FSE pré-codée").fill("CÔNSULTATION + md")
    page.locator("#precodee-enregistrer").get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Une FSE pré-codée s'appelle déjà « Consultation + MD »").wait_for()
    settle(page)
    expect(page.get_by_label("Nom de la FSE pré-codée")).to_have_value("CÔNSULTATION + md")
    page.screenshot(path=str(screenshot_dir / f"precodee-enregistree-{name}.png"), full_page=True)

    new_fse(page)
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    assert page.locator("#panier").get_by_text("C 1 + MD").count() == 0
    precoded = page.locator("#precodees").get_by_role("button", name="Consultation + MD")
    assert precoded.bounding_box()["y"] < page.get_by_label("Lettre clé").bounding_box()["y"]  # above the entry lines
    assert precoded.bounding_box()["height"] >= 44
    precoded.click()
    page.locator("#panier").get_by_text("C 1 + MD").wait_for()
    settle(page)
    page.get_by_text("« Consultation + MD » : 1 acte ajouté au panier.").first.wait_for()
    assert total(page, "base") == "40,00 €" and total(page, "caisse") == "32,00 €" and total(page, "patient") == "8,00 €"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll
    page.screenshot(path=str(screenshot_dir / f"precodee-appliquee-{name}.png"), full_page=True)
    page.locator("#panier").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"precodee-panier-{name}.png"))

    page.get_by_role("link", name="FSE pré-codées").click()
    page.get_by_role("heading", name="FSE pré-codées").wait_for()
    row = page.locator("tr", has_text="Consultation + MD")
    expect(row.locator("[data-precodee-total]")).to_contain_text("40,00")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(screenshot_dir / f"precodees-onglet-{name}.png"), full_page=True)
    row.get_by_role("link", name="Voir").click()
    page.get_by_role("heading", name="Consultation + MD").wait_for()
    expect(page.get_by_text("Consultation au cabinet (médecin)")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / f"precodee-detail-{name}.png"), full_page=True)


LONG_NAME = "Consultation" + "W" * 48  # 60 characters, no space


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_a_long_name_without_spaces_wraps_at_800px(desk_for, screenshot_dir, javascript):
    page = desk_for("medecin.demo", javascript, viewport=(800, 1280))
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    page.get_by_label("Lettre clé").fill("C")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("C 1", exact=True).wait_for()
    settle(page)
    page.get_by_label("Nom de la FSE pré-codée").fill(LONG_NAME)
    page.locator("#precodee-enregistrer").get_by_role("button", name="Enregistrer").click()
    page.get_by_text(f"FSE pré-codée « {LONG_NAME} » enregistrée").wait_for()
    settle(page)
    button = page.locator("#precodees").get_by_role("button", name=LONG_NAME)
    if javascript:
        # While its request runs the button is disabled: a second tap cannot add the acts twice.
        page.route("**/appliquer", lambda route: (page.wait_for_timeout(800), route.continue_()))
        button.click()
        expect(button).to_be_disabled()
        page.get_by_text("1 acte ajouté au panier").first.wait_for()
        settle(page)
        page.unroute("**/appliquer")
        expect(button).to_be_enabled()
    else:
        button.click()
        page.get_by_text("1 acte ajouté au panier").first.wait_for()
    page.get_by_text("Attention : le panier contenait déjà C 1").first.wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    suffix = "js" if javascript else "sans-js"
    page.screenshot(path=str(screenshot_dir / f"precodee-nom-long-fse-{suffix}.png"), full_page=True)
    page.goto(page.url.split("/fse")[0] + "/fse-precodees")
    page.get_by_role("heading", name="FSE pré-codées").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    page.screenshot(path=str(screenshot_dir / f"precodee-nom-long-onglet-{suffix}.png"), full_page=True)
    page.get_by_role("link", name="Voir").first.click()
    page.get_by_role("heading", name=LONG_NAME).wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 800

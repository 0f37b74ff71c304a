"""The focus on the FSE page follows the work (UX.md): the first member after identification, the
entry line after choosing the member and after each act added, the field in error after a refusal —
with htmx (autofocus in the swapped content) and without JavaScript (autofocus of the full page)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_fse_browser import desk_for, identify, settle  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def focused_id(page) -> str:
    """The id of the focused element (Playwright evaluates in its own world: the CSP allows it)."""
    return page.evaluate("document.activeElement && document.activeElement.id")


def add_ngap(page, lettre, coefficient="1"):
    page.get_by_label("Lettre clé").fill(lettre)
    page.locator("#ngap").get_by_label("Coefficient").fill(coefficient)
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_focus_goes_where_the_next_action_happens(desk_for, screenshot_dir, javascript):
    page = desk_for("medecin.demo", javascript, viewport=(1024, 768))
    expect(page.locator("#matricule")).to_be_focused()  # a new FSE starts with the card
    identify(page, "100001", "K7P2")
    first_member = page.locator("button.member").first
    expect(first_member).to_be_focused()
    assert focused_id(page).startswith("membre-")
    page.screenshot(path=str(screenshot_dir / f"fse-focus-membre-{'js' if javascript else 'sans-js'}.png"))

    page.keyboard.press("Enter")  # the focused member is chosen from the keyboard
    page.locator(".member-chosen", has_text="Marc Bellando").wait_for()
    expect(page.locator("#lettre")).to_be_focused()

    add_ngap(page, "C")
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    settle(page)
    expect(page.locator("#lettre")).to_be_focused()
    expect(page.locator("#lettre")).to_have_value("")  # a fresh entry line, ready for the next act

    page.get_by_label("Code CCAM").fill("ZBQK002")
    page.locator("#ccam").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("ZBQK002").first.wait_for()
    settle(page)
    expect(page.locator("#code")).to_be_focused()

    add_ngap(page, "C", coefficient="abc")
    page.get_by_text("Saisissez un nombre, par exemple 1,5.").wait_for()
    expect(page.locator("#coefficient")).to_be_focused()
    page.screenshot(path=str(screenshot_dir / f"fse-focus-erreur-{'js' if javascript else 'sans-js'}.png"),
                    full_page=True)

    identify(page, "100002", "ZZZZ")  # a failed lookup: no household, the field in error focused
    page.get_by_text("Matricule ou code FSE incorrect").wait_for()
    expect(page.locator("button.member")).to_have_count(0)
    expect(page.locator("#matricule")).to_be_focused()
    expect(page.locator("#matricule")).to_have_value("100002")


def test_the_focus_at_portrait_size_after_identification(desk_for):
    page = desk_for("medecin.demo", True, viewport=(800, 1280))
    identify(page, "100003", "B9X3", "CAMTI")
    expect(page.locator("button.member").first).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_an_expired_form_comes_back_with_the_input(desk_for, screenshot_dir, javascript):
    page = desk_for("medecin.demo", javascript)
    identify(page, "100001", "K7P2")
    page.locator("button.member").first.click()
    page.locator(".member-chosen").wait_for()
    settle(page)
    page.get_by_label("Lettre clé").fill("V")
    page.locator("#ngap").get_by_label("Coefficient").fill("2,5")
    # A token this session no longer accepts, as after a night or a sign-in in another tab.
    page.locator("#ngap input[name=csrf_token]").evaluate("input => input.value = 'expire'")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.get_by_text("Le formulaire a expiré : vérifiez votre saisie et validez à nouveau.").wait_for()
    settle(page)
    expect(page.locator("#lettre")).to_have_value("V")
    expect(page.locator("#ngap").get_by_label("Coefficient")).to_have_value("2,5")
    expect(page.locator("#lettre")).to_be_focused()
    page.screenshot(path=str(screenshot_dir / f"fse-formulaire-expire-{'js' if javascript else 'sans-js'}.png"),
                    full_page=True)
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()  # the fresh token is accepted
    page.locator("#panier").get_by_text("V 2,5").first.wait_for()

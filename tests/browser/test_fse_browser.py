"""The FSE page in Chromium at tablet sizes, with JavaScript (htmx swaps) and without (plain forms)."""

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in

pytestmark = pytest.mark.browser
SECRETS = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}


@pytest.fixture
def desk_for(browser, app, live_server, totp_clock):
    from app.demo.seed import seed_demo
    from app.extensions import db

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()

    def open_desk(identifiant, javascript=True, viewport=(1024, 768)):
        context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                      java_script_enabled=javascript)
        page = context.new_page()
        sign_in(page, live_server, identifiant, "Demo-FSE-2026", totp_clock.code(SECRETS[identifiant]))
        expect(page.get_by_role("heading", name="Identification de votre patient")).to_be_visible()
        return page
    return open_desk


def settle(page):
    """Wait until htmx has finished its requests, swaps and settling (new elements are bound)."""
    page.wait_for_load_state("networkidle")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def field(page, name):
    """A field by its accessible name (the mandatory « * » is hidden from it)."""
    return page.get_by_role("textbox", name=name, exact=True)


def after_post(page, javascript):
    """Wait for the answer of a form: htmx's swap with JavaScript, the new page without."""
    if javascript:
        settle(page)
    else:
        page.wait_for_load_state()


def choose(page, name):
    page.get_by_role("button", name=name).click()
    page.locator(".member-chosen", has_text=name).wait_for()
    settle(page)


def identify(page, matricule, code, caisse="CCSS"):
    page.get_by_label("Matricule").fill(matricule)
    page.get_by_label("Code FSE").fill(code)
    page.get_by_label("Caisse", exact=True).select_option(caisse)
    page.get_by_role("button", name="Élaborer une FSE").click()


def add_c_and_md(page):
    """The NGAP line C with the majoration MD, added; back when the basket shows it."""
    page.get_by_label("Lettre clé").fill("C")
    page.locator("#ngap").get_by_label("MD — Majoration de déplacement (visite)").check()
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("C 1 + MD").wait_for()


def total(page, name):
    return page.locator(f'[data-total="{name}"]').inner_text().replace("\u00a0", " ")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_medecin_bills_c_and_md_for_the_child_and_transmits(desk_for, screenshot_dir, javascript):
    page = desk_for("medecin.demo", javascript)
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    add_c_and_md(page)
    assert total(page, "base") == "40,00 €" and total(page, "caisse") == "32,00 €" and total(page, "patient") == "8,00 €"
    expect(page.locator("#hnp-case")).to_be_visible()  # verte card, rights open, no dépassement
    if javascript:
        assert page.get_by_label("Lettre clé").input_value() == ""  # the entry line was reset in place
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll
    page.screenshot(path=str(screenshot_dir / f"fse-panier-{'js' if javascript else 'sans-js'}-1024x768.png"),
                    full_page=True)
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Récapitulatif de la FSE")).to_be_visible()
    page.get_by_role("button", name="Transmettre").click()
    page.get_by_text("accusé de réception n°").wait_for()
    assert page.locator("[data-accuse]").inner_text().startswith("CCSS-")
    page.screenshot(path=str(screenshot_dir / f"fse-accuse-{'js' if javascript else 'sans-js'}.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_rose_card_pondération_and_no_hnp(desk_for, javascript):
    page = desk_for("medecin.demo", javascript, viewport=(800, 1280))
    identify(page, "100002", "R4M8")
    page.get_by_text("Carte rose", exact=True).wait_for()
    choose(page, "Sophie Crovetto")
    page.get_by_label("Lettre clé").fill("C")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    assert page.locator("#hnp-case").count() == 0 and page.get_by_text("HNP : non proposé").is_visible()
    page.get_by_label("Pondération (coefficient)").fill("1,15")
    page.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(page.locator("[data-total=facture]")).to_contain_text("34,50")
    page.get_by_label("Pondération (coefficient)").fill("1,25")
    page.get_by_role("button", name="Mettre à jour la facturation").click()
    page.get_by_text("coefficient maximum de la carte rose est 1,20").wait_for()
    assert total(page, "facture") == "34,50 €"


def test_bulle_card_has_no_hnp_box(desk_for):
    page = desk_for("medecin.demo")
    identify(page, "100003", "B9X3", "CAMTI")
    choose(page, "Philippe Notari")
    page.get_by_label("Lettre clé").fill("C")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    assert page.get_by_text("Carte bulle", exact=True).is_visible() and page.locator("#hnp-case").count() == 0


def test_hnp_allowed_on_rose_disappears_with_a_dépassement(desk_for, app):
    from app.extensions import db
    from app.models import RegleCouleur

    with app.app_context():
        db.session.get(RegleCouleur, "rose").hnp = True
        db.session.commit()
    try:
        page = desk_for("medecin.demo")
        identify(page, "100002", "R4M8")
        choose(page, "Sophie Crovetto")
        page.get_by_label("Lettre clé").fill("C")
        page.locator("#ngap").get_by_role("button", name="Ajouter").click()
        page.locator("#hnp-case").wait_for()
        settle(page)
        page.get_by_label("Montant facturé (€)").fill("33")
        page.get_by_label("Montant facturé (€)").press("Tab")  # htmx submits the billing on change
        page.get_by_text("un dépassement d'honoraires est saisi").wait_for()
        assert page.locator("#hnp-case").count() == 0
    finally:
        with app.app_context():
            db.session.get(RegleCouleur, "rose").hnp = False
            db.session.commit()


def test_dentist_bills_two_acts_with_the_autocomplete(desk_for, screenshot_dir):
    page = desk_for("dentiste.demo")
    identify(page, "100003", "B9X3", "CAMTI")
    choose(page, "Philippe Notari")
    page.get_by_label("Code CCAM").fill("detartrage")
    page.get_by_role("link", name="HBJD001 Détartrage et polissage des dents").click()
    settle(page)
    expect(page.locator("#ccam input[name=code]")).to_have_value("HBJD001")
    page.locator("#ccam").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("HBJD001").first.wait_for()
    settle(page)
    page.get_by_label("Code CCAM").fill("HBQK389")
    page.get_by_label("Code d'association").select_option("2")
    page.locator("#ccam").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("HBQK389").first.wait_for()
    assert total(page, "base") == "32,91 €"
    expect(page.get_by_text("RDD : non proposé")).to_be_visible()  # bulle card
    page.screenshot(path=str(screenshot_dir / "fse-dentiste-1024x768.png"), full_page=True)


@pytest.mark.parametrize("javascript", [True, False])
def test_a_physiotherapist_bills_ngap_without_a_ccam_line(desk_for, screenshot_dir, javascript):
    """No CCAM act is priced for a kiné: the page offers the NGAP line only, and it works."""
    page = desk_for("kine.demo", javascript=javascript)
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    expect(page.get_by_role("heading", name="Facturation des actes NGAP")).to_be_visible()
    expect(page.locator("#ccam")).to_have_count(0)
    expect(page.get_by_label("Code CCAM")).to_have_count(0)
    page.get_by_label("Lettre clé").fill("AMK")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("AMK 1").first.wait_for()
    expect(page.locator("#ccam")).to_have_count(0)  # the entry lines came back: still no CCAM line
    page.screenshot(path=str(screenshot_dir / f"fse-kine-{'js' if javascript else 'sans-js'}-1024x768.png"),
                    full_page=True)

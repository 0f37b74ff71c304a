"""« Demande d'abonnement » in Chromium at tablet sizes, with JavaScript (htmx swaps the form) and
without (plain posts): from the home page, a praticien fills the request, types an RPPS whose key is
wrong, sees the message next to it with what he typed kept and the focus there, corrects it, sends,
and gets his reference; the contract's articles open on the page."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.domain.calendar import today_in_monaco
from tests.browser.test_fse_browser import after_post, field

pytestmark = pytest.mark.browser

WRONG_KEY = ("Ce n° RPPS n'existe pas : un chiffre est erroné ou deux sont inversés (sa clé de contrôle ne "
             "correspond pas). Recopiez-le depuis votre carte.")


def check_tablet_basics(page):
    """Every field has a label; every tap target is 44 px high at least; nothing scrolls sideways."""
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#demande-abonnement-form input:not([type=hidden]), #demande-abonnement-form select')]
        .filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim()))).map(e => e.id || e.name)""")
    assert unlabelled == []
    small = page.evaluate("""() => [...document.querySelectorAll([
            '#demande-abonnement-form button', '#demande-abonnement-form label.radio', 'details.contrat summary',
            '#demande-abonnement-form .field-checkbox',
            '#demande-abonnement-form input:not([type=hidden]):not([type=radio]):not([type=checkbox])'].join(', '))]
        .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))""")
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("viewport", [(1024, 768), (800, 1280)], ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_request_refused_rpps_corrected_and_sent(browser, app, live_server, screenshot_dir, javascript, viewport):
    base = live_server
    size, mode = f"{viewport[0]}x{viewport[1]}", "js" if javascript else "sans-js"

    def shot(step):
        page.screenshot(path=str(screenshot_dir / f"abonnement-{step}-{mode}-{size}.png"), full_page=True)

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name="Demande d'abonnement").click()
    expect(page.get_by_role("heading", name="Demande d'abonnement", level=1)).to_be_visible()
    expect(page.locator("#fait_le")).to_have_value(today_in_monaco().isoformat())
    check_tablet_basics(page)
    shot("1-vide")

    # The contract's articles open on the page.
    articles = page.locator("details.contrat")
    expect(articles.get_by_role("heading", name="Article 13")).to_be_hidden()
    articles.locator("summary").click()
    expect(articles.get_by_role("heading", name="Article 13")).to_be_visible()
    expect(articles).to_contain_text("Les juridictions monégasques sont compétentes")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    articles.screenshot(path=str(screenshot_dir / f"abonnement-1-contrat-{mode}-{size}.png"))
    articles.locator("summary").click()

    field(page, "Nom").fill("Rossi")
    field(page, "Prénom").fill("Anne-Marie")
    page.get_by_role("radio", name="Médecin").check()  # no card box ticked: the RPPS says it
    page.get_by_label("N° RPPS").fill("10003456787")  # its last digit is not its key
    field(page, "Adresse électronique").fill("anne.rossi@exemple.mc")
    page.get_by_label("Tél. mobile").fill("06 12 34 56 78")
    page.get_by_label("Tél. fixe").fill("+377 93 15 43 44")
    field(page, "Fait à").fill("Monaco")
    page.get_by_role("checkbox", name=re.compile("^J'ai pris connaissance des termes du contrat")).check()
    page.get_by_role("button", name="Envoyer la demande").click()
    after_post(page, javascript)

    rpps = page.get_by_label("N° RPPS")
    expect(page.locator(".error-summary")).to_contain_text("La demande n'est pas envoyée : corrigez les zones signalées.")
    expect(page.locator(".error-summary").get_by_role("link")).to_have_text(["N° RPPS"])
    expect(page.locator("#rpps-erreur")).to_have_text(WRONG_KEY)
    expect(rpps).to_have_value("10003456787")
    expect(rpps).to_have_attribute("aria-invalid", "true")
    expect(rpps).to_be_focused()
    # Everything else kept, the box ticked included.
    expect(field(page, "Nom")).to_have_value("Rossi")
    expect(page.get_by_role("radio", name="Médecin")).to_be_checked()
    # A number typed means a card: the box « disposer d'une carte… » is now shown ticked.
    expect(page.get_by_role("radio", name=re.compile("^disposer d'une carte"))).to_be_checked()
    expect(page.get_by_label("Tél. fixe")).to_have_value("+377 93 15 43 44")
    expect(page.get_by_role("checkbox", name=re.compile("^J'ai pris connaissance"))).to_be_checked()
    check_tablet_basics(page)
    shot("2-rpps-refuse")

    rpps.fill("10003456786")
    page.get_by_role("button", name="Envoyer la demande").click()
    page.wait_for_url(re.compile(r"/abonnement/envoyee$"))
    expect(page.get_by_role("heading", name="Demande d'abonnement envoyée", level=1)).to_be_visible()
    reference = page.locator(".reference").inner_text()
    assert re.fullmatch(rf"AB-{today_in_monaco():%Y%m%d}-[2-9A-HJ-NP-Z]{{6}}", reference)
    expect(page.locator("main")).not_to_contain_text("anne.rossi")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("3-reference")

    from app.extensions import db
    from app.models import DemandeAbonnement

    with app.app_context():
        demande = db.session.scalar(select(DemandeAbonnement))
        assert (demande.reference, demande.rpps, demande.mobile, demande.statut) == (
            reference, "10003456786", "+33 6 12 34 56 78", "en_attente")
    context.close()


def test_the_sign_in_page_leads_to_the_request(browser, live_server):
    page = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR").new_page()
    page.goto(live_server + "/connexion")
    page.get_by_role("link", name="Demande d'abonnement").click()
    expect(page.get_by_role("heading", name="Demande d'abonnement", level=1)).to_be_visible()

"""In Chromium at tablet size: an agent approves a subscription request and gets the one-time activation
link (with htmx, and without JavaScript), finds the new praticien, and suspends a practice whose
praticien is signed out at once."""

import re

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS, DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import after_post, field, settle

pytestmark = pytest.mark.browser

SECRETS = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}
SECRETS.update({identifiant: secret for identifiant, *_, secret in DEMO_STAFF})


@pytest.fixture
def desk(browser, app, live_server, totp_clock):
    """A signed-in tablet of one person: (page, base URL)."""
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
        return page
    return open_desk, live_server


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "sans-js"])
def test_agent_approves_a_request_and_gets_the_link_once(desk, screenshot_dir, javascript):
    open_desk, base = desk
    page = open_desk("agent.demo", javascript)
    expect(page.get_by_role("heading", name="Espace caisse")).to_be_visible()
    page.get_by_role("link", name="Demandes d'abonnement").first.click()
    expect(page.get_by_role("heading", name="Demandes d'abonnement")).to_be_visible()
    rows = page.locator("tr[data-demande]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Laura Bianchi")  # the oldest first
    no_horizontal_scroll(page)
    if javascript:
        page.screenshot(path=str(screenshot_dir / "caisse-demandes-1024x768.png"), full_page=True)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name=re.compile("Demande d'abonnement AB-"))).to_be_visible()
    expect(field(page, "Identifiant de connexion")).to_have_value("laura.bianchi")
    expect(field(page, "Spécialité affichée")).to_have_value("Orthophoniste")

    # a bad identifiant: the message next to the field, the input kept
    field(page, "Identifiant de connexion").fill("laura bianchi")
    page.get_by_role("button", name="Approuver et créer le compte").click()
    after_post(page, javascript)
    expect(page.locator("#identifiant-erreur")).to_contain_text("Lettres sans accents")
    expect(field(page, "Identifiant de connexion")).to_have_value("laura bianchi")
    no_horizontal_scroll(page)
    if javascript:
        page.screenshot(path=str(screenshot_dir / "caisse-demande-1024x768.png"), full_page=True)

    field(page, "Identifiant de connexion").fill("laura.bianchi")
    page.get_by_role("button", name="Approuver et créer le compte").click()
    after_post(page, javascript)
    expect(page.get_by_role("heading", name="Compte créé pour Laura Bianchi")).to_be_visible()
    link = page.locator("[data-lien]").inner_text()
    assert "/activation/" in link
    expect(page.get_by_text("Ce lien n'est affiché qu'une seule fois.")).to_be_visible()
    expect(page.locator("[data-identifiant]")).to_have_text("laura.bianchi")
    no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / f"caisse-lien-activation-{'js' if javascript else 'sans-js'}.png"),
                    full_page=True)

    # a reload of the request's page never shows the link again
    page.goto(page.url if "/approbation" not in page.url else page.url.rsplit("/", 1)[0])
    expect(page.get_by_text("Approuvée le")).to_be_visible()
    assert link not in page.content()

    # the new praticien in « Praticiens », never activated
    page.get_by_role("link", name="Praticiens", exact=True).click()
    page.get_by_label("Rechercher").fill("BIANCHI")
    page.get_by_role("button", name="Rechercher").click()
    after_post(page, javascript)
    row = page.locator("tr[data-praticien]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Jamais activé")
    assert "q=BIANCHI" in page.url


def test_agent_suspends_a_practice_whose_praticien_is_signed_out(desk, screenshot_dir):
    open_desk, base = desk
    praticien = open_desk("medecin.demo", viewport=(800, 1280))
    expect(praticien.get_by_role("heading", name="Identification de votre patient")).to_be_visible()
    agent = open_desk("agent.demo")
    agent.goto(base + "/caisse/praticiens")
    agent.get_by_label("Rechercher").fill("lorenzi")
    agent.get_by_role("button", name="Rechercher").click()
    settle(agent)
    agent.screenshot(path=str(screenshot_dir / "caisse-praticiens-1024x768.png"), full_page=True)
    agent.get_by_role("link", name="Lorenzi Claire").click()
    expect(agent.get_by_role("heading", name="Claire Lorenzi")).to_be_visible()
    expect(agent.get_by_text("assistant.demo")).to_be_visible()

    agent.get_by_role("button", name="Suspendre l'accès").click()
    settle(agent)
    expect(agent.locator("#motif-erreur")).to_contain_text("Écrivez le motif de la suspension")
    agent.get_by_label("Motif de la suspension").fill("Facturation d'actes non réalisés (article 5).")
    agent.get_by_role("button", name="Suspendre l'accès").click()
    agent.wait_for_load_state()
    expect(agent.get_by_text("Accès suspendu : 1 session ouverte a été fermée.")).to_be_visible()
    expect(agent.get_by_text("Motif : Facturation d'actes non réalisés (article 5).")).to_be_visible()
    no_horizontal_scroll(agent)
    agent.screenshot(path=str(screenshot_dir / "caisse-praticien-suspendu-1024x768.png"), full_page=True)

    # the praticien's next tap takes him to the login page, which says why
    praticien.reload()
    expect(praticien.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(praticien.get_by_text("L'accès de ce cabinet au portail est suspendu par la caisse.")).to_be_visible()
    praticien.screenshot(path=str(screenshot_dir / "connexion-cabinet-suspendu-800x1280.png"), full_page=True)

    agent.set_viewport_size({"width": 800, "height": 1280})
    no_horizontal_scroll(agent)
    agent.screenshot(path=str(screenshot_dir / "caisse-praticien-suspendu-800x1280.png"), full_page=True)
    agent.get_by_role("button", name="Rétablir l'accès").click()
    agent.wait_for_load_state()
    expect(agent.get_by_text("Accès rétabli")).to_be_visible()
    expect(agent.get_by_role("button", name="Suspendre l'accès")).to_be_visible()

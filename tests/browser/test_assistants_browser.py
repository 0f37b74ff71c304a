"""In Chromium at tablet size: a praticien adds an assistant, who signs in with his own phone, reaches
the portal but not assistant management, and is refused once the praticien has ended him."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco

pytestmark = pytest.mark.browser

MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret


def sign_in(page, base, identifiant, password, code):
    page.goto(base + "/connexion")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code de double authentification").fill(code)
    page.get_by_role("button", name="Valider").click()


@pytest.fixture
def browser_setup(app, live_server, totp_clock):
    from app.demo.seed import seed_demo
    from app.extensions import db

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
    return live_server, totp_clock


def test_praticien_adds_assistant_who_is_refused_once_ended(browser, browser_setup, screenshot_dir):
    base, clock = browser_setup
    praticien = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR").new_page()
    sign_in(praticien, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    praticien.goto(base + "/profil")
    praticien.get_by_role("link", name="Ajouter un(e) assistant(e)").click()

    # re-authentication before managing assistants
    praticien.get_by_label("Mot de passe").fill("Demo-FSE-2026")
    praticien.get_by_label("Code de double authentification").fill(clock.code(MEDECIN_SECRET))
    praticien.get_by_role("button", name="Valider").click()

    expect(praticien.get_by_role("heading", name="Ajouter un(e) assistant(e) autorisé(e)")).to_be_visible()
    praticien.wait_for_load_state("load")  # the QR code is an image of its own
    assert praticien.locator("figure.qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    secret = praticien.locator("[data-secret]").inner_text().replace(" ", "")
    praticien.screenshot(path=str(screenshot_dir / "ajout-assistant-1024x768.png"), full_page=True)
    praticien.get_by_label("Nom", exact=True).fill("Settimo")
    praticien.get_by_label("Prénom").fill("Inès")
    praticien.get_by_label("Date de début de validité").fill((today_in_monaco() - timedelta(days=7)).isoformat())
    praticien.get_by_label("Code d'authentification (téléphone de l'assistant(e))").fill(clock.code(secret))
    praticien.get_by_role("button", name="Ajouter").click()
    identifiant = praticien.locator("[data-identifiant]").inner_text()
    one_time = praticien.locator("[data-mot-de-passe]").inner_text()
    assert identifiant == "ines.settimo"

    assistant = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR").new_page()
    sign_in(assistant, base, identifiant, one_time, clock.code(secret))
    expect(assistant.get_by_role("heading", name="Changer de mot de passe")).to_be_visible()
    assistant.get_by_label("Mot de passe actuel").fill(one_time)
    assistant.get_by_label("Nouveau mot de passe", exact=True).fill("le soleil de Fontvieille")
    assistant.get_by_label("Confirmez le nouveau mot de passe").fill("le soleil de Fontvieille")
    assistant.get_by_role("button", name="Valider").click()
    expect(assistant.get_by_text("Inès Settimo").first).to_be_visible()
    expect(assistant.get_by_role("heading", name="Identification de votre patient")).to_be_visible()  # the FSE page
    expect(assistant.get_by_role("button", name="Déconnexion")).to_be_visible()
    assert assistant.get_by_role("link", name="Ajouter un(e) assistant(e)").count() == 0
    assistant.screenshot(path=str(screenshot_dir / "assistant-profil-800x1280.png"), full_page=True)
    assert assistant.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    response = assistant.goto(base + "/profil/assistants/ajouter")
    assert response.status == 403 and assistant.get_by_role("heading", name="Accès refusé").is_visible()
    assistant.goto(base + "/profil")

    # the praticien ends the assistant: yesterday was his last day
    praticien.get_by_role("link", name="Retour au profil").click()
    praticien.set_viewport_size({"width": 800, "height": 1280})
    assert praticien.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    praticien.screenshot(path=str(screenshot_dir / "profil-praticien-800x1280.png"), full_page=True)
    row = praticien.locator("tr", has_text="Inès Settimo")
    row.get_by_label("Date de fin").fill((today_in_monaco() - timedelta(days=1)).isoformat())
    row.get_by_role("button", name="Enregistrer la fin").click()
    expect(praticien.get_by_text("Validité de Inès Settimo mise à jour.")).to_be_visible()
    expect(praticien.locator("tr", has_text="Inès Settimo").get_by_text("inactif")).to_be_visible()

    assistant.reload()
    assert assistant.url.endswith("/connexion")
    assistant.get_by_label("Identifiant").fill(identifiant)
    assistant.get_by_label("Mot de passe").fill("le soleil de Fontvieille")
    assistant.get_by_role("button", name="Connexion").click()
    expect(assistant.get_by_text("Votre accès n'est pas valide à cette date.")).to_be_visible()


def test_sign_in_and_out_without_javascript(browser, browser_setup, screenshot_dir):
    base, clock = browser_setup
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    expect(page.get_by_role("heading", name="Identification de votre patient")).to_be_visible()
    page.get_by_role("link", name="Profil").click()
    expect(page.get_by_role("heading", name="Profil")).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "profil-sans-js-800x1280.png"), full_page=True)
    page.get_by_role("button", name="Déconnexion").click()
    expect(page.get_by_text("Vous êtes déconnecté(e).")).to_be_visible()
    assert page.goto(base + "/profil").url.endswith("/connexion")


def test_first_activation_shows_a_scannable_qr_code(browser, browser_setup, screenshot_dir):
    base, clock = browser_setup
    page = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR").new_page()
    page.goto(base + "/connexion")
    page.get_by_label("Identifiant").fill("nouveau.demo")
    page.get_by_label("Mot de passe").fill("Demo-FSE-2026")
    page.get_by_label("Activer la double authentification").check()
    page.get_by_role("button", name="Connexion").click()
    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    page.wait_for_load_state("load")  # the QR code is an image of its own
    assert page.locator("figure.qr img").evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(screenshot_dir / "activation-1024x768.png"), full_page=True)
    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code de double authentification").fill(clock.code(secret))
    page.get_by_role("button", name="Valider").click()
    expect(page.get_by_role("heading", name="Identification de votre patient")).to_be_visible()

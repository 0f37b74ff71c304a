"""In Chromium at tablet size: an agent imports a registry file with one bad line (refused, the line
named, nothing written), then the corrected file (the report, the counts updated) — with htmx and
without JavaScript; the page never scrolls sideways."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.demo.seed import DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import after_post
from tests.registre.helpers import SAMPLE, with_line_replaced

pytestmark = pytest.mark.browser

SECRETS = {identifiant: secret for identifiant, *_, secret in DEMO_STAFF}


def members(app) -> int:
    from app.extensions import db
    from app.models import Beneficiaire

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Beneficiaire))


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript, viewport", [(True, (1024, 768)), (True, (800, 1280)), (False, (1024, 768))],
                         ids=["htmx-paysage", "htmx-portrait", "sans-js"])
def test_agent_imports_the_registry(browser, app, live_server, totp_clock, screenshot_dir, tmp_path,
                                    javascript, viewport):
    from app.demo.seed import seed_demo
    from app.extensions import db

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, live_server, "agent.demo", "Demo-FSE-2026", totp_clock.code(SECRETS["agent.demo"]))
    page.get_by_role("link", name="Registre").first.click()
    expect(page.get_by_role("heading", name="Registre des assurés")).to_be_visible()
    expect(page.locator(".registre-facts")).to_contain_text("Bénéficiaires")
    no_horizontal_scroll(page)
    suffix = f"{'js' if javascript else 'nojs'}-{viewport[0]}x{viewport[1]}"

    bad = tmp_path / "registre-faux.csv"
    bad.write_bytes(with_line_replaced(
        SAMPLE.read_bytes(), 7, "100013;W5T2;SPME;bulle;1;assure;Médecin;Jean-Louis;31/11/1948;01/01/1995;;"))
    page.get_by_label("Fichier du registre (CSV)").set_input_files(str(bad))
    page.get_by_role("button", name="Importer").click()
    after_post(page, javascript)
    expect(page.get_by_role("heading", name="Fichier refusé : rien n'a été modifié")).to_be_visible()
    row = page.locator(".registre-errors tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("7")
    expect(row).to_contain_text("date invalide « 31/11/1948 »")
    assert members(app) == 9
    no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / f"caisse-registre-refus-{suffix}.png"), full_page=True)

    page.get_by_label("Fichier du registre (CSV)").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Importer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Import terminé")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Registre importé")).to_contain_text("10 lignes")
    expect(page.locator(".registre-result")).to_contain_text("Bénéficiaires")
    expect(page.locator(".registre-facts")).to_contain_text("19")
    assert members(app) == 19
    no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / f"caisse-registre-import-{suffix}.png"), full_page=True)
    context.close()

"""« Historique FSE » in Chromium at tablet sizes, with JavaScript (htmx swaps) and without (plain
forms): filter, open a detail (and its print version), export, delete."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from tests.browser.test_assistants_browser import sign_in

pytestmark = pytest.mark.browser
SECRETS = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}
VIEWPORTS = [(1024, 768), (800, 1280)]


@pytest.fixture
def history_data(app, live_server, monkeypatch):
    """medecin.demo's year: a few FSE over the months, one sent this morning; the clock at 15:00."""
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.history.conftest import Maker, monaco

    with app.app_context():
        make = Maker()
        seed_demo(db.session, "test", make.today, count=0)
        db.session.commit()
        t = make.today
        for days, matricule, rang in ((20, "100001", 1), (45, "100001", 4), (80, "100003", 1), (130, "100004", 1),
                                      (200, "100001", 2), (260, "100003", 2), (330, "100004", 1)):
            make(matricule=matricule, rang=rang, sent=monaco(t - timedelta(days=days), 10))
        make(who="assistant.demo", matricule="100002", sent=monaco(t - timedelta(days=9), 11),
             ponderation=Decimal("1.20"))
        today_id = make(matricule="100004", sent=monaco(t, 9, 30))
    monkeypatch.setattr("app.history.services.now", lambda: monaco(t, 15))
    return today_id


def open_history(browser, live_server, totp_clock, javascript, viewport):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    sign_in(page, live_server, "medecin.demo", "Demo-FSE-2026", totp_clock.code(SECRETS["medecin.demo"]))
    page.get_by_role("link", name="Historique FSE").click()
    page.get_by_role("heading", name="Historique FSE").wait_for()
    return page


def settle(page):
    page.wait_for_load_state("networkidle")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_filter_export_detail_delete(browser, live_server, totp_clock, history_data, screenshot_dir, javascript,
                                     viewport):
    name = f"{'js' if javascript else 'sans-js'}-{viewport[0]}x{viewport[1]}"
    page = open_history(browser, live_server, totp_clock, javascript, viewport)
    rows = page.locator("tr[data-fse]")
    expect(rows).to_have_count(9)
    expect(page.locator(".chart-bar")).not_to_have_count(0)
    page.screenshot(path=str(screenshot_dir / f"historique-{name}.png"), full_page=True)
    page.locator("#historique-total").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"historique-liste-{name}.png"))
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll

    # Filter on a name with the wrong accents and case: the list, the totals and the chart follow.
    page.get_by_label("Matricule ou nom du patient").fill("CROVÈTTO")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(rows).to_have_count(1)
    expect(page.locator("#historique-total")).to_contain_text("1 FSE")
    expect(rows.first).to_contain_text("Camille Rey")
    assert "crov" not in page.url.lower()
    assert page.get_by_label("Matricule ou nom du patient").input_value() == "CROVÈTTO"

    # A bad amount: the message next to the field, the input kept.
    page.get_by_label("Facturé de (€)").fill("douze")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#montant_min-erreur")).to_contain_text("Montant invalide")
    assert page.get_by_label("Facturé de (€)").input_value() == "douze"
    page.get_by_label("Facturé de (€)").fill("")

    # « Exporter »: the kept filters, as a download.
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("historique-fse-") and download.suggested_filename.endswith(".csv")
    body = open(download.path(), "rb").read()
    assert body.startswith(b"\xef\xbb\xbf") and body.count(b"\r\n") == 2 and "Crovetto".encode() in body

    page.get_by_role("button", name="Réinitialiser les filtres").click()
    settle(page)
    expect(rows).to_have_count(9)

    # The detail of this morning's FSE, printable, then « Supprimer » after a confirmation.
    page.locator(f'tr[data-fse="{history_data}"] a').click()
    page.get_by_role("heading", name="FSE n°").wait_for()
    expect(page.locator(".facts")).to_contain_text("Alain Gastaud")
    # No empty gap above « ← Retour à l'historique »: it starts at the panel's padding.
    gap = page.evaluate("document.querySelector('.back-link').getBoundingClientRect().top"
                        " - document.querySelector('.history-detail').getBoundingClientRect().top")
    assert gap <= 20, gap
    page.screenshot(path=str(screenshot_dir / f"historique-detail-{name}.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.get_by_role("link", name="Supprimer cette FSE").is_visible()
    assert not page.locator(".main-nav").is_visible()
    page.screenshot(path=str(screenshot_dir / f"historique-detail-impression-{name}.png"), full_page=True)
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Supprimer cette FSE").click()
    page.get_by_role("button", name="Supprimer la FSE").click()
    page.get_by_text("a été supprimée").wait_for()
    expect(page.locator(".detail-status")).to_contain_text("Supprimée")
    assert page.get_by_role("link", name="Supprimer cette FSE").count() == 0
    page.get_by_role("link", name="Retour à l'historique").click()
    expect(page.locator(f'tr[data-fse="{history_data}"] .status')).to_have_text("Supprimée")
    # Listed, but no longer in the sums: the summary says so.
    expect(page.locator("#historique-exclues")).to_contain_text("Dont 1 supprimée, non comptée")
    page.locator("#historique-total").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / f"historique-apres-suppression-{name}.png"))
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_back_from_a_detail_to_the_same_page(browser, live_server, totp_clock, history_data, monkeypatch,
                                             screenshot_dir, javascript):
    monkeypatch.setattr("app.history.services.PAGE_SIZE", 4)
    page = open_history(browser, live_server, totp_clock, javascript, VIEWPORTS[1])
    page.get_by_role("link", name="Plus anciennes →").click()
    settle(page)
    expect(page.locator(".pagination")).to_contain_text("Page 2 sur 3")
    page.locator("tr[data-fse] a").first.click()
    page.get_by_role("heading", name="FSE n°").wait_for()
    expect(page.locator("#suppression-impossible")).to_contain_text("Suppression impossible.")
    page.get_by_role("link", name="Retour à l'historique").click()
    expect(page.locator(".pagination")).to_contain_text("Page 2 sur 3")
    # A later filter forgets the pushed page number: a reload shows page 1 of the new selection.
    page.get_by_label("Statut").select_option("transmise")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    assert "page=" not in page.url
    page.reload()
    expect(page.locator(".pagination")).to_contain_text("Page 1 sur")
    page.screenshot(path=str(screenshot_dir / f"historique-filtre-statut-{'js' if javascript else 'sans-js'}.png"))
    page.context.close()

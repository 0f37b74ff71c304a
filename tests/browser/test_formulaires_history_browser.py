"""A form's history in Chromium at tablet sizes, with JavaScript (htmx swaps the region) and without
(plain forms and links): list, pages (?page=N links), patient filter, bad period; the filters kept for
the signed-in session, so Back from a document (or its « ← Historique ») shows the filtered list and
its fields again, never a resubmission; the employer copy in a new tab; a new sign-in unfiltered; no
patient name in any address the browser asks for."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in

pytestmark = pytest.mark.browser
SECRET = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}["medecin.demo"]
VIEWPORTS = [(1024, 768), (800, 1280)]


@pytest.fixture
def thirty_its(app, live_server):
    """27 IT of Marc Bellando, then 3 of Sophie Crovetto, sent by medecin.demo."""
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.formulaires.test_history import sent_document

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        start = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
        for i in range(27):
            sent_document("it", "Marc", start + timedelta(hours=i))
        for i in range(3):
            sent_document("it", "Sophie", start + timedelta(days=10, hours=i))


def settle(page):
    page.wait_for_load_state("networkidle")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def open_it_history(browser, live_server, totp_clock, javascript, viewport):
    """Signed in as medecin.demo, on the IT's history; every address the browser asks for is kept in
    `page.asked`."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript, accept_downloads=True)
    page = context.new_page()
    page.asked = []
    context.on("request", lambda request: page.asked.append(request.url))
    sign_in(page, live_server, "medecin.demo", "Demo-FSE-2026", totp_clock.code(SECRET))
    page.get_by_role("link", name="Formulaires").click()
    page.get_by_role("heading", name="Formulaires", exact=True).wait_for()
    return page


# At a tablet's portrait width the rows are stacked, each value after its label (td::before): every
# label holds on one line within its column, and beside a 44 px link (reference, employer copy) it sits
# on the line of the link's text, not above it. Gives what is wrong, by label.
STACKED_LABELS = """() => {
  const ctx = document.createElement("canvas").getContext("2d");
  const wrong = [];
  for (const td of document.querySelectorAll("tr[data-formulaire]:first-child td")) {
    const label = getComputedStyle(td, "::before");
    ctx.font = `${label.fontWeight} ${label.fontSize} ${label.fontFamily}`;
    const name = td.dataset.label;
    if (ctx.measureText(name).width > parseFloat(label.width)) wrong.push(`${name}: trop long`);
    if (parseFloat(label.left) + parseFloat(label.width) > parseFloat(getComputedStyle(td).paddingLeft))
      wrong.push(`${name}: sur la valeur`);
    const link = td.querySelector(":scope > a");
    if (link) {
      const box = link.getBoundingClientRect(), cell = td.getBoundingClientRect();
      const lineHeight = parseFloat(label.lineHeight);
      const top = cell.top + parseFloat(getComputedStyle(td).paddingTop);
      if (Math.abs(lineHeight - box.height) > 1 || Math.abs(box.top - top) > 1) wrong.push(`${name}: décalé`);
    }
  }
  return wrong;
}"""


def stacked_labels(page) -> list[str]:
    return page.evaluate(STACKED_LABELS)


def go_to_history(page):
    page.get_by_role("link", name="Historique : Prescription d'IT").click()
    page.get_by_role("heading", name="Historique · Prescription d'interruption de travail").wait_for()


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_pages_filter_and_bad_period(browser, live_server, totp_clock, thirty_its, screenshot_dir, javascript,
                                     viewport):
    name = f"{'js' if javascript else 'sans-js'}-{viewport[0]}x{viewport[1]}"
    page = open_it_history(browser, live_server, totp_clock, javascript, viewport)
    page.screenshot(path=str(screenshot_dir / f"formulaires-accueil-{name}.png"), full_page=True)
    go_to_history(page)
    if javascript:
        page.evaluate("window.pasDeRechargement = true")  # gone if a swap turned into a navigation
    rows = page.locator("tr[data-formulaire]")
    expect(rows).to_have_count(25)
    expect(rows.first).to_contain_text("Sophie Crovetto")
    page.screenshot(path=str(screenshot_dir / f"formulaires-historique-{name}.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no horizontal scroll
    if viewport[0] < 820:
        assert stacked_labels(page) == []

    # The next page: a link with the page number (pushed in the address with htmx).
    page.get_by_role("link", name="Plus anciens →").click()
    settle(page)
    expect(rows).to_have_count(5)
    expect(page.get_by_text("Page 2 sur 2", exact=True)).to_be_visible()
    assert page.url.endswith("/formulaires/it/historique?page=2")

    # A patient with the wrong accents and case: 27 documents, and his second page keeps the filter.
    page.get_by_label("Matricule ou nom du patient").fill("BELLÀNDO")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#historique-total")).to_contain_text("27 documents transmis")
    expect(rows).to_have_count(25)
    assert page.url.endswith("/formulaires/it/historique")  # the former selection's page number is gone
    page.get_by_role("link", name="Plus anciens →").click()
    settle(page)
    expect(rows).to_have_count(2)
    expect(page.locator("tr[data-formulaire]", has_text="Crovetto")).to_have_count(0)
    assert page.get_by_label("Matricule ou nom du patient").input_value() == "BELLÀNDO"
    assert page.url.endswith("/formulaires/it/historique?page=2")

    # A period whose end precedes its start: the message next to « au », the input kept.
    page.get_by_label("Transmis du").fill("2026-03-12")  # a date picker
    page.get_by_label("au", exact=True).fill("2026-03-10")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#au-erreur")).to_contain_text("La date de fin précède la date de début.")
    expect(rows).to_have_count(0)
    assert page.get_by_label("Matricule ou nom du patient").input_value() == "BELLÀNDO"
    assert page.get_by_label("au", exact=True).input_value() == "2026-03-10"
    page.screenshot(path=str(screenshot_dir / f"formulaires-historique-erreur-{name}.png"), full_page=True)
    if javascript:
        assert page.evaluate("window.pasDeRechargement === true")
    for url in page.asked:
        assert not re.search(r"bell|crovetto|10000\d", url, re.I), url
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_back_from_a_document_keeps_the_filtered_list(browser, live_server, totp_clock, thirty_its, screenshot_dir,
                                                      javascript):
    name = "js" if javascript else "sans-js"
    page = open_it_history(browser, live_server, totp_clock, javascript, VIEWPORTS[1])
    go_to_history(page)
    rows = page.locator("tr[data-formulaire]")
    patient = page.get_by_label("Matricule ou nom du patient")
    page.get_by_label("Transmis du").fill("2026-06-01")
    patient.fill("bellando")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#historique-total")).to_contain_text("27 documents transmis, depuis le 01/06/2026")

    def filtered(count, page_number):
        expect(page.get_by_role("heading", name="Historique · Prescription d'interruption de travail")).to_be_visible()
        expect(page.locator("#historique-total")).to_contain_text("27 documents transmis")
        expect(rows).to_have_count(count)
        expect(page.locator(".pagination")).to_contain_text(f"Page {page_number} sur 2")
        expect(page.locator("tr[data-formulaire]", has_text="Crovetto")).to_have_count(0)
        expect(patient).to_have_value("bellando")
        expect(page.get_by_label("Transmis du")).to_have_value("2026-06-01")

    # Open a document (its reference), then Back: the filtered list and its fields, not a resubmission.
    reference = rows.first.locator("td.history-ref a").inner_text()
    rows.first.get_by_role("link", name=reference, exact=True).click()
    page.get_by_role("heading", name="Prescription d'interruption de travail").wait_for()
    expect(page.locator(".form-facts")).to_contain_text(reference)
    page.go_back()
    filtered(25, 1)

    # Its second page, a document, Back twice: page 2 then page 1, both still filtered.
    page.get_by_role("link", name="Plus anciens →").click()
    settle(page)
    filtered(2, 2)
    rows.first.locator("td.history-ref a").click()
    page.get_by_role("link", name="← Historique").wait_for()
    page.go_back()
    filtered(2, 2)
    page.go_back()
    settle(page)
    filtered(25, 1)

    # The document's « ← Historique »: the same page of the same selection.
    page.get_by_role("link", name="Plus anciens →").click()
    settle(page)
    rows.first.locator("td.history-ref a").click()
    page.get_by_role("link", name="← Historique").click()
    filtered(2, 2)
    page.screenshot(path=str(screenshot_dir / f"formulaires-historique-retour-{name}.png"), full_page=True)

    # The employer copy opens in a new tab: the list stays as it was.
    with page.context.expect_page() as opened:
        rows.first.get_by_role("link", name=re.compile("Ouvrir le PDF")).click()
    tab = opened.value
    tab.wait_for_load_state()
    assert re.search(r"/formulaires/document/\d+/copie-employeur\.pdf$", tab.url)
    tab.close()
    filtered(2, 2)

    # « Réinitialiser les filtres »: the 30 documents, the fields empty; a reload keeps it so.
    page.get_by_role("button", name="Réinitialiser les filtres").click()
    settle(page)
    expect(page.locator("#historique-total")).to_contain_text("30 documents transmis")
    expect(patient).to_have_value("")
    assert page.url.endswith("/formulaires/it/historique")
    page.reload()
    expect(page.locator("#historique-total")).to_contain_text("30 documents transmis")
    expect(page.get_by_role("button", name="Réinitialiser les filtres")).to_be_disabled()

    # Filtered again, then signed out and in: the new session starts unfiltered.
    patient.fill("bellando")
    page.get_by_role("button", name="Filtrer").click()
    settle(page)
    expect(page.locator("#historique-total")).to_contain_text("27 documents transmis")
    page.get_by_role("button", name="Déconnexion").click()
    page.get_by_label("Identifiant").wait_for()
    sign_in(page, live_server, "medecin.demo", "Demo-FSE-2026", totp_clock.code(SECRET))
    page.goto(live_server + "/formulaires/it/historique")
    expect(page.locator("#historique-total")).to_contain_text("30 documents transmis")
    expect(patient).to_have_value("")
    for url in page.asked:
        assert not re.search(r"bell|10000\d", url, re.I), url
    page.context.close()

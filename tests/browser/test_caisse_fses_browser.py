"""« FSE reçues » in Chromium at tablet size: the agent rejects an FSE (with JavaScript, and without:
plain forms) and the praticien sees the notice at sign-in and the reason in his history; the agent
pays HNP FSE in an ordiposte and the praticien finds it on « HNP », the FSE `payée`."""

from __future__ import annotations

import html
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS, DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import after_post, settle

pytestmark = pytest.mark.browser
MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret
AGENT_SECRET = next(secret for identifiant, *_, secret in DEMO_STAFF if identifiant == "agent.demo")
REASON = "Cotation incompatible avec la date des soins : merci de refaire la FSE."


@pytest.fixture
def received(app, live_server, totp_clock):
    """The demo accounts; medecin.demo's two HNP FSE and one without HNP, and a dentist's HNP FSE."""
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.hnp.conftest import Practice

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        practice = Practice()
        hnp = [practice.fse(days_ago=4), practice.fse(days_ago=3, member=1)]
        plain = practice.fse(days_ago=2, hnp=False, member=2)
        dentist = practice.fse(days_ago=1, identifiant="dentiste.demo", acts=(("NGAP", "C", "1|1|"),))
        values = SimpleNamespace(hnp=[(f.id, f.accuse_reception) for f in hnp], plain=(plain.id, plain.accuse_reception),
                                 dentist=dentist.accuse_reception,
                                 patient=f"{plain.patient_prenom} {plain.patient_nom}")
        db.session.commit()
    return live_server, totp_clock, values


def new_page(browser, javascript=True, viewport=(1024, 768)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript, accept_downloads=True)
    return context.new_page()


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_agent_rejects_an_fse_and_the_praticien_sees_the_notice_and_the_reason(browser, received, screenshot_dir,
                                                                                   javascript):
    base, clock, fses = received
    mode = "js" if javascript else "sans-js"
    agent = new_page(browser, javascript)
    sign_in(agent, base, "agent.demo", "Demo-FSE-2026", clock.code(AGENT_SECRET))
    agent.get_by_role("link", name="FSE reçues", exact=True).first.click()
    expect(agent.get_by_role("heading", name="FSE reçues")).to_be_visible()
    expect(agent.locator(".caisse-fses-count")).to_contain_text("4 FSE")
    assert no_horizontal_scroll(agent)
    agent.screenshot(path=str(screenshot_dir / f"caisse-fses-{mode}-1024x768.png"), full_page=True)

    # One praticien: the dentist's FSE goes away (swapped in place with htmx).
    agent.get_by_label("Praticien").select_option(label="LORENZI Claire")
    agent.get_by_role("button", name="Filtrer").click()
    after_post(agent, javascript)
    expect(agent.locator(".caisse-fses-count")).to_contain_text("3 FSE")
    expect(agent.get_by_text(fses.dentist)).to_have_count(0)
    if javascript:
        assert agent.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert "praticien=" in agent.url

    agent.get_by_role("link", name=fses.plain[1]).click()
    expect(agent.get_by_role("heading", name=f"FSE n° {fses.plain[1]}")).to_be_visible()
    agent.get_by_role("button", name="Rejeter la FSE").click()
    expect(agent.locator("#motif-erreur")).to_have_text(
        "Le motif du rejet est obligatoire : il est communiqué au praticien.")
    agent.get_by_label("Motif du rejet").fill(REASON)
    agent.screenshot(path=str(screenshot_dir / f"caisse-fse-rejet-{mode}-1024x768.png"), full_page=True)
    agent.get_by_role("button", name="Rejeter la FSE").click()
    expect(agent.locator(".flash-success")).to_contain_text("FSE rejetée")
    expect(agent.locator("#fse-motif")).to_contain_text(REASON)
    expect(agent.locator("#fse-statut")).to_have_text("Statut : Rejetée")
    expect(agent.get_by_role("button", name="Rejeter la FSE")).to_have_count(0)
    # back to the list, its filter kept
    agent.get_by_role("link", name="← FSE reçues").click()
    expect(agent.get_by_label("Praticien")).to_have_value(agent.get_by_label("Praticien").input_value())
    expect(agent.locator(".caisse-fses-count")).to_contain_text("dont 2 transmises, 1 rejetée")

    praticien = new_page(browser, javascript)
    sign_in(praticien, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    notice = praticien.locator("#rejets")
    expect(notice.get_by_role("heading", name="La caisse a rejeté 1 FSE")).to_be_visible()
    expect(notice).to_contain_text(REASON)
    expect(notice).to_contain_text(fses.patient)
    assert no_horizontal_scroll(praticien)
    praticien.screenshot(path=str(screenshot_dir / f"avis-rejet-{mode}-1024x768.png"), full_page=True)
    notice.get_by_role("link", name=f"FSE {fses.plain[1]}").click()
    expect(praticien.locator(".rejection")).to_contain_text(html.unescape(REASON))
    praticien.goto(base + "/historique")
    expect(praticien.locator("tr", has_text=fses.plain[1])).to_contain_text("Rejetée")
    praticien.goto(base + "/fse")
    praticien.get_by_role("button", name="J'ai pris connaissance").click()
    after_post(praticien, javascript)
    expect(praticien.locator("#rejets")).to_have_count(0)
    praticien.reload()
    expect(praticien.locator("#rejets")).to_have_count(0)


def test_the_agent_pays_hnp_fse_in_an_ordiposte_and_the_praticien_sees_it(browser, received, screenshot_dir):
    base, clock, fses = received
    agent = new_page(browser)
    sign_in(agent, base, "agent.demo", "Demo-FSE-2026", clock.code(AGENT_SECRET))
    agent.goto(base + "/caisse/fses")
    agent.get_by_role("link", name="HNP/RDD à payer (ordiposte)").click()
    settle(agent)
    expect(agent.locator(".caisse-fses-count")).to_contain_text("3 FSE HNP/RDD à payer")

    # Two praticiens ticked: refused, nothing paid.
    agent.get_by_label("Cocher toutes les FSE de la page").check()
    agent.get_by_role("button", name="Créer l'ordiposte").click()
    expect(agent.locator(".error-summary")).to_contain_text("d'un seul praticien et d'une seule caisse")
    assert no_horizontal_scroll(agent)

    agent.get_by_label("Praticien").select_option(label="LORENZI Claire")
    agent.get_by_label("Caisse", exact=True).select_option("CCSS")
    agent.get_by_role("button", name="Filtrer").click()
    settle(agent)
    expect(agent.locator(".caisse-fses-count")).to_contain_text("2 FSE HNP/RDD à payer")
    agent.get_by_label("Cocher toutes les FSE de la page").check()
    for _, reference in fses.hnp:
        expect(agent.get_by_label(f"Payer la FSE {reference}")).to_be_checked()
    agent.screenshot(path=str(screenshot_dir / "caisse-ordiposte-selection-1024x768.png"), full_page=True)
    agent.get_by_role("button", name="Créer l'ordiposte").click()
    expect(agent.locator(".flash-success")).to_contain_text("2 FSE payées")
    reference = agent.get_by_role("heading", level=1).inner_text().removeprefix("Ordiposte ")
    agent.screenshot(path=str(screenshot_dir / "caisse-ordiposte-1024x768.png"), full_page=True)
    with agent.expect_download() as download:
        agent.get_by_role("link", name="Télécharger la fiche de décompte (PDF)").click()
    assert download.value.suggested_filename == f"decompte-{reference}.pdf"

    praticien = new_page(browser)
    sign_in(praticien, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    praticien.get_by_role("link", name="HNP", exact=True).click()
    expect(praticien.locator("tr", has_text=reference)).to_contain_text("2")
    praticien.goto(base + f"/historique/{fses.hnp[0][0]}")
    expect(praticien.locator(".detail-status")).to_contain_text("Payée")
    praticien.screenshot(path=str(screenshot_dir / "praticien-fse-payee-1024x768.png"), full_page=True)


def test_the_list_and_a_detail_fit_a_portrait_tablet(browser, received, screenshot_dir):
    base, clock, fses = received
    agent = new_page(browser, viewport=(800, 1280))
    sign_in(agent, base, "agent.demo", "Demo-FSE-2026", clock.code(AGENT_SECRET))
    agent.goto(base + "/caisse/fses?statut=transmise&hnp=oui")
    expect(agent.locator(".caisse-fses-count")).to_contain_text("3 FSE HNP/RDD à payer")
    assert no_horizontal_scroll(agent)
    box = agent.get_by_label(f"Payer la FSE {fses.hnp[0][1]}").locator("xpath=..").bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44  # a finger's target
    agent.screenshot(path=str(screenshot_dir / "caisse-fses-800x1280.png"), full_page=True)
    agent.goto(base + f"/caisse/fses/{fses.plain[0]}")  # not HNP: not in this list
    expect(agent.get_by_role("heading", name=f"FSE n° {fses.plain[1]}")).to_be_visible()
    assert no_horizontal_scroll(agent)
    agent.screenshot(path=str(screenshot_dir / "caisse-fse-800x1280.png"), full_page=True)

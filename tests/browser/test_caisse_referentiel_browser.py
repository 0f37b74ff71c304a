"""« Référentiel » in Chromium at tablet size: the agent uploads a tariff file (a broken one and one
rewriting a value in force refused at their line), reads its preview and confirms it (with JavaScript:
htmx swaps; without: plain forms), then schedules a change of the rose card's rule from a date (a
missing reason first refused next to its field) and cancels it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import after_post

pytestmark = pytest.mark.browser
AGENT_SECRET = next(secret for identifiant, *_, secret in DEMO_STAFF if identifiant == "agent.demo")
FILE = "\n".join([
    "type;code;professions;valeur;date_effet;libelle",
    "NGAP;C;medecin;32.00;2099-01-01;Consultation au cabinet (médecin)",
    "NGAP;G;medecin;26.50;2025-06-01;Consultation de médecine générale",
    "CCAM;DEQP003;medecin;14.50;2099-01-01;Électrocardiographie sur au moins 12 dérivations",
]) + "\n"


@pytest.fixture
def back_office(app, live_server, totp_clock):
    """The demo accounts and a consultation scheduled for 2099 (not in force: a file may change it); the
    shipped reference data put back afterwards."""
    from datetime import date
    from decimal import Decimal

    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.models import Tarif
    from app.referentiel.importer import import_referentiel

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.add(Tarif(type="NGAP", code="C", profession="medecin", date_effet=date(2099, 1, 1),
                             montant=Decimal("30.00"), libelle="Consultation au cabinet (médecin)"))
        db.session.commit()
    yield live_server, totp_clock
    with app.app_context():
        import_referentiel(db.session)
        db.session.commit()


def no_horizontal_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_the_agent_imports_tariffs_after_a_preview_and_changes_a_colour_rule(browser, back_office, screenshot_dir,
                                                                              tmp_path, javascript):
    base, clock = back_office
    mode = "js" if javascript else "sans-js"
    page = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR",
                               java_script_enabled=javascript).new_page()
    sign_in(page, base, "agent.demo", "Demo-FSE-2026", clock.code(AGENT_SECRET))
    page.get_by_role("link", name="Référentiel", exact=True).first.click()
    expect(page.get_by_role("heading", name="Référentiel", exact=True)).to_be_visible()
    expect(page.locator('[data-count="tarifs"]')).to_have_text("49")
    assert no_horizontal_scroll(page)

    # A broken file: its line, nothing else.
    broken = tmp_path / "tarifs-casse.csv"
    broken.write_text(FILE.replace("26.50", "vingt-six"), encoding="utf-8")
    page.get_by_label("Fichier de tarifs (CSV)").set_input_files(str(broken))
    page.get_by_role("button", name="Voir l'aperçu").click()
    after_post(page, javascript)
    expect(page.locator(".field-error")).to_contain_text("tarifs-casse.csv, ligne 3 : valeur « vingt-six » invalide")

    # A value already in force is not rewritten: the file is refused at its line.
    restated = tmp_path / "tarifs-corrige.csv"
    restated.write_text(FILE.replace("2099-01-01;Consultation", "2026-01-01;Consultation"), encoding="utf-8")
    page.get_by_label("Fichier de tarifs (CSV)").set_input_files(str(restated))
    page.get_by_role("button", name="Voir l'aperçu").click()
    after_post(page, javascript)
    expect(page.locator(".field-error")).to_contain_text(
        "tarifs-corrige.csv, ligne 2 : le tarif NGAP C (médecin) du 01/01/2026 est déjà en vigueur")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)

    # The real file: its preview, by date of effect, the past ones flagged.
    good = tmp_path / "tarifs-2027.csv"
    good.write_text(FILE, encoding="utf-8")
    page.get_by_label("Fichier de tarifs (CSV)").set_input_files(str(good))
    page.get_by_role("button", name="Voir l'aperçu").click()
    after_post(page, javascript)
    preview = page.locator("[data-apercu]")
    expect(preview).to_contain_text("3 tarifs dans le fichier : 2 ajoutés, 1 modifié, 0 inchangé.")
    expect(preview.locator("[data-retroactif]")).to_have_count(1)
    expect(preview.locator('tr[data-change="modifie"]')).to_contain_text("30,00 € → 32,00 €")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / f"caisse-referentiel-apercu-{mode}-1024x768.png"), full_page=True)
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text(
        "Tarifs importés depuis tarifs-2027.csv : 2 ajouté(s), 1 modifié(s), 0 inchangé(s).")
    expect(page.locator('[data-count="tarifs"]')).to_have_text("51")

    # The rose card from a date: the reason is mandatory, then the change is scheduled.
    day = today_in_monaco() + timedelta(days=40)
    rose = page.locator("#regle-rose")
    rose.locator("summary").click()
    rose.get_by_label("Coefficient maximal").fill("1,30")
    rose.get_by_label("Date d'effet").fill(day.isoformat())
    rose.get_by_role("button", name="Enregistrer la modification").click()
    after_post(page, javascript)
    rose = page.locator("#regle-rose")
    expect(rose.locator("#rose-motif-erreur")).to_contain_text("Écrivez le motif de la modification")
    expect(rose.get_by_label("Coefficient maximal")).to_have_value("1,30")  # the input kept
    rose.get_by_label("Motif").fill("Avenant n° 12 à la Convention")
    rose.get_by_role("button", name="Enregistrer la modification").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text(
        f"Règle de la carte rose modifiée à partir du {day.strftime('%d/%m/%Y')}.")
    scheduled = page.locator(f'#regle-rose tr[data-prevue="{day.isoformat()}"]')
    expect(scheduled).to_contain_text("Dépassement autorisé jusqu'à 1,3 × la base (130 %)")
    expect(scheduled).to_contain_text("Avenant n° 12 à la Convention")
    expect(page.locator("#regle-rose [data-en-vigueur]")).to_contain_text("1,2 × la base (120 %)")
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / f"caisse-referentiel-regles-{mode}-1024x768.png"), full_page=True)

    scheduled.get_by_role("button", name="Annuler cette modification").click()
    page.wait_for_load_state()
    expect(page.locator(".flash-success")).to_contain_text("Modification de la carte rose prévue le")
    expect(page.locator("#regle-rose tr[data-prevue]")).to_have_count(0)


def test_the_page_reads_in_portrait_without_horizontal_scroll(browser, back_office, screenshot_dir):
    base, clock = back_office
    page = browser.new_context(viewport={"width": 800, "height": 1280}, locale="fr-FR").new_page()
    sign_in(page, base, "agent.demo", "Demo-FSE-2026", clock.code(AGENT_SECRET))
    page.goto(base + "/caisse/referentiel")
    page.locator("#regle-bulle summary").click()
    assert no_horizontal_scroll(page)
    page.screenshot(path=str(screenshot_dir / "caisse-referentiel-800x1280.png"), full_page=True)

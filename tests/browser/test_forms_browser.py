"""« Formulaires » in Chromium at tablet sizes, with JavaScript (htmx swaps, autosave) and without
(plain posts): medecin.demo opens each form from the navigation, identifies the patient, sees a
refused input next to its field with what he typed kept and the focus on it, transmits, and gets the
reference and his medical summary; the IT's employer copy is downloaded and turned into PNG to look at.
With JavaScript, the medical text typed is kept by the autosave across a reload and a new sign-in."""

import re
import subprocess
from datetime import timedelta
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from app.demo.seed import DEMO_PRATICIENS
from app.domain.calendar import today_in_monaco
from app.domain.formulaires import LONG_TITLES, PREFIXES
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import after_post, field, settle

pytestmark = pytest.mark.browser
MEDECIN_SECRET = DEMO_PRATICIENS[0].totp_secret
REFUSED = "Le formulaire ne peut pas être transmis : corrigez les zones signalées."

# Per form: the medical field typed first (kept by the autosave), and its text.
FIRST_MEDICAL = {
    "it": ("Éléments d'ordre médical", "Lombosciatique droite hyperalgique, Lasègue à 30°.\nRepos strict."),
    "etm": ("Arguments médicaux", "HbA1c à 9,2 % malgré la bithérapie orale.\nInsulinothérapie débutée."),
    "invalidite": ("Diagnostics", "Polyarthrite rhumatoïde érosive séropositive.\nAtteinte des deux poignets."),
}


@pytest.fixture
def cabinet(app, live_server, totp_clock):
    """The demo accounts and cards (100001/K7P2: the Bellando household), and Julie Bellando's birth date."""
    from sqlalchemy import select

    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.models import Beneficiaire, Foyer

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        julie = db.session.scalar(select(Beneficiaire).join(Foyer).where(
            Foyer.matricule == "100001", Beneficiaire.prenom == "Julie"))
        birth = julie.date_naissance
    return live_server, totp_clock, birth


def box(locator):
    return locator.bounding_box()


def check_accessibility_basics(page):
    """Every field of the form has a label; every zone marked « * » is aria-required; radios sit in a
    fieldset with a legend; every tap target is 44 px high at least; nothing scrolls sideways."""
    unlabelled = page.evaluate("""() => [...document.querySelectorAll(
        '#formulaire-form input:not([type=hidden]), #formulaire-form select, #formulaire-form textarea')]
        .filter(e => !(e.labels && [...e.labels].some(l => l.textContent.trim()))).map(e => e.id || e.name)""")
    assert unlabelled == []
    not_required = page.evaluate("""() => [
        ...[...document.querySelectorAll('#formulaire-form label .mandatory')]
            .map(m => m.closest('label'))
            .filter(l => document.getElementById(l.htmlFor).getAttribute('aria-required') !== 'true')
            .map(l => l.htmlFor),
        ...[...document.querySelectorAll('#formulaire-form legend .mandatory')]
            .map(m => m.closest('fieldset'))
            .filter(f => f.getAttribute('aria-required') !== 'true' || f.getAttribute('role') !== 'radiogroup')
            .map(f => f.id)]""")
    assert not_required == []
    assert page.locator("#formulaire-form .mandatory").count() >= 3
    assert page.evaluate("""() => [...document.querySelectorAll('#formulaire-form input[type=radio]')]
        .every(r => r.closest('fieldset') && r.closest('fieldset').querySelector(':scope > legend'))""")
    small = page.evaluate("""() => [...document.querySelectorAll([
            '#formulaire-form button:not(.visually-hidden)', '#formulaire-form label.radio', '#formulaire-form select',
            '#formulaire-form input:not([type=hidden]):not([type=radio]):not([type=checkbox])'].join(', '))]
        .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))""")
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def check_action_bar(page):
    """The buttons close the form, after its last field: never over a field, whatever the scroll."""
    bar = page.locator("#formulaire-form .action-bar")
    assert bar.evaluate("e => getComputedStyle(e).position") in ("static", "relative")
    last = page.locator("#formulaire-form .panel").last
    assert box(bar)["y"] >= box(last)["y"] + box(last)["height"]
    transmit = bar.get_by_role("button", name="Transmettre")
    assert box(transmit)["height"] >= 44 and box(transmit)["width"] >= 44


def identify_by_card(page, javascript, code="K7P2"):
    page.get_by_label("Matricule").fill("100001")
    page.get_by_label("Code FSE").fill(code)
    page.get_by_role("button", name="Identifier le patient").click()
    after_post(page, javascript)


def autosave(page, label, text):
    """Type in a field; the autosave (htmx) posts it; the status says so."""
    status = page.locator("#autosave-status")
    settle(page)
    status.evaluate("e => e.textContent = ''")

    def carries_text(response):
        if "/brouillon" not in response.url or response.request.method != "POST":
            return False
        return text in [v for values in parse_qs(response.request.post_data or "").values() for v in values]

    with page.expect_response(carries_text) as saved:
        page.get_by_label(label).fill(text)
        page.get_by_label(label).press("Tab")
    assert saved.value.status == 200
    expect(status).to_have_text("Brouillon enregistré")


@pytest.mark.parametrize("viewport", [(1024, 768), (800, 1280)], ids=["1024x768", "800x1280"])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
@pytest.mark.parametrize("kind", ["it", "etm", "invalidite"])
def test_fill_refuse_and_transmit_a_form(browser, app, cabinet, screenshot_dir, tmp_path, poppler, kind, javascript,
                                         viewport):
    base, clock, julie_birth = cabinet
    size, mode = f"{viewport[0]}x{viewport[1]}", "js" if javascript else "sans-js"
    today = today_in_monaco()

    def shot(step):
        page.screenshot(path=str(screenshot_dir / f"formulaire-{kind}-{step}-{mode}-{size}.png"), full_page=True)

    def open_form():
        page.get_by_role("link", name="Formulaires", exact=True).click()
        expect(page.get_by_role("heading", name="Formulaires", level=1)).to_be_visible()
        card = page.get_by_role("region", name=LONG_TITLES[kind])
        card.get_by_role("link", name=re.compile("^(Remplir|Reprendre le brouillon)$")).click()
        expect(page.get_by_role("heading", name=LONG_TITLES[kind], level=1)).to_be_visible()

    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    open_form()
    page.screenshot(path=str(screenshot_dir / f"formulaire-{kind}-1-vide-{mode}-{size}.png"), full_page=True)
    expect(page.get_by_label("Matricule")).to_be_focused()
    expect(page.get_by_label("Matricule")).to_have_attribute("aria-required", "true")

    # The patient: IT by the card only; ETM by a Bellando's birth date; invalidité by code FSE.
    if kind == "it":
        expect(page.get_by_label("Code FSE")).to_have_attribute("aria-required", "true")
        expect(page.get_by_label("Date de naissance")).to_have_count(0)
        identify_by_card(page, javascript, code="K7P3")  # a wrong code: the neutral message, input kept
        expect(page.locator("#matricule-erreur")).to_have_text(
            "Matricule ou code FSE incorrect : vérifiez la carte d'immatriculation.")
        expect(page.get_by_label("Code FSE")).to_have_value("K7P3")
        expect(page.get_by_label("Matricule")).to_be_focused()
        identify_by_card(page, javascript)
    elif kind == "etm":
        page.get_by_label("Matricule").fill("100001")
        page.get_by_label("Date de naissance").fill(julie_birth.isoformat())
        page.get_by_role("button", name="Identifier le patient").click()
        after_post(page, javascript)
        expect(page.get_by_text("identifiée par la date de naissance")).to_be_visible()
    else:
        identify_by_card(page, javascript)
    expect(page.get_by_role("button", name="Changer de patient")).to_be_visible()
    members = page.get_by_role("radiogroup", name="Bénéficiaire")
    if kind == "etm":  # the birth date names one member, chosen already
        expect(members.get_by_role("radio")).to_have_count(1)
        expect(members.get_by_label("Julie Bellando")).to_be_checked()
    else:
        expect(members.get_by_role("radio")).to_have_count(4)
        expect(members.get_by_role("radio").first).to_be_focused()  # the next step: choose the member
        members.get_by_label("Julie Bellando").check()
    check_accessibility_basics(page)
    check_action_bar(page)

    # A medical text typed: with JavaScript the autosave keeps it across a reload and a new sign-in.
    medical_label, medical_text = FIRST_MEDICAL[kind]
    if javascript:
        autosave(page, medical_label, medical_text)
        page.reload()
        expect(page.get_by_label(medical_label)).to_have_value(medical_text)
        expect(members.get_by_label("Julie Bellando")).to_be_checked()
        page.get_by_role("button", name="Déconnexion").click()
        expect(page.get_by_role("button", name="Connexion")).to_be_visible()
        sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
        page.get_by_role("link", name="Formulaires", exact=True).click()
        expect(page.get_by_role("region", name=LONG_TITLES[kind]).get_by_role(
            "link", name="Reprendre le brouillon")).to_be_visible()
        open_form()
        expect(page.get_by_label(medical_label)).to_have_value(medical_text)
    else:
        page.get_by_label(medical_label).fill(medical_text)

    # The rest of the form, with one input the caisse refuses: its message next to it, kept, focused.
    page.get_by_label("Téléphone du patient").fill("+377 93 15 49 01")
    page.get_by_label("Adresse exacte du patient").fill("12, boulevard des Moulins\n98000 Monaco")
    if kind == "it":
        too_early = today - timedelta(days=5)
        page.get_by_role("radio", name="Arrêt initial").check()
        field(page, "Début de l'arrêt").fill(too_early.isoformat())
        field(page, "Fin de l'arrêt (jour inclus)").fill((today + timedelta(days=9)).isoformat())
        page.get_by_role("radio", name="Autorisées, aux heures indiquées").check()
        page.get_by_label("Heures de sortie autorisées").fill("de 10 h à 12 h et de 16 h à 18 h")
        page.get_by_label("Employeur").fill("Pâtisserie Gastaud & Fils")
        page.get_by_label("Motif de l'arrêt").fill("Lombalgie aiguë")
        bad, bad_id = field(page, "Début de l'arrêt"), "date_debut"
        message = re.compile(r"^L'arrêt ne peut pas commencer plus de 2 jours avant aujourd'hui")
        kept = too_early.isoformat()
    elif kind == "etm":
        page.get_by_label("Nature de l'exonération").select_option(label="43 · Affection hors liste (ALD hors liste)")
        page.get_by_label("Durée demandée (mois)").fill("99")
        page.get_by_label("Affection").fill("Diabète de type 2")
        bad, bad_id, message, kept = page.get_by_label("Durée demandée (mois)"), "duree_mois", "Entre 1 et 60 mois.", "99"
    else:
        page.get_by_label("Téléphone du patient").fill("93 15 49 01 bureau")
        field(page, "Date de l'arrêt de travail").fill((today - timedelta(days=200)).isoformat())
        page.get_by_label("Description de l'incapacité").fill("Préhension fine impossible.")
        field(page, "Traitement").fill("Méthotrexate, anti-TNF.")
        page.get_by_label("Pronostic").fill("Défavorable.")
        bad, bad_id, kept = page.get_by_label("Téléphone du patient"), "telephone", "93 15 49 01 bureau"
        message = re.compile("^Saisissez un numéro de téléphone")
    page.get_by_role("button", name="Transmettre").click()
    after_post(page, javascript)
    expect(page.locator(".error-summary")).to_contain_text(REFUSED)
    expect(page.locator(f"#{bad_id}-erreur")).to_have_text(message)
    expect(bad).to_have_value(kept)
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(bad).to_be_focused()  # the first zone to correct
    expect(page.locator(".error-summary").get_by_role("link")).to_have_count(1)
    expect(page.get_by_label(medical_label)).to_have_value(medical_text)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("2-refuse")

    # Corrected: « Transmettre » gives the reference and the praticien's summary, medical text included.
    if kind == "it":
        field(page, "Début de l'arrêt").fill(today.isoformat())
    elif kind == "etm":
        page.get_by_label("Durée demandée (mois)").fill("24")
    else:
        page.get_by_label("Téléphone du patient").fill("+377 93 15 49 01")
    shot("3-rempli")
    page.get_by_role("button", name="Transmettre").click()
    after_post(page, javascript)
    banner = page.locator(".ack-banner")
    expect(banner).to_contain_text("transmise à la caisse")
    reference = banner.locator(".reference").inner_text()
    assert re.fullmatch(rf"{PREFIXES[kind]}-{today:%Y%m%d}-[0-9A-Z]{{6}}", reference)
    summary = page.get_by_role("region", name="Récapitulatif pour votre dossier")
    expect(summary.locator(".medical-facts")).to_contain_text(medical_text.split("\n")[0])
    expect(summary).to_contain_text("Julie Bellando")
    print_button = summary.get_by_role("button", name="Imprimer le récapitulatif")
    if javascript:  # the browser's print dialog, which a tablet does not show in plain sight
        expect(print_button).to_be_visible()
        assert box(print_button)["height"] >= 44
    else:  # a button that could do nothing is not shown; the hint names the browser's command
        expect(print_button).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot("4-transmis")
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from app.models import Formulaire

        sent = db.session.scalars(select(Formulaire).where(Formulaire.type == kind, Formulaire.statut == "transmis")).all()
        assert [d.reference for d in sent] == [reference]
        assert db.session.scalar(select(func.count()).select_from(Formulaire).where(Formulaire.statut == "brouillon",
                                                                                   Formulaire.type == kind)) == 0

    if kind == "it":
        # The employer copy: a PDF without the medical words, turned into PNG to look at.
        link = page.get_by_role("link", name="Imprimer l'exemplaire employeur (PDF)")
        assert box(link)["height"] >= 44
        response = page.request.get(base + link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        pdf = tmp_path / "copie.pdf"
        pdf.write_bytes(response.body())
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        for expected in (reference, "Julie Bellando", "Pâtisserie Gastaud & Fils", f"du {today:%d/%m/%Y}",
                         f"au {today + timedelta(days=9):%d/%m/%Y} inclus", "de 10 h à 12 h et de 16 h à 18 h",
                         "N'oubliez pas de signer et d'apposer votre cachet"):
            assert expected in text, expected
        for medical_word in ("Lombosciatique", "Lasègue", "Lombalgie"):
            assert medical_word not in text
        prefix = screenshot_dir / f"formulaire-it-copie-employeur-{mode}-{size}"
        for old in screenshot_dir.glob(f"{prefix.name}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(prefix)], check=True)
        assert [p.name for p in screenshot_dir.glob(f"{prefix.name}-*.png")] == [f"{prefix.name}-1.png"]
    context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_back_after_transmission_brings_no_text_into_the_next_form(browser, cabinet, javascript):
    """The medical summary is for the screen right after « Transmettre » only: going Back to the form
    shows a new, empty one — the browser must not refill it with the text just sent (autocomplete
    off), which « Enregistrer » would otherwise store in the next patient's draft."""
    base, clock, _ = cabinet
    today = today_in_monaco()
    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="fr-FR",
                                  java_script_enabled=javascript)
    page = context.new_page()
    sign_in(page, base, "medecin.demo", "Demo-FSE-2026", clock.code(MEDECIN_SECRET))
    page.goto(base + "/formulaires/it")
    identify_by_card(page, javascript)
    page.get_by_role("radiogroup", name="Bénéficiaire").get_by_label("Marc Bellando").check()
    field(page, "Début de l'arrêt").fill(today.isoformat())
    field(page, "Fin de l'arrêt (jour inclus)").fill((today + timedelta(days=3)).isoformat())
    page.get_by_role("radio", name="Non autorisées").check()
    page.get_by_label("Employeur").fill("Monaco Telecom")
    page.get_by_label("Motif de l'arrêt").fill("Gastroentérite fébrile")
    page.get_by_label("Éléments d'ordre médical").fill("Déshydratation modérée")
    page.get_by_role("button", name="Transmettre").click()
    after_post(page, javascript)
    expect(page.locator(".ack-banner")).to_contain_text("transmise à la caisse")
    page.go_back()
    page.wait_for_load_state()
    if page.get_by_label("Motif de l'arrêt").count() == 0:  # htmx: Back goes to the page before the form
        page.goto(base + "/formulaires/it")
    expect(page.get_by_label("Matricule")).to_be_visible()
    for label in ("Motif de l'arrêt", "Éléments d'ordre médical", "Employeur"):
        expect(page.get_by_label(label)).to_have_value("")
    assert "Gastroentérite" not in page.content()
    context.close()

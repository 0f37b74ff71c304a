"""Accessibility in CI: axe-core (npm, pinned in tests/browser/axe/package.json, installed by
`make test-tools`) runs on every main page of the portal — signed out, as a praticien with a full basket
and with errors shown, as the caisse's agent and médecin conseil — at both tablet sizes, and no
violation of any impact is accepted (moderate and minor included: best-practice rules such as `region`
run too). Then the FSE page's sticky action bar: the last basket row's buttons are never under it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from app.demo.seed import ASSISTANT_SECRET, DEMO_PRATICIENS, DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_fse_browser import identify

pytestmark = pytest.mark.browser

AXE_DIR = Path(__file__).resolve().parent / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
VIEWPORTS = [(1024, 768), (800, 1280)]
VIEWPORT_IDS = ["1024x768", "800x1280"]
PASSWORD = "Demo-FSE-2026"
SECRETS = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}
SECRETS["assistant.demo"] = ASSISTANT_SECRET
SECRETS.update({identifiant: secret for identifiant, *_, secret in DEMO_STAFF})

# Every rule axe runs by default: WCAG 2.0/2.1/2.2 A and AA and the best practices (`region`,
# `landmark-*`, `heading-order`…); only the experimental ones and AAA are left out, as axe's defaults do.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" "))}));
}"""


@pytest.fixture(scope="session")
def axe_source():
    """axe.min.js from tests/browser/axe/node_modules; missing, the test is skipped — or fails under
    CI=true, so that CI never passes without running axe."""
    if not AXE_SCRIPT.is_file():
        message = (f"axe-core introuvable ({AXE_SCRIPT.relative_to(AXE_DIR.parent.parent.parent)}) : lancez "
                   f"`make test-tools` (npm ci dans tests/browser/axe). Le test d'accessibilité n'est pas exécuté.")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE_SCRIPT.read_text(encoding="utf-8")


class Audit:
    """Runs axe on pages at both tablet sizes and keeps every violation, so that one run reports all
    pages at once. Each page state is reached once, in a context signed in once per role, and audited
    at 1024×768 and again at 800×1280 (the viewport resized in place: the layout is the one a tablet of
    that size gets, media queries included)."""

    def __init__(self, browser, base, axe_source):
        self.browser, self.base, self.axe_source = browser, base, axe_source
        self.pages: list[str] = []
        self.violations: list[str] = []

    def context(self):
        """A new tablet context with axe loaded in every document. The script is added through the
        DevTools protocol (an init script), which the portal's CSP (script-src 'self') does not apply
        to: the pages are audited with their real CSP on, nothing bypassed."""
        width, height = VIEWPORTS[0]
        context = self.browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        context.add_init_script(script=self.axe_source)
        return context

    def check(self, page, label: str):
        quiet(page)
        self.pages.append(label)
        for width, height in VIEWPORTS:
            page.set_viewport_size({"width": width, "height": height})
            for violation in page.evaluate(RUN_AXE):
                self.violations.append(
                    f"[{label}, {width}×{height}] {violation['id']} ({violation['impact']}) — {violation['help']}"
                    f" — {len(violation['targets'])} élément(s) : {'; '.join(violation['targets'][:8])}")
        page.set_viewport_size({"width": VIEWPORTS[0][0], "height": VIEWPORTS[0][1]})

    def go(self, page, path: str, label: str, status: int = 200):
        response = page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response and response.status)
        self.check(page, label)


@pytest.fixture
def portal(app, live_server, totp_clock, runner):
    """The demo accounts; medecin.demo's transmitted FSE (HNP ones paid in an ordiposte), the demo
    forms (ETM requests for the médecin conseil), and a new praticien's activation link."""
    from datetime import UTC, datetime

    from app.demo.formulaires import seed_forms
    from app.demo.seed import seed_demo
    from app.extensions import db
    from tests.hnp.conftest import Practice

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
        practice = Practice()
        paid = practice.pay(practice.fses(3, days_ago=20), days_ago=5)
        waiting = practice.fse(days_ago=3)
        documents = seed_forms(db.session, today_in_monaco(), datetime.now(UTC))
        demande = db.session.execute(db.text("SELECT id FROM demande_abonnement ORDER BY id LIMIT 1")).scalar()
        mine = [d for d in documents if d.praticien_id == waiting.praticien_id]
        request = next(d for d in mine if d.type != "it" and d.statut == "transmis")  # to decide
        values = SimpleNamespace(ordiposte=paid.id, waiting=waiting.id,
                                 document=mine[0].id, request=request.id, demande=demande,
                                 praticien=waiting.praticien_id)
        db.session.commit()
    created = runner.invoke(args=["praticien", "create", "--profession", "medecin", "--nom", "Testa", "--prenom",
                                  "Anna", "--email", "anna.testa@example.mc", "--identifiant", "anna.testa"])
    assert created.exit_code == 0, created.output
    values.activation = re.search(r"(/activation/\S+)", created.output).group(1)
    return live_server, totp_clock, values


def quiet(page):
    """The page loaded and htmx idle (no request, swap or settling under way): cheaper than waiting
    for the network to stay idle 500 ms, since each step below first waits for what it expects."""
    page.wait_for_load_state()
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def choose(page, name):
    page.get_by_role("button", name=name).click()
    page.locator(".member-chosen", has_text=name).wait_for()
    quiet(page)


def sign_in(page, base: str, identifiant: str, clock):
    page.goto(base + "/connexion")
    page.get_by_label("Identifiant").fill(identifiant)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code de double authentification").fill(clock.code(SECRETS[identifiant]))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()


def signed_out_pages(audit: Audit, values):
    page = audit.context().new_page()
    audit.go(page, "/", "accueil")
    audit.go(page, "/abonnement", "demande d'abonnement")
    page.get_by_role("button", name=re.compile("Envoyer")).click()
    page.wait_for_load_state()
    audit.check(page, "demande d'abonnement avec erreurs")
    audit.go(page, values.activation, "activation du compte")
    page.get_by_label("Nouveau mot de passe", exact=True).fill("court")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
    audit.check(page, "activation du compte avec erreur")
    page.context.close()

    page = audit.context().new_page()
    audit.go(page, "/connexion", "connexion")
    page.get_by_label("Identifiant").fill("medecin.demo")
    page.get_by_label("Mot de passe").fill("mauvais-mot-de-passe")
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    audit.check(page, "connexion refusée")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.get_by_label("Code de double authentification").wait_for()
    audit.check(page, "code de double authentification")
    page.get_by_label("Code de double authentification").fill("000000")
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state()
    audit.check(page, "code refusé")
    page.context.close()

    page = audit.context().new_page()  # nouveau.demo enrols his phone: the first activation page
    page.goto(audit.base + "/connexion")
    page.get_by_label("Identifiant").fill("nouveau.demo")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Activer la double authentification").check()
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_load_state()
    audit.check(page, "activation de la double authentification")
    page.context.close()


def add_ngap(page, lettre, coefficient=None, majoration=None):
    page.get_by_label("Lettre clé").fill(lettre)
    if coefficient:
        page.get_by_label("Coefficient", exact=True).fill(coefficient)
    if majoration:
        page.locator("#ngap").get_by_label(majoration).check()
    count = page.locator("#panier tbody tr").count()
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    expect(page.locator("#panier tbody tr")).to_have_count(count + 1)
    quiet(page)


def add_ccam(page, code, association=None):
    page.get_by_label("Code CCAM").fill(code)
    if association:
        page.get_by_label("Code d'association").select_option(association)
    count = page.locator("#panier tbody tr").count()
    page.locator("#ccam").get_by_role("button", name="Ajouter").click()
    expect(page.locator("#panier tbody tr")).to_have_count(count + 1)
    quiet(page)


def fill_basket(page):
    """Sophie Crovetto (rose card): four NGAP lines and four CCAM lines, billed with a pondération."""
    identify(page, "100002", "R4M8")
    choose(page, "Sophie Crovetto")
    add_ngap(page, "C", majoration="MD — Majoration de déplacement (visite)")
    add_ngap(page, "V")
    add_ngap(page, "K", coefficient="10")
    add_ngap(page, "APC")
    add_ccam(page, "DEQP003")
    add_ccam(page, "ZBQK002", association="2")
    add_ccam(page, "JKHD001")
    add_ccam(page, "QZFA036")
    page.get_by_label("Pondération (coefficient)").fill("1,15")
    page.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(page.locator("[data-total=depassement]")).not_to_have_text("0,00 €")
    quiet(page)


def praticien_pages(audit: Audit, clock, values):
    page = audit.context().new_page()
    sign_in(page, audit.base, "medecin.demo", clock)
    audit.go(page, "/fse", "FSE vide")
    identify(page, "12", "K7P2")
    page.locator("#fse .field-error").first.wait_for()
    audit.check(page, "FSE, matricule erroné")
    fill_basket(page)
    audit.check(page, "FSE, panier complet (carte rose, pondération)")
    page.get_by_label("Lettre clé").fill("ZZ")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#ngap .field-error, #panier .field-error").first.wait_for()
    audit.check(page, "FSE, ligne NGAP erronée")
    page.get_by_label("Nom de la FSE pré-codée").fill("Bilan complet")
    page.locator("#precodee-enregistrer").get_by_role("button", name="Enregistrer").click()
    page.get_by_text("FSE pré-codée « Bilan complet » enregistrée").wait_for()
    quiet(page)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Récapitulatif de la FSE").wait_for()
    audit.check(page, "récapitulatif « Valider »")
    page.get_by_role("button", name="Transmettre").click()
    page.get_by_text("accusé de réception n°").wait_for()
    audit.check(page, "accusé de réception")
    accuse = page.locator("[data-accuse]").inner_text()

    audit.go(page, "/historique", "Historique FSE")
    page.get_by_role("link", name=accuse).first.click()
    page.get_by_role("heading", name=re.compile(accuse)).first.wait_for()
    audit.check(page, "détail d'une FSE")
    audit.go(page, "/fse-precodees", "FSE pré-codées")
    page.get_by_role("link", name=re.compile("Bilan complet")).first.click()
    page.wait_for_load_state()
    audit.check(page, "détail d'une FSE pré-codée")
    audit.go(page, "/hnp", "HNP")
    audit.go(page, "/formulaires", "Formulaires")
    audit.go(page, "/formulaires/it", "prescription d'IT")
    page.get_by_label("Matricule").fill("100001")
    page.get_by_label("Code FSE").fill("K7P2")
    page.get_by_role("button", name="Identifier le patient").click()
    page.locator("#beneficiaire").wait_for()
    quiet(page)
    page.get_by_role("button", name="Transmettre").click()
    page.locator("#formulaire .error-summary").wait_for()
    audit.check(page, "prescription d'IT avec erreurs")
    audit.go(page, "/formulaires/it/historique", "historique des IT")
    audit.go(page, f"/formulaires/document/{values.document}", "document transmis")
    audit.go(page, "/profil", "Profil")
    audit.go(page, "/profil/journal", "Journal d'activité")
    audit.go(page, "/mot-de-passe", "changement de mot de passe")
    audit.go(page, "/profil/assistants/ajouter", "confirmation d'identité")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Code de double authentification").fill(clock.code(SECRETS["medecin.demo"]))
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Ajouter un(e) assistant(e) autorisé(e)").wait_for()
    audit.check(page, "ajout d'un(e) assistant(e)")
    audit.go(page, "/page-qui-n-existe-pas", "page introuvable", status=404)
    page.context.close()


def caisse_pages(audit: Audit, clock, values):
    page = audit.context().new_page()
    sign_in(page, audit.base, "agent.demo", clock)
    audit.check(page, "Espace caisse (agent)")
    audit.go(page, "/caisse/demandes", "demandes d'abonnement")
    audit.go(page, f"/caisse/demandes/{values.demande}", "une demande d'abonnement")
    audit.go(page, "/caisse/fses", "FSE reçues")
    audit.go(page, f"/caisse/fses/{values.waiting}", "une FSE reçue")
    audit.go(page, f"/caisse/ordipostes/{values.ordiposte}", "un ordiposte")
    audit.go(page, "/caisse/praticiens", "praticiens")
    audit.go(page, f"/caisse/praticiens/{values.praticien}", "un praticien")
    audit.go(page, "/caisse/referentiel", "référentiel")
    audit.go(page, "/caisse/registre", "registre des assurés")
    page.context.close()

    page = audit.context().new_page()
    sign_in(page, audit.base, "conseil.demo", clock)
    audit.check(page, "Espace caisse (médecin conseil)")
    audit.go(page, "/caisse/formulaires", "formulaires reçus")
    audit.go(page, f"/caisse/formulaires/{values.request}", "une demande d'ETM")
    page.context.close()


def test_no_axe_violation_on_any_main_page(browser, portal, axe_source):
    base, clock, values = portal
    audit = Audit(browser, base, axe_source)
    started = time.perf_counter()
    signed_out_pages(audit, values)
    praticien_pages(audit, clock, values)
    caisse_pages(audit, clock, values)
    print(f"axe : {len(audit.pages)} pages × {len(VIEWPORTS)} tailles en {time.perf_counter() - started:.1f} s")
    assert len(audit.pages) >= 45
    assert not audit.violations, "axe-core : violations\n" + "\n".join(audit.violations)


# --- The sticky action bar never covers the basket ----------------------------------------------

TOPMOST = """button => {
  const box = button.getBoundingClientRect();
  const x = box.left + box.width / 2, y = box.top + box.height / 2;
  const top = document.elementFromPoint(x, y);
  return {inside: y >= 0 && y < window.innerHeight, topmost: !!top && (top === button || button.contains(top)),
          found: top ? top.outerHTML.slice(0, 120) : null};
}"""


def assert_topmost(button, what: str):
    """The button's centre is in the viewport and the element drawn there is the button (or its text)."""
    state = button.evaluate(TOPMOST)
    assert state["inside"] and state["topmost"], f"{what} : caché sous {state['found']}"


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_the_last_basket_row_is_never_under_the_sticky_bar(browser, portal, viewport, screenshot_dir):
    base, clock, _ = portal
    name = f"{viewport[0]}x{viewport[1]}"
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR")
    page = context.new_page()
    sign_in(page, base, "medecin.demo", clock)
    page.goto(base + "/fse")
    fill_basket(page)
    rows = page.locator("#panier tbody tr")
    assert rows.count() == 8
    last = rows.last
    bar = page.locator("#panier .action-bar")

    # Scrolled the way the browser scrolls to an element (a link, find in page, the accessibility
    # tree): from above, the row comes in at the bottom of the screen, where the bar is stuck.
    page.evaluate("window.scrollTo(0, 0)")
    last.evaluate("row => row.scrollIntoView({block: 'nearest'})")
    assert bar.evaluate("bar => bar.getBoundingClientRect().bottom <= window.innerHeight + 1")  # stuck, on screen
    page.screenshot(path=str(screenshot_dir / f"fse-derniere-ligne-{name}.png"))
    favourite = last.get_by_role("button", name="Ajouter aux favoris")
    remove = last.get_by_role("button", name=re.compile("^Retirer"))
    assert_topmost(favourite, "« Ajouter aux favoris » de la dernière ligne")
    assert_topmost(remove, "« Retirer » de la dernière ligne")
    label = last.locator("td").first.inner_text().strip()
    with page.expect_response(re.compile(r"/fse/lignes/\d+/favori$")) as answer:
        favourite.click()  # a real tap: Playwright refuses to click an element covered by another
    assert answer.value.ok
    quiet(page)
    page.reload()  # the favourites are listed above the entry lines from the next page on
    expect(page.locator("#favoris").get_by_role("button", name=label)).to_be_visible()

    # With the keyboard: the row under the bar, focus on the row before it, then Tab: the browser
    # scrolls the focused button into view, clear of the bar.
    rows = page.locator("#panier tbody tr")
    last = rows.last
    page.evaluate("window.scrollTo(0, 0)")
    last.evaluate("row => window.scrollBy(0, row.getBoundingClientRect().bottom - window.innerHeight + 4)")
    rows.nth(-2).get_by_role("button", name=re.compile("^Retirer")).evaluate("b => b.focus({preventScroll: true})")
    page.keyboard.press("Tab")
    favourite = last.get_by_role("button", name="Ajouter aux favoris")
    assert favourite.evaluate("b => b === document.activeElement")
    assert_topmost(favourite, "« Ajouter aux favoris » atteint au clavier")
    page.keyboard.press("Tab")
    remove = last.get_by_role("button", name=re.compile("^Retirer"))
    assert remove.evaluate("b => b === document.activeElement")
    assert_topmost(remove, "« Retirer » atteint au clavier")
    page.screenshot(path=str(screenshot_dir / f"fse-derniere-ligne-clavier-{name}.png"))

    page.evaluate("window.scrollTo(0, 0)")
    last.evaluate("row => row.scrollIntoView({block: 'nearest'})")
    assert_topmost(remove, "« Retirer » de la dernière ligne")
    remove.click()
    expect(page.locator("#panier tbody tr")).to_have_count(7)
    expect(page.locator("#panier tbody")).not_to_contain_text(label)
    context.close()

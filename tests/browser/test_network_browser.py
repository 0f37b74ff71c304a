"""A tablet losing its Wi-Fi, a server error, a request without answer, a lost answer, and a second
tab on the same FSE (issue 11, item 7): the French message shows, what was typed stays, nothing is
written twice, and a stale tab cannot overwrite the newer state."""

import pytest
from playwright.sync_api import Error as PlaywrightError, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Compte, Fse
from tests.browser.test_fse_browser import choose, desk_for, identify, settle, total  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser

NETWORK = "Connexion perdue : votre saisie est conservée sur cette page."
SERVER = "Le portail n'a pas pu traiter la demande (erreur serveur)."
TIMEOUT = "Le portail n'a pas répondu à temps"
CONFLICT = "Cette FSE a été modifiée ailleurs depuis que cette page l'a affichée"


def draft_of(app, identifiant="medecin.demo"):
    """The stored draft: its version, its acts as shown in the basket, its billed amount."""
    with app.app_context():
        fse = db.session.scalar(select(Fse).join(Compte, Fse.compte_id == Compte.id)
                                .where(Compte.identifiant == identifiant, Fse.statut == "brouillon"))
        return fse.version, [line.detail for line in fse.lignes], fse.montant_facture_saisi


def transmitted(app):
    with app.app_context():
        return db.session.scalars(select(Fse.accuse_reception).where(Fse.statut == "transmise")).all()


def ready(page, matricule="100001", code="K7P2", member="Marc Bellando"):
    identify(page, matricule, code)
    choose(page, member)


def type_ngap(page, lettre):
    page.get_by_label("Lettre clé").fill(lettre)
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()


def test_no_network_while_adding_an_act_then_retry(desk_for, app, screenshot_dir):
    page = desk_for("medecin.demo", viewport=(800, 1280))
    ready(page)
    before = draft_of(app)
    page.route("**/fse/ngap", lambda route: route.abort("internetdisconnected"))
    type_ngap(page, "C")
    message = page.locator("#reseau")
    expect(message).to_contain_text(NETWORK)
    expect(message).to_have_attribute("role", "status")
    add = page.locator("#ngap").get_by_role("button", name="Ajouter")
    expect(add).to_be_enabled()
    expect(page.get_by_label("Lettre clé")).to_have_value("C")  # nothing swapped: the entry line as typed
    assert draft_of(app) == before
    # The message sits at the top and covers no button of the sticky action bar.
    box, bar = message.bounding_box(), page.locator(".action-bar").bounding_box()
    assert box["y"] + box["height"] < bar["y"]
    page.screenshot(path=str(screenshot_dir / "fse-reseau-coupe-800x1280.png"))

    page.unroute("**/fse/ngap")
    add.click()
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    settle(page)
    expect(message).to_be_empty()
    assert draft_of(app)[1] == ["C 1"]

    # The tablet says it lost the Wi-Fi before anything is tapped, then that it is back.
    page.context.set_offline(True)
    expect(message).to_contain_text("La tablette n'est plus connectée au réseau")
    page.context.set_offline(False)
    expect(message).to_contain_text("Connexion rétablie")


def test_a_server_error_on_the_billing_keeps_the_amount(desk_for, app):
    page = desk_for("medecin.demo")
    ready(page, "100002", "R4M8", "Sophie Crovetto")
    type_ngap(page, "C")
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    settle(page)
    billed, before = total(page, "facture"), draft_of(app)
    page.route("**/fse/facturation", lambda route: route.fulfill(status=500, body="<p>Erreur</p>",
                                                                 content_type="text/html"))
    page.get_by_label("Montant facturé (€)").fill("33")
    page.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(page.locator("#reseau")).to_contain_text(SERVER)
    settle(page)
    expect(page.get_by_label("Montant facturé (€)")).to_have_value("33")
    assert total(page, "facture") == billed and draft_of(app) == before
    assert page.get_by_text("Erreur", exact=True).count() == 0  # the error's body was not swapped in

    page.unroute("**/fse/facturation")
    page.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(page.locator("[data-total=facture]")).to_contain_text("33,00")
    expect(page.locator("#reseau")).to_be_empty()
    assert draft_of(app)[2] == 33


def test_no_answer_within_the_timeout(desk_for, app):
    page = desk_for("medecin.demo")
    assert page.evaluate("htmx.config.timeout") == 15000  # base.html's htmx-config
    ready(page)
    page.evaluate("htmx.config.timeout = 800")  # the same path, without waiting 15 s
    held = []
    page.route("**/fse/ngap", lambda route: held.append(route))  # the request never reaches the server, nor any answer
    before = draft_of(app)
    type_ngap(page, "C")
    expect(page.locator("#reseau")).to_contain_text(TIMEOUT)
    expect(page.get_by_label("Lettre clé")).to_have_value("C")
    assert draft_of(app) == before and held
    for route in held:
        try:
            route.abort()
        except PlaywrightError:
            pass  # already cancelled by the browser
    page.unroute("**/fse/ngap")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    expect(page.locator("#reseau")).to_be_empty()
    assert draft_of(app)[1] == ["C 1"]


def test_an_answer_lost_after_the_act_was_added(desk_for, app):
    """The server added the act but the tablet never got the answer: the retry does not add it twice."""
    page = desk_for("medecin.demo")
    ready(page)

    def lost(route):
        route.fetch()  # the server handles the request...
        route.abort("connectionreset")  # ...and the answer is lost on the way back

    page.route("**/fse/ngap", lost)
    type_ngap(page, "C")
    expect(page.locator("#reseau")).to_contain_text(NETWORK)
    assert draft_of(app)[1] == ["C 1"]
    page.unroute("**/fse/ngap")
    page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    expect(page.locator("#fse-conflit")).to_contain_text(CONFLICT)
    settle(page)
    expect(page.locator("#panier tbody tr")).to_have_count(1)
    expect(page.get_by_label("Lettre clé")).to_have_value("C")
    expect(page.locator("#reseau")).to_be_empty()
    assert draft_of(app)[1] == ["C 1"]


def test_a_transmission_whose_answer_is_lost(desk_for, app):
    page = desk_for("medecin.demo")
    ready(page)
    type_ngap(page, "C")
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    settle(page)
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("heading", name="Récapitulatif de la FSE").wait_for()

    def lost(route):
        route.fetch()
        route.abort("connectionreset")

    page.route("**/fse/transmettre", lost)
    page.get_by_role("button", name="Transmettre").click()
    expect(page.locator("#reseau")).to_contain_text(NETWORK)
    expect(page.get_by_role("button", name="Transmettre")).to_be_enabled()
    assert len(transmitted(app)) == 1  # sent, but the tablet does not know it
    page.unroute("**/fse/transmettre")
    page.get_by_role("button", name="Transmettre").click()
    page.get_by_text("accusé de réception n°").wait_for()
    assert transmitted(app) == [page.locator("[data-accuse]").inner_text()]  # one FSE, the first one's accusé


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "sans-js"])
def test_a_second_tab_cannot_overwrite_a_newer_basket(desk_for, app, live_server, screenshot_dir, javascript):
    first = desk_for("medecin.demo", javascript)
    ready(first, "100002", "R4M8", "Sophie Crovetto")
    type_ngap(first, "C")
    first.locator("#panier").get_by_text("C 1").first.wait_for()
    second = first.context.new_page()  # a second tab of the same session
    second.goto(live_server + "/fse")
    second.locator("#panier").get_by_text("C 1").first.wait_for()

    settle(first)
    type_ngap(first, "V")  # the first tab adds a visit
    first.locator("#panier").get_by_text("V 1").first.wait_for()
    version, acts, _ = draft_of(app)
    assert acts == ["C 1", "V 1"]

    # The second tab still shows C alone and bills a dépassement on it.
    second.get_by_label("Montant facturé (€)").fill("40")
    second.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(second.locator("#fse-conflit")).to_contain_text(CONFLICT)
    if javascript:
        settle(second)
    expect(second.locator("#fse-conflit")).to_be_focused()  # read out, and scrolled to
    expect(second.locator("#fse-conflit")).to_be_in_viewport()
    expect(second.locator("#panier tbody tr")).to_have_count(2)  # the basket as it is now
    expect(second.locator("#panier")).to_contain_text("V 1")
    assert draft_of(app) == (version, acts, None)  # nothing overwritten
    second.screenshot(path=str(screenshot_dir / f"fse-conflit-{'js' if javascript else 'sans-js'}.png"),
                      full_page=True)

    # Seen now, the amount can be billed knowingly.
    second.get_by_label("Montant facturé (€)").fill("70")
    second.get_by_role("button", name="Mettre à jour la facturation").click()
    expect(second.locator("[data-total=facture]")).to_contain_text("70,00")
    assert draft_of(app)[1:] == (acts, 70)
    expect(second.locator("#fse-conflit")).to_have_count(0)


def test_one_tab_never_conflicts_with_itself(desk_for, app, live_server):
    """htmx swaps one region at a time; the other forms follow the version (FSE-Version header)."""
    page = desk_for("medecin.demo")
    ready(page)
    type_ngap(page, "C")  # swaps the basket and the entry lines, not the conditions nor the card
    page.locator("#panier").get_by_text("C 1").first.wait_for()
    settle(page)
    version = str(draft_of(app)[0])
    expect(page.locator("#conditions input[name=version]")).to_have_value(version)
    assert f"version={version}" in page.get_by_role("link", name="Réinitialiser").get_attribute("href")
    page.get_by_label("Exonération du ticket modérateur (ETM) appliquée").check()
    page.get_by_role("button", name="Enregistrer les conditions").click()
    settle(page)
    identify(page, "100001", "K7P2")  # the card again, from a form drawn before both changes
    settle(page)
    expect(page.locator("#fse-conflit")).to_have_count(0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Fse).where(Fse.etm_appliquee)) == 1

    # A CCAM suggestion redraws the CCAM line from the page as the server has it: it keeps the
    # version this tab has seen, so a change made meanwhile in another tab is still caught.
    other = page.context.new_page()
    other.goto(live_server + "/fse")
    type_ngap(other, "V")
    other.locator("#panier").get_by_text("V 1").first.wait_for()
    page.get_by_label("Code CCAM").fill("DEQP003")
    page.locator("#ccam-suggestions a").first.click()
    settle(page)
    expect(page.locator("#ccam input[name=code]")).to_have_value("DEQP003")
    assert page.locator("#ccam input[name=version]").input_value() == page.locator(
        "#ngap input[name=version]").input_value()
    page.locator("#ccam").get_by_role("button", name="Ajouter").click()
    expect(page.locator("#fse-conflit")).to_contain_text(CONFLICT)
    expect(page.locator("#ccam input[name=code]")).to_have_value("DEQP003")

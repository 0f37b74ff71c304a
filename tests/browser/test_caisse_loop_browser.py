"""The caisse's whole service in Chromium at tablet size, three people on three tablets:

- a praticien asks for a subscription → an agent approves it → the praticien activates his account with
  the link, chooses his password and enrols his phone → bills an FSE with HNP → the agent sees it is
  not payable yet (the praticien may delete it until 22:00) → the night passes → the agent pays it in
  an ordiposte → the praticien downloads the fiche de décompte and sees the FSE `payée`;
- the médecin conseil reads an ETM request's medical elements and grants it, the praticien sees the
  decision, and the agent cannot read them.
"""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.demo.seed import DEMO_STAFF
from app.domain.calendar import today_in_monaco
from tests.browser.test_assistants_browser import sign_in
from tests.browser.test_fse_browser import choose, field, identify, settle

pytestmark = pytest.mark.browser

STAFF_SECRETS = {identifiant: secret for identifiant, *_, secret in DEMO_STAFF}
PASSWORD = "Ma salle d'attente donne sur le port"
MEDICAL = {"affection": "Néphropathie glomérulaire chronique", "arguments": "Protéinurie à 3 g/24 h persistante"}


@pytest.fixture
def caisse(app, live_server, totp_clock):
    from app.demo.seed import seed_demo
    from app.extensions import db

    with app.app_context():
        seed_demo(db.session, "test", today_in_monaco(), count=0)
        db.session.commit()
    base_url = app.config["FSE_BASE_URL"]
    app.config["FSE_BASE_URL"] = live_server  # the activation links point at this test server
    yield live_server, totp_clock
    app.config["FSE_BASE_URL"] = base_url


def tablet(browser, viewport=(1024, 768)):
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, locale="fr-FR",
                                  accept_downloads=True)
    return context.new_page()


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_subscription_approval_activation_hnp_billing_ordiposte_and_decompte(app, browser, caisse, screenshot_dir,
                                                                            tmp_path, poppler):
    base, clock = caisse

    def shot(page, step):
        no_horizontal_scroll(page)
        page.screenshot(path=str(screenshot_dir / f"boucle-{step}.png"), full_page=True)

    # 1. The praticien asks for a subscription from the home page.
    praticien = tablet(browser)
    praticien.goto(base + "/")
    praticien.get_by_role("link", name="Demande d'abonnement").click()
    field(praticien, "Nom").fill("Pastorelli")
    field(praticien, "Prénom").fill("Élise")
    praticien.get_by_role("radio", name="Médecin").check()
    praticien.get_by_label("N° RPPS").fill("10004567896")
    field(praticien, "Adresse électronique").fill("elise.pastorelli@exemple.mc")
    praticien.get_by_label("Tél. mobile").fill("06 40 50 60 70")
    field(praticien, "Fait à").fill("Monaco")
    praticien.get_by_role("checkbox", name=re.compile("^J'ai pris connaissance des termes du contrat")).check()
    praticien.get_by_role("button", name="Envoyer la demande").click()
    settle(praticien)
    reference = re.search(r"AB-[A-Z0-9-]+", praticien.locator("main").inner_text()).group(0)
    shot(praticien, "1-demande-envoyee")

    # 2. The agent finds it among the pending requests and approves it: the one-time link, shown once.
    agent = tablet(browser)
    sign_in(agent, base, "agent.demo", "Demo-FSE-2026", clock.code(STAFF_SECRETS["agent.demo"]))
    agent.get_by_role("link", name="Demandes d'abonnement").first.click()
    row = agent.locator("tr[data-demande]", has_text="Pastorelli")
    expect(row).to_contain_text(reference)
    row.get_by_role("link").click()
    expect(field(agent, "Identifiant de connexion")).to_have_value("elise.pastorelli")
    expect(field(agent, "Spécialité affichée")).to_have_value("Médecin")
    agent.get_by_role("button", name="Approuver et créer le compte").click()
    settle(agent)
    expect(agent.get_by_role("heading", name="Compte créé pour Élise Pastorelli")).to_be_visible()
    link = agent.locator("[data-lien]").inner_text()
    shot(agent, "2-lien-activation")

    # 3. The praticien opens the link, chooses his password and enrols his phone.
    praticien.goto(link)
    expect(praticien.get_by_role("heading", name="Activation de votre compte")).to_be_visible()
    praticien.get_by_label("Nouveau mot de passe", exact=True).fill(PASSWORD)
    praticien.get_by_label("Confirmez le nouveau mot de passe").fill(PASSWORD)
    praticien.get_by_role("button", name="Valider").click()
    expect(praticien.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    secret = praticien.locator("[data-secret]").inner_text().replace(" ", "")
    praticien.get_by_label("Code de double authentification").fill(clock.code(secret))
    praticien.get_by_role("button", name="Valider").click()
    expect(praticien.get_by_role("heading", name="Identification de votre patient")).to_be_visible()
    shot(praticien, "3-compte-active")

    # 4. He bills a consultation for a verte card's child, with HNP, and transmits it.
    identify(praticien, "100001", "K7P2")
    choose(praticien, "Hugo Bellando")
    praticien.get_by_label("Lettre clé").fill("C")
    praticien.locator("#ngap").get_by_role("button", name="Ajouter").click()
    praticien.locator("#panier").get_by_text("C 1").wait_for()
    settle(praticien)
    with praticien.expect_response(lambda r: r.url.endswith("/fse/facturation")):  # sent 400 ms after the tick
        praticien.locator("#hnp-case").check()
    settle(praticien)
    expect(praticien.locator("#hnp-case")).to_be_checked()
    praticien.get_by_role("button", name="Valider").click()
    expect(praticien.get_by_role("heading", name="Récapitulatif de la FSE")).to_be_visible()
    expect(praticien.get_by_text("la caisse règle sa part directement au praticien")).to_be_visible()
    praticien.get_by_role("button", name="Transmettre").click()
    praticien.get_by_text("accusé de réception n°").wait_for()
    accuse = praticien.locator("[data-accuse]").inner_text()
    shot(praticien, "4-fse-hnp-transmise")

    # 5. The agent looks for it among the FSE to pay: the praticien may still delete it until 22:00
    #    (unless the test runs after 22:00 Monaco time), so it cannot be ticked yet.
    agent.goto(base + "/caisse/fses")
    agent.get_by_role("link", name="HNP/RDD à payer (ordiposte)").click()
    settle(agent)
    agent.get_by_label("Praticien").select_option(label="PASTORELLI Élise")
    agent.get_by_role("button", name="Filtrer").click()
    settle(agent)
    if agent.locator("#fses-supprimables").count():
        expect(agent.locator(".caisse-fses-count")).to_contain_text("0 FSE HNP/RDD à payer")
        expect(agent.locator("#fses-supprimables tr", has_text=accuse)).to_contain_text(
            "supprimable par le praticien jusqu'à 22:00")
        expect(agent.get_by_label(f"FSE {accuse} pas encore payable")).to_be_disabled()
        shot(agent, "5-pas-encore-payable")

    # The night passes: the FSE was transmitted today, and the caisse pays an FSE only once the
    # praticien can no longer delete it (22:00 Monaco time). Rather than wait, move its transmission
    # (and its date of care, so that care never follows transmission) back one day in the database.
    from app.extensions import db
    from app.models import Fse

    with app.app_context():
        sent = db.session.scalar(select(Fse).where(Fse.accuse_reception == accuse))
        sent.transmise_le -= timedelta(days=1)
        sent.date_soins -= timedelta(days=1)
        db.session.commit()

    # 6. The next day, the agent pays it in an ordiposte.
    agent.reload()
    settle(agent)
    expect(agent.locator(".caisse-fses-count")).to_contain_text("1 FSE HNP/RDD à payer")
    expect(agent.locator("#fses-supprimables")).to_have_count(0)
    agent.get_by_label(f"Payer la FSE {accuse}").check()
    agent.get_by_role("button", name="Créer l'ordiposte").click()
    expect(agent.locator(".flash-success")).to_contain_text("1 FSE payée")
    ordiposte = agent.get_by_role("heading", level=1).inner_text().removeprefix("Ordiposte ")
    shot(agent, "6-ordiposte")

    # 7. The praticien finds it on « HNP », downloads its décompte, and sees the FSE payée.
    praticien.get_by_role("link", name="HNP", exact=True).click()
    line = praticien.locator("tr", has_text=ordiposte)
    expect(line).to_be_visible()
    with praticien.expect_download() as download:
        line.get_by_role("link").last.click()
    pdf = tmp_path / "decompte.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run([poppler, str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert ordiposte in text and accuse in text and "BELLANDO" in text.upper()
    praticien.goto(base + "/historique")
    expect(praticien.locator("tr", has_text=accuse)).to_contain_text("Payée")
    shot(praticien, "7-historique-payee")


def test_the_conseil_grants_an_etm_request_the_agent_cannot_read_it(app, browser, caisse, screenshot_dir):
    from app.extensions import db
    from app.models import Formulaire
    from tests.conftest import AuthActions
    from tests.formulaires.common import etm_values
    from tests.formulaires.conftest import Doctor

    base, clock = caisse
    with app.app_context():
        actions = AuthActions(app.test_client(), clock)
        actions.login("medecin.demo")
        doctor = Doctor(actions, "etm")
        doctor.identify()
        assert doctor.post("transmettre", {"beneficiaire": doctor.member_ids()[0],
                                           **etm_values(**MEDICAL)}).status_code == 200
        document = db.session.scalar(select(Formulaire).where(Formulaire.type == "etm"))
        document_id, reference = document.id, document.reference

    # The agent: no « Formulaires » in his menu, and 403 on the document.
    agent = tablet(browser)
    sign_in(agent, base, "agent.demo", "Demo-FSE-2026", clock.code(STAFF_SECRETS["agent.demo"]))
    expect(agent.get_by_role("navigation").get_by_role("link", name="Formulaires")).to_have_count(0)
    answer = agent.goto(base + f"/caisse/formulaires/{document_id}")
    assert answer.status == 403
    assert MEDICAL["affection"] not in agent.content()

    # The médecin conseil reads the medical elements and grants the request.
    conseil = tablet(browser, viewport=(800, 1280))
    sign_in(conseil, base, "conseil.demo", "Demo-FSE-2026", clock.code(STAFF_SECRETS["conseil.demo"]))
    conseil.get_by_role("link", name="Formulaires").first.click()
    conseil.get_by_role("link", name=reference).click()
    medical = conseil.locator("section.medical")
    expect(medical).to_contain_text(MEDICAL["affection"])
    expect(medical).to_contain_text(MEDICAL["arguments"])
    conseil.get_by_role("radio", name="Accordé").check()
    conseil.get_by_label("Commentaire au praticien").fill("Accordée pour 24 mois.")
    no_horizontal_scroll(conseil)
    conseil.screenshot(path=str(screenshot_dir / "conseil-etm-800x1280.png"), full_page=True)
    conseil.get_by_role("button", name="Enregistrer la décision").click()
    expect(conseil.get_by_role("heading", name="Décision")).to_be_visible()
    expect(conseil.locator("main")).to_contain_text("Accordé")
    expect(conseil.get_by_role("button", name="Enregistrer la décision")).to_have_count(0)

    # The praticien sees the decision in his form history.
    from tests.browser.test_fse_browser import SECRETS
    praticien = tablet(browser)
    sign_in(praticien, base, "medecin.demo", "Demo-FSE-2026", clock.code(SECRETS["medecin.demo"]))
    praticien.goto(base + f"/formulaires/document/{document_id}")
    expect(praticien.locator("main")).to_contain_text("Accordé")
    expect(praticien.locator("main")).to_contain_text("Accordée pour 24 mois.")

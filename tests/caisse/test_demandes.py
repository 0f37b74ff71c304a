"""The agent's « Demandes d'abonnement »: the list (pending first, first come first served), a request's
page (every field, a warning for a praticien already known), its approval (praticien, account,
activation link and audit in one transaction, the link shown once) and its refusal; every refusal path."""

import re

import pytest
from sqlalchemy import func, select

from app.caisse import demandes_services as services
from app.extensions import db
from app.models import Activation, Compte, DemandeAbonnement, JournalAudit, Praticien
from tests.caisse.accounts_helpers import (
    ALREADY_TREATED,
    HX,
    audit,
    body,
    demande,
    field_error,
    input_value,
    new_demande,
    post,
    signed_in,
    text,
)


@pytest.fixture
def agent(client, totp_clock, demo_accounts):
    """agent.demo signed in; the demo's two pending requests are there."""
    signed_in(client, totp_clock)
    return client


def approve(client, demande_id, headers=None, **data):
    values = {"identifiant": "laura.bianchi", "specialite": "Orthophoniste", **data}
    return post(client, f"/caisse/demandes/{demande_id}/approbation", values,
                page=f"/caisse/demandes/{demande_id}", headers=headers)


def refuse(client, demande_id, motif, **kwargs):
    return post(client, f"/caisse/demandes/{demande_id}/refus", {"motif": motif},
                page=f"/caisse/demandes/{demande_id}", **kwargs)


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


# --- The list and the request's page ------------------------------------------------------------

def test_the_list_shows_the_pending_requests_first_oldest_first(agent):
    treated = new_demande(jeton="x" * 32, suffix="TRAITE", statut="refusee", motif_refus="Doublon")
    page = body(agent.get("/caisse/demandes"))
    orthophoniste, dentiste = demande(), demande("demo-demande-dentiste")
    # the orthophoniste's request came three days ago, the dentiste's yesterday: first come, first served
    assert page.index(orthophoniste.reference) < page.index(dentiste.reference) < page.index(treated.reference)
    assert "3 demandes" in text(page) and "2 en attente" in text(page)
    refused = body(agent.get("/caisse/demandes?statut=refusee"))
    assert treated.reference in refused and orthophoniste.reference not in refused
    assert "1 demande" in text(refused)
    assert "Aucune demande approuvée" in text(body(agent.get("/caisse/demandes?statut=approuvee")))
    # an unknown status is all of them
    assert dentiste.reference in body(agent.get("/caisse/demandes?statut=nimporte"))


def test_the_list_is_a_fragment_for_htmx(agent):
    fragment = agent.get("/caisse/demandes?statut=en_attente", headers=HX)
    html = body(fragment)
    assert fragment.status_code == 200 and "HX-Request" in fragment.headers["Vary"]
    assert html.lstrip().startswith('<div id="demandes-liste"') and "<html" not in html
    assert demande().reference in html


def test_the_request_page_shows_every_field(agent):
    row = demande()
    page = text(body(agent.get(f"/caisse/demandes/{row.id}")))
    for words in ("Orthophoniste", "Bianchi", "Laura", "986031478", "10009321455", "laura.bianchi@exemple.mc",
                  "+377 6 80 86 24 13", "+377 97 98 12 34", "Fait à Monaco", row.fait_le.strftime("%d/%m/%Y"),
                  row.reference, "En attente", "Reçue le"):
        assert words in page, words
    assert "Attention" not in page  # a new praticien
    # the proposal: prenom.nom, the profession's label
    html = body(agent.get(f"/caisse/demandes/{row.id}"))
    assert input_value(html, "identifiant") == "laura.bianchi"
    assert input_value(html, "specialite") == "Orthophoniste"


def test_a_request_without_a_card_says_so(agent):
    row = new_demande(rpps=None, sans_carte_cps=True)
    page = text(body(agent.get(f"/caisse/demandes/{row.id}")))
    assert "Pas de carte CPS" in page and "N° RPPS" not in page


def test_a_praticien_already_known_is_warned_of(agent):
    # medecin.demo's RPPS, and nouveau.demo's e-mail in capitals
    row = new_demande(rpps="10009812347", email="NOUVEAU.DEMO@exemple.mc")
    page = text(body(agent.get(f"/caisse/demandes/{row.id}")))
    assert "Attention : un praticien du portail a déjà certaines de ces coordonnées" in page
    assert "Claire Lorenzi (même n° RPPS)" in page and "Nicolas Vatrican (même adresse e-mail)" in page
    adeli = new_demande(jeton="a" * 32, suffix="ADELIX", rpps=None, adeli="986012345",
                        email="autre@exemple.mc")  # infirmier.demo's ADELI
    assert "Sophie Fautrier (même n° ADELI)" in text(body(agent.get(f"/caisse/demandes/{adeli.id}")))
    treated = db.session.get(DemandeAbonnement, row.id)  # once treated, the warning has served
    treated.statut, treated.motif_refus = "refusee", "Déjà abonné"
    db.session.commit()
    assert "un praticien du portail a déjà" not in text(body(agent.get(f"/caisse/demandes/{row.id}")))


def test_the_proposed_identifiant_is_free(agent):
    row = new_demande(prenom="Claire", nom="Lorenzi", rpps=None, adeli="986099999")
    assert services.proposal(row)["identifiant"] == "claire.lorenzi"
    db.session.add(Compte(identifiant="claire.lorenzi", password_hash=None, role="agent", nom="L", prenom="C"))
    db.session.commit()
    assert input_value(body(agent.get(f"/caisse/demandes/{row.id}")), "identifiant") == "claire.lorenzi2"


def test_an_unknown_request_is_404(agent):
    assert agent.get("/caisse/demandes/999999").status_code == 404
    assert approve(agent, 999999).status_code == 404
    assert refuse(agent, 999999, "Motif").status_code == 404


# --- Approval -----------------------------------------------------------------------------------

def test_approval_creates_the_account_and_shows_its_link_once(agent, client):
    row = demande()
    response = approve(agent, row.id, identifiant="  Laura.Bianchi ", specialite=" Orthophoniste ")
    assert response.status_code == 200  # not a redirect: the link is in this page only
    page = text(body(response))
    assert "Compte créé pour Laura Bianchi" in page and "n'est affiché qu'une seule fois" in page
    assert "laura.bianchi@exemple.mc" in page
    assert "Lien d'activation (usage unique, valable 7 jours)" in page  # ACTIVATION_VALIDITY, in words
    link = re.search(r'data-lien class="link-text">([^<]+)<', body(response)).group(1)
    assert link.startswith("http") and "/activation/" in link
    assert "Set-Cookie" not in response.headers or link not in response.headers["Set-Cookie"]

    row = demande()
    assert row.statut == "approuvee"
    praticien = db.session.scalar(select(Praticien).where(Praticien.email == "laura.bianchi@exemple.mc"))
    assert (praticien.profession, praticien.specialite, praticien.nom, praticien.prenom, praticien.adeli,
            praticien.rpps) == ("orthophoniste", "Orthophoniste", "Bianchi", "Laura", "986031478", "10009321455")
    compte, = praticien.comptes
    assert (compte.identifiant, compte.role, compte.password_hash) == ("laura.bianchi", "praticien", None)
    assert count(Activation) == 1
    approval, = audit("caisse.abonnement.approbation")
    agent_id = db.session.scalar(select(Compte.id).where(Compte.identifiant == "agent.demo"))
    assert (approval.compte_id, approval.praticien_id, approval.objet_type, approval.objet_id) == \
        (agent_id, praticien.id, "demande_abonnement", str(row.id))
    creation, = audit("compte.creation")
    assert creation.compte_id == compte.id and creation.numero < approval.numero

    # the request's page now says who approved it, links the praticien, and never shows the link again
    page = text(body(agent.get(f"/caisse/demandes/{row.id}")))
    assert "Approuvée le" in page and "par Marie Cellario" in page and "Compte créé : Laura Bianchi" in page
    assert link not in page and "Approuver et créer le compte" not in page

    # the link opens the activation page (a fresh client: the praticien's own browser)
    token = link.rsplit("/", 1)[1]
    assert client.application.test_client().get(f"/activation/{token}").status_code == 200


def test_a_second_approval_creates_nothing(agent):
    row = demande()
    assert approve(agent, row.id).status_code == 200
    again = approve(agent, row.id, identifiant="laura.bianchi2")
    assert again.status_code == 303 and again.headers["Location"].endswith(f"/caisse/demandes/{row.id}")
    assert ALREADY_TREATED in body(agent.get(again.headers["Location"]))
    assert count(Praticien) == 6 and len(audit("caisse.abonnement.approbation")) == 1  # 5 of the demo + 1
    # a refusal after it changes nothing either
    assert refuse(agent, row.id, "Trop tard").status_code == 303
    assert demande().statut == "approuvee" and demande().motif_refus is None


def test_two_tabs_approving_at_once_create_one_account(agent):
    """The second tab passed the page's check before the first committed: the conditional UPDATE
    stops it, and nothing of it is written."""
    row = demande()
    agent_compte = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    first = services.approve(row.id, agent_compte, "laura.bianchi", "Orthophoniste")
    second = services.approve(row.id, agent_compte, "laura.bianchi2", "Orthophoniste")
    assert first is not None and second is None
    assert count(Praticien) == 6 and db.session.scalar(
        select(func.count()).select_from(Compte).where(Compte.identifiant == "laura.bianchi2")) == 0


def test_a_taken_identifiant_is_refused_with_the_input_kept(agent):
    row = demande()
    response = approve(agent, row.id, identifiant="Medecin.Demo", specialite="Orthophoniste pédiatrique")
    html = body(response)
    assert response.status_code == 422
    assert field_error(html, "identifiant") == ("L'identifiant « medecin.demo » est déjà pris : choisissez-en "
                                                "un autre (par exemple « medecin.demo2 »).")
    assert input_value(html, "specialite") == "Orthophoniste pédiatrique"
    assert demande().statut == "en_attente" and count(Praticien) == 5
    assert not audit("caisse.abonnement.approbation")


@pytest.mark.parametrize(("identifiant", "specialite", "field", "message"), [
    ("", "Orthophoniste", "identifiant", "Saisissez l'identifiant de connexion du praticien."),
    ("laura bianchi", "Orthophoniste", "identifiant", "Lettres sans accents"),
    ("laurà.bianchi", "Orthophoniste", "identifiant", "Lettres sans accents"),
    (".laura", "Orthophoniste", "identifiant", "Lettres sans accents"),
    ("l" * 65, "Orthophoniste", "identifiant", "64 caractères au plus."),
    ("laura.bianchi", "   ", "specialite", "Saisissez la spécialité affichée (par défaut, la profession)."),
    ("laura.bianchi", "x" * 81, "specialite", "80 caractères au plus."),
])
def test_a_bad_approval_form_is_422_next_to_its_field(agent, identifiant, specialite, field, message):
    row = demande()
    response = approve(agent, row.id, identifiant=identifiant, specialite=specialite)
    assert response.status_code == 422
    assert field_error(body(response), field).startswith(message)
    assert demande().statut == "en_attente" and count(Praticien) == 5 and count(Activation) == 0


def test_a_failure_during_the_approval_writes_nothing(agent, monkeypatch):
    """Request, praticien, account, link and audit rows are one transaction."""
    row = demande()

    def broken(action, *args, **kwargs):
        if action == "caisse.abonnement.approbation":
            raise RuntimeError("panne")
        return real(action, *args, **kwargs)

    real = services.record
    monkeypatch.setattr(services, "record", broken)
    agent_compte = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    with pytest.raises(RuntimeError):
        services.approve(row.id, agent_compte, "laura.bianchi", "Orthophoniste")
    db.session.rollback()
    assert demande().statut == "en_attente" and count(Praticien) == 5 and count(Activation) == 0
    assert not audit("compte.creation")


def test_approval_with_htmx(agent):
    row = demande()
    bad = approve(agent, row.id, identifiant="", headers=HX)
    assert bad.status_code == 422 and body(bad).lstrip().startswith('<section id="demande-decision"')
    good = approve(agent, row.id, headers=HX)
    assert good.status_code == 200
    assert good.headers["HX-Retarget"] == "#contenu" and good.headers["HX-Reswap"] == "innerHTML"
    assert "<html" not in body(good) and "data-lien" in body(good)
    again = approve(agent, row.id, headers=HX)
    assert again.headers["HX-Redirect"].endswith(f"/caisse/demandes/{row.id}")


# --- Refusal ------------------------------------------------------------------------------------

def test_a_refusal_needs_a_reason(agent):
    row = demande()
    response = refuse(agent, row.id, "   ")
    assert response.status_code == 422
    assert field_error(body(response), "motif") == "Écrivez le motif du refus : il sera communiqué au demandeur."
    too_long = refuse(agent, row.id, "x" * 501)
    assert too_long.status_code == 422 and "500 caractères au plus" in field_error(body(too_long), "motif")
    assert demande().statut == "en_attente" and not audit("caisse.abonnement.refus")


def test_a_refusal_keeps_its_reason_once(agent):
    row = demande()
    response = refuse(agent, row.id, "  Pas de conventionnement à Monaco.  ")
    assert response.status_code == 303
    page = text(body(agent.get(response.headers["Location"])))
    assert f"Demande {row.reference} refusée" in page and "Refusée le" in page and "par Marie Cellario" in page
    assert "Motif : Pas de conventionnement à Monaco." in page
    row = demande()
    assert (row.statut, row.motif_refus) == ("refusee", "Pas de conventionnement à Monaco.")
    refusal, = audit("caisse.abonnement.refus")
    assert refusal.objet_id == str(row.id) and refusal.praticien_id is None and refusal.details is None
    again = refuse(agent, row.id, "Autre motif")
    assert again.status_code == 303 and ALREADY_TREATED in body(agent.get(again.headers["Location"]))
    assert approve(agent, row.id).status_code == 303
    assert demande().motif_refus == "Pas de conventionnement à Monaco." and count(Praticien) == 5
    assert len(audit("caisse.abonnement.refus")) == 1


def test_a_refusal_with_htmx_redirects(agent):
    row = demande()
    bad = refuse(agent, row.id, "", headers=HX)
    assert bad.status_code == 422 and 'id="motif-erreur"' in body(bad) and "<html" not in body(bad)
    good = refuse(agent, row.id, "Doublon", headers=HX)
    assert good.headers["HX-Redirect"].endswith(f"/caisse/demandes/{row.id}")


# --- Who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("identifiant", "password"), [
    ("conseil.demo", "Demo-FSE-2026"), ("medecin.demo", "Demo-FSE-2026"), ("assistant.demo", "Assistant-FSE-2026")])
def test_only_an_agent_reaches_the_requests(client, totp_clock, demo_accounts, identifiant, password):
    signed_in(client, totp_clock, identifiant, password)
    row = demande()
    for path in ("/caisse/demandes", f"/caisse/demandes/{row.id}"):
        assert client.get(path).status_code == 403
    page = "/caisse" if identifiant == "conseil.demo" else "/profil"
    assert post(client, f"/caisse/demandes/{row.id}/approbation", {"identifiant": "x.y", "specialite": "S"},
                page=page).status_code == 403
    assert post(client, f"/caisse/demandes/{row.id}/refus", {"motif": "Non"}, page=page).status_code == 403
    assert demande().statut == "en_attente" and count(Praticien) == 5
    refused = db.session.scalars(select(JournalAudit.objet_id).where(JournalAudit.action == "acces.refuse")).all()
    assert {"caisse.demandes", "caisse.demande", "caisse.approve_demande", "caisse.refuse_demande"} <= set(refused)


def test_anonymous_goes_to_the_login_page(client, demo_accounts):
    row = demande()
    for path in ("/caisse/demandes", f"/caisse/demandes/{row.id}"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/connexion")


def test_a_post_without_csrf_token_is_refused(agent):
    row = demande()
    assert agent.post(f"/caisse/demandes/{row.id}/approbation",
                      data={"identifiant": "laura.bianchi", "specialite": "O"}).status_code == 400
    assert demande().statut == "en_attente"


def test_the_demo_requests_are_written_once(app_ctx, demo_accounts):
    from datetime import date

    from app.demo.demandes import ensure_demo_demandes
    from app.domain.identifiers import clean_adeli, clean_rpps

    assert ensure_demo_demandes(db.session, date(2026, 11, 22)) == 0  # the fixture wrote them
    rows = db.session.scalars(select(DemandeAbonnement).order_by(DemandeAbonnement.cree_le)).all()
    assert [r.statut for r in rows] == ["en_attente", "en_attente"]
    for r in rows:
        assert r.rpps is None or clean_rpps(r.rpps) == r.rpps  # Luhn-valid
        assert r.adeli is None or clean_adeli(r.adeli) == r.adeli

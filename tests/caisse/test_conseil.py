"""The médecin conseil reads the medical elements of the forms (each reading audited) and decides the
ETM and invalidity requests; the praticien sees the decision; an agent never sees a medical element."""

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Compte, Formulaire, JournalAudit
from tests.conftest import AuthActions, csrf_from
from tests.formulaires.common import body, etm_values, field_error
from tests.formulaires.conftest import Doctor, it_values

WORDS = {"affection": "Glomérulonéphrite zorblaxienne", "arguments": "Protéinurie quimbrellique persistante"}


@pytest.fixture
def sent(app, client, totp_clock, demo_accounts):
    """An ETM request and an IT transmitted by medecin.demo, then the session closed."""
    actions = AuthActions(client, totp_clock)
    actions.login("medecin.demo")
    documents = {}
    for kind, values in (("etm", etm_values(**WORDS)), ("it", it_values())):
        doctor = Doctor(actions, kind)
        doctor.identify()
        member = doctor.member_ids()[0]
        assert doctor.post("transmettre", {"beneficiaire": member, **values}).status_code == 200
        documents[kind] = db.session.scalar(select(Formulaire.id).where(Formulaire.type == kind,
                                                                        Formulaire.statut == "transmis"))
    actions.logout()
    return documents


def signed_in(client, totp_clock, identifiant, password="Demo-FSE-2026"):
    actions = AuthActions(client, totp_clock)
    actions.login(identifiant, password)
    return actions


def decide(client, document_id, **data):
    page = client.get(f"/caisse/formulaires/{document_id}").get_data(as_text=True)
    return client.post(f"/caisse/formulaires/{document_id}/decision", data={"csrf_token": csrf_from(page), **data})


def test_the_conseil_lists_the_requests_to_decide_first_and_reads_their_medical_elements(sent, client, totp_clock):
    signed_in(client, totp_clock, "conseil.demo")
    listing = body(client.get("/caisse/formulaires"))
    assert listing.index("ETM-") < listing.index("IT-") and "À décider" in listing
    assert "Glomérulonéphrite" not in listing  # never in a list
    page = body(client.get(f"/caisse/formulaires/{sent['etm']}"))
    assert WORDS["affection"] in page and WORDS["arguments"] in page and "Enregistrer la décision" in page
    reading, = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "formulaire.lecture"))
    assert reading.objet_id == str(sent["etm"]) and "Glom" not in str(reading.details)
    it_page = body(client.get(f"/caisse/formulaires/{sent['it']}"))
    assert "Enregistrer la décision" not in it_page  # a prescription is not decided


def test_a_refusal_needs_a_comment_and_a_decision_is_made_once(sent, client, totp_clock):
    signed_in(client, totp_clock, "conseil.demo")
    refused = decide(client, sent["etm"], decision="refuse", commentaire="")
    assert refused.status_code == 422
    assert field_error(body(refused), "commentaire") == "Un refus s'explique : écrivez au praticien la raison."
    assert db.session.get(Formulaire, sent["etm"]).statut == "transmis"
    granted = decide(client, sent["etm"], decision="accorde", commentaire="Accordé pour 24 mois.")
    assert granted.status_code == 303
    db.session.expire_all()
    document = db.session.get(Formulaire, sent["etm"])
    conseil = db.session.scalar(select(Compte).where(Compte.identifiant == "conseil.demo"))
    assert (document.statut, document.decision_par_id, document.decision_commentaire) == \
        ("accorde", conseil.id, "Accordé pour 24 mois.")
    again = decide(client, sent["etm"], decision="refuse", commentaire="Autre avis")
    assert again.status_code == 303
    assert "déjà été décidée" in body(client.get(again.headers["Location"]))
    db.session.expire_all()
    assert db.session.get(Formulaire, sent["etm"]).statut == "accorde"
    rows = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "formulaire.decision")).all()
    assert len(rows) == 1
    assert client.post(f"/caisse/formulaires/{sent['it']}/decision",
                       data={"csrf_token": csrf_from(body(client.get("/caisse"))), "decision": "accorde"}).status_code == 404


def test_the_praticien_sees_the_decision_and_his_assistant_not_its_comment(sent, client, totp_clock):
    signed_in(client, totp_clock, "conseil.demo")
    decide(client, sent["etm"], decision="refuse", commentaire="Bilan rénal complémentaire attendu.")
    AuthActions(client, totp_clock).logout()
    signed_in(client, totp_clock, "medecin.demo")
    history = body(client.get("/formulaires/etm/historique"))
    assert "Refusé" in history and "Bilan rénal" not in history
    page = body(client.get(f"/formulaires/document/{sent['etm']}"))
    assert "Décision du médecin conseil" in page and "Bilan rénal complémentaire attendu." in page
    assert WORDS["affection"] not in page
    AuthActions(client, totp_clock).logout()
    signed_in(client, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    page = body(client.get(f"/formulaires/document/{sent['etm']}"))
    assert "Refusé" in page and "Bilan rénal" not in page


def test_an_agent_never_opens_a_medical_element(sent, client, totp_clock):
    signed_in(client, totp_clock, "agent.demo")
    for path in ("/caisse/formulaires", f"/caisse/formulaires/{sent['etm']}"):
        response = client.get(path)
        assert response.status_code == 403 and WORDS["affection"] not in body(response)
    token = csrf_from(body(client.get("/caisse")))
    assert client.post(f"/caisse/formulaires/{sent['etm']}/decision",
                       data={"csrf_token": token, "decision": "accorde"}).status_code == 403
    assert db.session.get(Formulaire, sent["etm"]).statut == "transmis"
    agent = db.session.scalar(select(Compte.id).where(Compte.identifiant == "agent.demo"))
    refused = db.session.scalars(select(JournalAudit.objet_id).where(
        JournalAudit.action == "acces.refuse", JournalAudit.compte_id == agent)).all()
    assert set(refused) >= {"caisse.formulaires", "caisse.formulaire", "caisse.decide"}
    assert not re.search("Formulaires reçus", body(client.get("/caisse")))

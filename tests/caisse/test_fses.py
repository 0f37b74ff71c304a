"""« FSE reçues »: the agent's filtered list, an FSE rejected with its reason (once, only while
transmise), HNP/RDD FSE paid in an ordiposte (once, one praticien and one caisse, on a day not before
their transmission) with its décompte, neither before the praticien's 22:00 deletion window closes,
and the praticien's side: the rejection in his history and the notice on his home page until each
account acknowledges it."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, update

from app.caisse import fse_services as services
from app.domain.calendar import MONACO
from app.domain.lifecycle import SUPPRIMEE
from app.extensions import db
from app.hnp.services import OrdiposteError, create_ordiposte
from app.models import Compte, Fse, JournalAudit, Ordiposte
from app.models.types import utcnow
from tests.conftest import AuthActions, csrf_from
from tests.hnp.conftest import Practice

REASON = "Acte non remboursable à cette date : tarif conventionnel dépassé sans entente préalable."


@pytest.fixture
def practice(app_ctx, demo_accounts) -> Practice:
    return Practice()


def plain(fse) -> SimpleNamespace:
    """An FSE's values, readable after requests (the test client ends the session's objects)."""
    return SimpleNamespace(**{name: getattr(fse, name) for name in (
        "id", "accuse_reception", "praticien_id", "patient_nom", "matricule", "date_soins", "total_facture",
        "part_caisse", "statut")})


def body(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def person(app, totp_clock, identifiant, password="Demo-FSE-2026"):
    """A new browser signed in as this account."""
    client = app.test_client()
    AuthActions(client, totp_clock).login(identifiant, password)
    return client


@pytest.fixture
def agent(app, totp_clock, demo_accounts):
    return person(app, totp_clock, "agent.demo")


def agent_compte() -> Compte:
    return db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))


def reject(client, fse_id, motif=REASON, **args):
    page = body(client.get(f"/caisse/fses/{fse_id}"))
    return client.post(f"/caisse/fses/{fse_id}/rejet", query_string=args,
                       data={"csrf_token": csrf_from(page), "motif": motif})


def pay(client, fse_ids, date_paiement=None, **filters):
    page = body(client.get("/caisse/fses", query_string={"statut": "transmise", "hnp": "oui", **filters}))
    data = {"csrf_token": csrf_from(page), "fse": [str(i) for i in fse_ids]}
    if date_paiement is not None:
        data["date_paiement"] = date_paiement
    return client.post("/caisse/ordipostes", query_string={"statut": "transmise", "hnp": "oui", **filters}, data=data)


def field_error(text, name):
    match = re.search(rf'id="{name}-erreur">([^<]+)<', text)
    return match.group(1) if match else None


def audit_rows(action):
    return list(db.session.scalars(select(JournalAudit).where(JournalAudit.action == action)
                                .order_by(JournalAudit.numero)))


@pytest.fixture
def clock(monkeypatch, practice):
    """Freeze the caisse's and the history's clock at a Monaco wall-clock time of today."""
    def freeze(hour, minute=0):
        instant = datetime.combine(practice.today, time(hour, minute), MONACO).astimezone(UTC)
        monkeypatch.setattr("app.caisse.fse_services.now", lambda: instant)
        monkeypatch.setattr("app.history.services.now", lambda: instant)
        return instant
    return freeze


# --- The list ------------------------------------------------------------------------------

def test_the_list_has_every_praticien_s_transmitted_fse_never_a_draft(practice):
    mine = practice.fses(3, hnp=False)
    dentist = practice.fse(identifiant="dentiste.demo", acts=(("NGAP", "C", "1|1|"),))
    draft = practice.fse()
    draft.statut, draft.accuse_reception = "brouillon", None  # as if never transmitted
    db.session.flush()
    page = services.received_page(services.ReceivedFilters())
    ids = {fse.id for fse in page.rows}
    assert ids == {fse.id for fse in mine} | {dentist.id}
    assert page.total == 4 and page.by_status == {"transmise": 4}
    assert page.montant == sum((f.total_facture for f in [*mine, dentist]), Decimal("0"))
    assert page.part_caisse == sum((f.part_caisse for f in [*mine, dentist]), Decimal("0"))
    assert [r.transmise_le for r in page.rows] == sorted((r.transmise_le for r in page.rows), reverse=True)
    assert set(page.praticiens) == {mine[0].praticien_id, dentist.praticien_id}


def test_each_filter_narrows_the_list(practice):
    old = practice.fse(days_ago=40)
    recent_hnp = practice.fse(days_ago=3)
    recent = practice.fse(days_ago=5, hnp=False)
    camti = practice.fse(days_ago=6, hnp=False)
    camti.caisse = "CAMTI"
    dentist = practice.fse(days_ago=2, identifiant="dentiste.demo", acts=(("NGAP", "C", "1|1|"),))
    create_ordiposte([recent_hnp], practice.today)
    recent.statut, recent.motif_rejet, recent.statut_change_le = "rejetee", REASON, utcnow()
    db.session.flush()

    def ids(**filters):
        return {f.id for f in services.received_page(services.ReceivedFilters(**filters)).rows}

    today = practice.today
    assert ids(du=today - timedelta(days=29), au=today) == {recent_hnp.id, recent.id, camti.id, dentist.id}
    assert ids(au=today - timedelta(days=30)) == {old.id}
    assert ids(du=today - timedelta(days=5), au=today - timedelta(days=3)) == {recent_hnp.id, recent.id}
    assert ids(praticien_id=dentist.praticien_id) == {dentist.id}
    assert ids(caisse="CAMTI") == {camti.id}
    assert ids(statut="rejetee") == {recent.id}
    assert ids(statut="payee") == {recent_hnp.id}
    assert ids(hnp=True) == {old.id, recent_hnp.id, dentist.id}
    assert ids(hnp=False) == {recent.id, camti.id}
    # « à payer »: transmitted HNP/RDD FSE that no ordiposte paid
    assert ids(statut="transmise", hnp=True) == {old.id, dentist.id}
    by_status = services.received_page(services.ReceivedFilters()).by_status
    assert by_status == {"transmise": 3, "rejetee": 1, "payee": 1}


def test_the_list_pages_by_50(practice):
    practice.fses(52, hnp=False)
    first = services.received_page(services.ReceivedFilters(), 1)
    last = services.received_page(services.ReceivedFilters(), 9)
    assert (first.total, first.pages, len(first.rows)) == (52, 2, 50)
    assert (last.page, len(last.rows)) == (2, 2)


def test_the_page_opens_on_the_last_30_days_and_filters_by_query_string(practice, agent):
    old, recent = plain(practice.fse(days_ago=45)), plain(practice.fse(days_ago=2, hnp=False))
    db.session.commit()
    text = body(agent.get("/caisse/fses"))
    assert recent.accuse_reception in text and old.accuse_reception not in text
    du = (practice.today - timedelta(days=29)).isoformat()
    assert f'name="du" type="date" value="{du}"' in text
    assert 'data-count="1"' in text
    # the period left open on purpose: every FSE
    everything = body(agent.get("/caisse/fses", query_string={"du": "", "au": ""}))
    assert old.accuse_reception in everything and recent.accuse_reception in everything
    only_hnp = body(agent.get("/caisse/fses", query_string={"du": "", "hnp": "oui"}))
    assert old.accuse_reception in only_hnp and recent.accuse_reception not in only_hnp


def test_the_results_are_an_htmx_fragment_too(practice, agent):
    practice.fse(days_ago=1)
    db.session.commit()
    page = agent.get("/caisse/fses")
    fragment = agent.get("/caisse/fses", headers={"HX-Request": "true"})
    assert "<html" in body(page) and "<html" not in body(fragment)
    assert body(fragment).lstrip().startswith('<div id="fses-recues"')
    assert "HX-Request" in fragment.headers.get("Vary", "")


@pytest.mark.parametrize("args, name, message", [
    ({"praticien": "999999"}, "praticien", "Choisissez un praticien de la liste."),
    ({"caisse": "XYZ"}, "caisse", "Choisissez une caisse de la liste."),
    ({"statut": "brouillon"}, "statut", "Choisissez un statut de la liste."),
    ({"hnp": "peut-etre"}, "hnp", "Choisissez « Oui », « Non » ou « Toutes »."),
    ({"du": "2026-03-10", "au": "2026-03-01"}, "au", "La date de fin précède la date de début."),
    ({"du": "31/02/2026"}, "du", "Date invalide : saisissez-la au format jj/mm/aaaa."),
])
def test_a_wrong_filter_is_a_422_with_its_message(agent, args, name, message):
    response = agent.get("/caisse/fses", query_string=args)
    assert response.status_code == 422
    assert field_error(body(response), name) == message


# --- Rejection -----------------------------------------------------------------------------

def test_the_detail_shows_the_fse_as_received(practice, agent):
    fse = plain(practice.fse(days_ago=4))
    db.session.commit()
    text = body(agent.get(f"/caisse/fses/{fse.id}"))
    for words in (fse.accuse_reception, "Claire Lorenzi", fse.patient_nom, "Carte verte", fse.matricule,
                  "Part caisse", "Historique du statut", "Transmise", "Rejeter la FSE", "Consultation"):
        assert words in text, words


def test_a_draft_or_an_unknown_fse_is_not_found(practice, agent):
    draft = practice.fse()
    draft.statut, draft.accuse_reception = "brouillon", None
    draft = plain(draft)
    db.session.commit()
    assert agent.get(f"/caisse/fses/{draft.id}").status_code == 404
    assert agent.get("/caisse/fses/999999").status_code == 404
    token = csrf_from(body(agent.get("/caisse")))
    assert agent.post(f"/caisse/fses/{draft.id}/rejet", data={"csrf_token": token, "motif": REASON}).status_code == 404


def test_rejecting_records_the_reason_the_agent_and_one_audit_row_for_the_praticien(practice, agent):
    fse = plain(practice.fse(days_ago=4))
    db.session.commit()
    response = reject(agent, fse.id, motif=f"  {REASON}\r\n")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/caisse/fses/{fse.id}")
    page = body(agent.get(response.headers["Location"]))
    assert "FSE rejetée" in page and REASON in page and "Rejeter la FSE" not in page
    db.session.expire_all()
    rejected = db.session.get(Fse, fse.id)
    assert (rejected.statut, rejected.motif_rejet, rejected.statut_change_par_id) == ("rejetee", REASON, agent_compte().id)
    assert rejected.statut_change_le is not None
    row, = audit_rows("caisse.fse.rejet")
    assert (row.compte_id, row.praticien_id, row.objet_type, row.objet_id) == \
        (agent_compte().id, fse.praticien_id, "fse", str(fse.id))
    assert "Marie Cellario (agent de la caisse)" in page


@pytest.mark.parametrize("motif, message", [
    ("", "Le motif du rejet est obligatoire : il est communiqué au praticien."),
    ("x" * 501, "500 caractères au plus (501 saisis)."),
])
def test_a_rejection_without_a_proper_reason_is_a_422_with_the_input_kept(practice, agent, motif, message):
    fse = plain(practice.fse())
    db.session.commit()
    response = reject(agent, fse.id, motif=motif)
    assert response.status_code == 422
    assert field_error(body(response), "motif") == message
    assert motif in body(response)
    db.session.expire_all()
    assert db.session.get(Fse, fse.id).statut == "transmise" and not audit_rows("caisse.fse.rejet")


def test_an_fse_is_rejected_once_and_never_once_paid_or_deleted(practice, agent):
    fse, paid, deleted = practice.fse(), practice.fse(), practice.fse(hnp=False)
    create_ordiposte([paid], practice.today)
    deleted.statut, deleted.statut_change_le = SUPPRIMEE, utcnow()
    fse, paid, deleted = plain(fse), plain(paid), plain(deleted)
    db.session.commit()
    assert reject(agent, fse.id).status_code == 303
    for target, words in ((fse, "déjà été rejetée"), (paid, "déjà été payée dans un ordiposte"),
                          (deleted, "supprimée par le praticien")):
        page = body(agent.get(f"/caisse/fses/{target.id}"))
        assert "Rejeter la FSE" not in page
        response = agent.post(f"/caisse/fses/{target.id}/rejet",
                              data={"csrf_token": csrf_from(page), "motif": "Autre motif"})
        assert response.status_code == 303
        assert words in body(agent.get(response.headers["Location"]))
    db.session.expire_all()
    assert [db.session.get(Fse, f.id).statut for f in (fse, paid, deleted)] == ["rejetee", "payee", "supprimee"]
    assert db.session.get(Fse, fse.id).motif_rejet == REASON
    assert len(audit_rows("caisse.fse.rejet")) == 1


def test_the_conditional_update_refuses_a_rejection_that_lost_the_race(practice):
    fse = practice.fse()
    db.session.commit()
    assert fse.statut == "transmise"  # what this agent's request read
    # Another agent's payment committed after this one read the FSE as transmise.
    db.session.execute(update(Fse).where(Fse.id == fse.id).values(statut="rejetee", motif_rejet="Premier",
                                                                  statut_change_le=utcnow())
                       .execution_options(synchronize_session=False))
    with pytest.raises(services.RejectionError, match="déjà été rejetée"):
        services.reject_fse(fse, REASON, agent_compte())
    db.session.rollback()
    assert not audit_rows("caisse.fse.rejet")


def test_the_back_link_keeps_the_list_s_filters(practice, agent):
    fse = plain(practice.fse())
    db.session.commit()
    listing = body(agent.get("/caisse/fses", query_string={"caisse": "CCSS", "du": "", "au": ""}))
    link = re.search(rf'href="(/caisse/fses/{fse.id}\?[^"]+)"', listing).group(1).replace("&amp;", "&")
    detail = body(agent.get(link))
    assert 'href="/caisse/fses?' in detail and "caisse=CCSS" in detail
    response = agent.post(f"/caisse/fses/{fse.id}/rejet?caisse=CCSS", data={"csrf_token": csrf_from(detail),
                                                                           "motif": REASON})
    assert "caisse=CCSS" in response.headers["Location"]


# --- Ordipostes ----------------------------------------------------------------------------

def test_paying_creates_the_ordiposte_by_the_agent_with_one_audit_row(practice):
    fses = practice.fses(3)
    db.session.commit()
    ordiposte = services.pay_in_ordiposte([f.id for f in fses], practice.today, agent_compte())
    db.session.commit()
    assert (ordiposte.cree_par_id, ordiposte.nombre_fse) == (agent_compte().id, 3)
    assert ordiposte.montant == sum((f.part_caisse for f in fses), Decimal("0"))
    assert {(f.statut, f.ordiposte_id, f.statut_change_par_id) for f in fses} == {("payee", ordiposte.id, agent_compte().id)}
    row, = audit_rows("caisse.ordiposte.creation")
    assert (row.compte_id, row.praticien_id, row.objet_id) == (agent_compte().id, fses[0].praticien_id, str(ordiposte.id))
    assert not audit_rows("ordiposte.creation")


def test_an_ordiposte_that_lost_the_race_writes_nothing(practice):
    first, second = practice.fse(), practice.fse()
    db.session.commit()
    fses = [db.session.get(Fse, first.id), db.session.get(Fse, second.id)]
    assert [f.statut for f in fses] == ["transmise", "transmise"]  # what this agent's request read
    # Another agent rejected `second` meanwhile: the objects read above still say transmise.
    db.session.execute(update(Fse).where(Fse.id == second.id)
                       .values(statut="rejetee", motif_rejet="Premier", statut_change_le=utcnow())
                       .execution_options(synchronize_session=False))
    with pytest.raises(OrdiposteError, match="vient d'être payée ou rejetée par ailleurs"):
        create_ordiposte(fses, practice.today, compte=agent_compte(), audit=False)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 0
    assert db.session.get(Fse, first.id).statut == "transmise"


def test_one_ordiposte_pays_one_praticien_and_one_caisse_and_a_page_at_most(practice):
    mine = practice.fse()
    dentist = practice.fse(identifiant="dentiste.demo", acts=(("NGAP", "C", "1|1|"),))
    not_hnp = practice.fse(hnp=False)
    db.session.commit()
    with pytest.raises(OrdiposteError, match="d'un seul praticien et d'une seule caisse"):
        services.pay_in_ordiposte([mine.id, dentist.id], practice.today, agent_compte())
    db.session.rollback()
    with pytest.raises(OrdiposteError, match="n'est pas une FSE HNP/RDD transmise"):
        services.pay_in_ordiposte([not_hnp.id], practice.today, agent_compte())
    db.session.rollback()
    with pytest.raises(OrdiposteError, match="introuvable"):
        services.pay_in_ordiposte([mine.id, 999999], practice.today, agent_compte())
    db.session.rollback()
    with pytest.raises(OrdiposteError, match="50 FSE au plus"):
        services.pay_in_ordiposte(list(range(1, 52)), practice.today, agent_compte())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 0


def test_the_agent_ticks_fse_creates_the_ordiposte_and_downloads_its_decompte(practice, agent, app, totp_clock):
    fses = [plain(f) for f in practice.fses(2)]
    db.session.commit()
    listing = body(agent.get("/caisse/fses", query_string={"statut": "transmise", "hnp": "oui"}))
    assert 'id="ordiposte-form"' in listing and f'name="fse" value="{fses[0].id}"' in listing
    assert f'name="date_paiement" type="date" value="{practice.today.isoformat()}"' in listing
    response = pay(agent, [f.id for f in fses], practice.today.isoformat())
    assert response.status_code == 303
    ordiposte = db.session.scalar(select(Ordiposte))
    assert response.headers["Location"].endswith(f"/caisse/ordipostes/{ordiposte.id}")
    page = body(agent.get(response.headers["Location"]))
    assert f"Ordiposte {ordiposte.reference} créé : 2 FSE payées." in page
    assert 'data-total="nombre">2<' in page and "Marie Cellario" in page
    for fse in fses:
        assert fse.accuse_reception in page
    pdf = agent.get(f"/caisse/ordipostes/{ordiposte.id}/decompte.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    row, = audit_rows("caisse.ordiposte.decompte")
    assert row.praticien_id == ordiposte.praticien_id
    # The list of FSE to pay no longer has them; the praticien sees the ordiposte and the FSE payée.
    assert 'data-count="0"' in body(agent.get("/caisse/fses", query_string={"statut": "transmise", "hnp": "oui"}))
    praticien = person(app, totp_clock, "medecin.demo")
    assert ordiposte.reference in body(praticien.get("/hnp"))
    assert "Payée" in body(praticien.get(f"/historique/{fses[0].id}"))
    assert agent.get("/caisse/ordipostes/999999").status_code == 404
    assert agent.get("/caisse/ordipostes/999999/decompte.pdf").status_code == 404


@pytest.mark.parametrize("ticked, date_paiement, name, message", [
    ([], "today", "fse", "Cochez au moins une FSE à payer."),
    (["abc"], "today", "fse", "Sélection invalide : rechargez la liste et cochez de nouveau les FSE."),
    (["one"], "tomorrow", "date_paiement", "La date de paiement ne peut pas être dans le futur."),
    (["one"], "", "date_paiement", "Indiquez la date de paiement."),
    (["one"], "32/01/2026", "date_paiement", "Date invalide : saisissez-la au format jj/mm/aaaa."),
])
def test_a_wrong_ordiposte_form_is_a_422_with_its_message(practice, agent, ticked, date_paiement, name, message):
    fse = plain(practice.fse())
    db.session.commit()
    days = {"today": practice.today.isoformat(), "tomorrow": (practice.today + timedelta(days=1)).isoformat()}
    response = pay(agent, [fse.id if t == "one" else t for t in ticked], days.get(date_paiement, date_paiement))
    assert response.status_code == 422
    assert field_error(body(response), name) == message
    if ticked == ["one"]:
        assert f'value="{fse.id}" id="fse-{fse.id}" checked' in body(response)  # the ticks kept
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 0


def test_mixed_praticiens_are_refused_with_a_message_and_nothing_written(practice, agent):
    mine = practice.fse()
    dentist = practice.fse(identifiant="dentiste.demo", acts=(("NGAP", "C", "1|1|"),))
    mine, dentist = plain(mine), plain(dentist)
    db.session.commit()
    response = pay(agent, [mine.id, dentist.id], practice.today.isoformat())
    assert response.status_code == 422
    assert "Un ordiposte paie les FSE d'un seul praticien et d'une seule caisse." in body(response)
    db.session.expire_all()
    assert {db.session.get(Fse, f.id).statut for f in (mine, dentist)} == {"transmise"}
    assert not audit_rows("caisse.ordiposte.creation")


def test_an_fse_paid_by_another_agent_first_is_not_paid_twice(practice, agent, app, totp_clock):
    fse = plain(practice.fse())
    db.session.commit()
    other = person(app, totp_clock, "agent.demo")
    first_page = body(agent.get("/caisse/fses", query_string={"statut": "transmise", "hnp": "oui"}))
    assert pay(other, [fse.id], practice.today.isoformat()).status_code == 303
    late = agent.post("/caisse/ordipostes", query_string={"statut": "transmise", "hnp": "oui"},
                      data={"csrf_token": csrf_from(first_page), "fse": [str(fse.id)],
                            "date_paiement": practice.today.isoformat()})
    assert late.status_code == 422 and "en attente de paiement" in body(late)
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 1


# --- The practice's deletion window: the caisse waits until 22:00 --------------------------

TO_PAY = {"statut": "transmise", "hnp": "oui"}


def test_before_22_00_an_fse_sent_today_is_neither_payable_nor_rejectable_and_the_praticien_deletes_it(
        practice, agent, clock, app, totp_clock):
    today_fse, older = plain(practice.fse(days_ago=0)), plain(practice.fse(days_ago=1, member=1))
    db.session.commit()
    clock(21, 59)
    listing = body(agent.get("/caisse/fses", query_string=TO_PAY))
    assert 'data-count="1"' in listing and "1 FSE HNP/RDD à payer" in listing
    assert f'name="fse" value="{older.id}"' in listing and f'name="fse" value="{today_fse.id}"' not in listing
    waiting = re.search(r'<section class="fses-supprimables".*?</section>', listing, re.S).group(0)
    assert today_fse.accuse_reception in waiting and older.accuse_reception not in waiting
    assert f'id="fse-{today_fse.id}" disabled' in waiting
    assert "supprimable par le praticien jusqu'à 22:00" in waiting
    # Its page says from when it can be rejected, instead of the form.
    day = practice.today.strftime("%d/%m/%Y")
    detail = body(agent.get(f"/caisse/fses/{today_fse.id}"))
    assert "Rejeter la FSE" not in detail and 'id="rejet-plus-tard"' in detail
    assert f"pourra être rejetée à partir du {day} à 22:00" in detail
    # A rejection posted anyway (a page drawn before, a forged form) changes nothing.
    response = reject(agent, today_fse.id)
    assert response.status_code == 303
    assert "Le praticien peut encore supprimer cette FSE jusqu'à 22:00" in body(agent.get(response.headers["Location"]))
    # So does an ordiposte with it ticked.
    paid = pay(agent, [today_fse.id], practice.today.isoformat())
    assert paid.status_code == 422
    assert f"FSE {today_fse.accuse_reception} : Le praticien peut encore supprimer cette FSE" in body(paid)
    assert f"pourra être payée à partir du {day} à 22:00" in body(paid)
    db.session.expire_all()
    assert db.session.get(Fse, today_fse.id).statut == "transmise"
    assert not audit_rows("caisse.fse.rejet") and not audit_rows("caisse.ordiposte.creation")
    # The praticien's « Supprimer » still works, as the seed promises.
    praticien = person(app, totp_clock, "medecin.demo")
    confirm = body(praticien.get(f"/historique/{today_fse.id}/supprimer"))
    deleted = praticien.post(f"/historique/{today_fse.id}/supprimer", data={"csrf_token": csrf_from(confirm)})
    assert deleted.status_code == 302
    db.session.expire_all()
    assert db.session.get(Fse, today_fse.id).statut == "supprimee"


def test_from_22_00_the_caisse_pays_and_rejects_the_fse_sent_today(practice, agent, clock):
    to_pay, to_reject = plain(practice.fse(days_ago=0)), plain(practice.fse(days_ago=0, member=1, hnp=False))
    db.session.commit()
    clock(22, 0)
    listing = body(agent.get("/caisse/fses", query_string=TO_PAY))
    assert f'name="fse" value="{to_pay.id}"' in listing and 'id="fses-supprimables"' not in listing
    detail = body(agent.get(f"/caisse/fses/{to_reject.id}"))
    assert "Rejeter la FSE" in detail and 'id="rejet-plus-tard"' not in detail
    assert reject(agent, to_reject.id).status_code == 303
    assert pay(agent, [to_pay.id], practice.today.isoformat()).status_code == 303
    db.session.expire_all()
    assert [db.session.get(Fse, f.id).statut for f in (to_pay, to_reject)] == ["payee", "rejetee"]


def test_the_conditional_updates_hold_the_window_themselves(practice, clock, monkeypatch):
    """The UPDATE's own condition on transmise_le refuses, even past a check in Python."""
    fse = practice.fse(days_ago=0)
    db.session.commit()
    at = clock(21, 59)
    with pytest.raises(services.RejectionError, match="peut encore supprimer cette FSE"):
        services.reject_fse(fse, REASON, agent_compte(), at=at)
    db.session.rollback()
    monkeypatch.setattr("app.hnp.services.processing_refusal", lambda *args, **kwargs: None)
    with pytest.raises(OrdiposteError, match="vient d'être payée ou rejetée par ailleurs"):
        create_ordiposte([fse], practice.today, compte=agent_compte(), audit=False, at=at)
    db.session.rollback()
    assert db.session.get(Fse, fse.id).statut == "transmise"
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 0


def test_a_payment_date_before_the_latest_transmission_is_a_422_with_the_ticks_kept(practice, agent):
    fses = [plain(practice.fse(days_ago=5)), plain(practice.fse(days_ago=3, member=1))]
    db.session.commit()
    sent = practice.today - timedelta(days=3)
    response = pay(agent, [f.id for f in fses], (sent - timedelta(days=1)).isoformat())
    assert response.status_code == 422
    assert field_error(body(response), "date_paiement") == (
        "La date de paiement ne peut pas précéder la transmission des FSE choisies : le "
        f"{sent.strftime('%d/%m/%Y')} au plus tôt.")
    for fse in fses:
        assert f'value="{fse.id}" id="fse-{fse.id}" checked' in body(response)
    assert db.session.scalar(select(func.count()).select_from(Ordiposte)) == 0
    # the service refuses it too
    with pytest.raises(OrdiposteError, match="ne peut pas précéder la transmission"):
        services.pay_in_ordiposte([f.id for f in fses], sent - timedelta(days=1), agent_compte())
    db.session.rollback()
    assert pay(agent, [f.id for f in fses], sent.isoformat()).status_code == 303


# --- The praticien's side: history and notice ----------------------------------------------

def notice_of(client):
    text = body(client.get("/fse"))
    match = re.search(r'<section class="panel rejection-notice".*?</section>', text, re.S)
    return match.group(0) if match else None


def acknowledge(client, **headers):
    notice = notice_of(client)
    until = re.search(r'name="jusqu_au" value="([^"]+)"', notice).group(1)
    return client.post("/fse/rejets-vus", data={"csrf_token": csrf_from(notice), "jusqu_au": until}, headers=headers)


def test_after_a_rejection_the_praticien_sees_the_notice_and_the_reason(practice, agent, app, totp_clock):
    fse = plain(practice.fse(days_ago=6))
    db.session.commit()
    praticien = person(app, totp_clock, "medecin.demo")
    assert notice_of(praticien) is None
    assert reject(agent, fse.id).status_code == 303
    notice = notice_of(praticien)
    assert "La caisse a rejeté 1 FSE" in notice
    for words in (REASON, fse.patient_nom, fse.date_soins.strftime("%d/%m/%Y"), f"/historique/{fse.id}",
                  "J'ai pris connaissance"):
        assert words in notice, words
    history = body(praticien.get("/historique"))
    assert "Rejetée" in history
    detail = body(praticien.get(f"/historique/{fse.id}"))
    assert "Motif du rejet :" in detail and REASON in detail


def test_each_account_acknowledges_for_itself(practice, agent, app, totp_clock):
    fse = plain(practice.fse())
    db.session.commit()
    assert reject(agent, fse.id).status_code == 303
    praticien = person(app, totp_clock, "medecin.demo")
    assistant = person(app, totp_clock, "assistant.demo", "Assistant-FSE-2026")
    assert notice_of(assistant) is not None
    response = acknowledge(assistant)
    assert response.status_code == 303 and response.headers["Location"].endswith("/fse")
    assert notice_of(assistant) is None
    assert "La caisse a rejeté 1 FSE" in notice_of(praticien)  # the assistant hid nothing from him
    assert acknowledge(praticien).status_code == 303
    assert notice_of(praticien) is None
    rows = audit_rows("fse.rejets_vus")
    assert len(rows) == 2 and {r.praticien_id for r in rows} == {fse.praticien_id}
    # a later rejection is news again, alone
    later = plain(practice.fse(days_ago=3))
    db.session.commit()
    assert reject(agent, later.id).status_code == 303
    notice = notice_of(praticien)
    assert "La caisse a rejeté 1 FSE" in notice and f"/historique/{later.id}" in notice
    assert f"/historique/{fse.id}\"" not in notice


def test_the_notice_stays_from_one_sign_in_to_the_next_until_acknowledged(practice, agent, app, totp_clock):
    fse = plain(practice.fse())
    db.session.commit()
    assert reject(agent, fse.id).status_code == 303
    first = person(app, totp_clock, "medecin.demo")
    assert notice_of(first) is not None
    AuthActions(first, totp_clock).logout()
    again = person(app, totp_clock, "medecin.demo")
    landing = again.get("/")
    assert notice_of(again) is not None
    assert landing.status_code == 200


def test_a_rejection_after_the_page_was_drawn_stays_news(practice, agent, app, totp_clock):
    first, second = plain(practice.fse()), plain(practice.fse())
    db.session.commit()
    assert reject(agent, first.id).status_code == 303
    praticien = person(app, totp_clock, "medecin.demo")
    notice = notice_of(praticien)
    assert reject(agent, second.id).status_code == 303  # while the notice is on the screen
    until = re.search(r'name="jusqu_au" value="([^"]+)"', notice).group(1)
    praticien.post("/fse/rejets-vus", data={"csrf_token": csrf_from(notice), "jusqu_au": until})
    remaining = notice_of(praticien)
    assert "La caisse a rejeté 1 FSE" in remaining and f"/historique/{second.id}" in remaining


def test_an_account_created_after_a_rejection_is_not_told_of_it(practice, app, totp_clock):
    fse = practice.fse()
    fse.statut, fse.motif_rejet = "rejetee", REASON
    fse.statut_change_le = utcnow() - timedelta(days=400)  # before every demo account existed
    db.session.commit()
    assert notice_of(person(app, totp_clock, "medecin.demo")) is None


def test_the_acknowledgement_with_htmx_removes_the_notice_in_place(practice, agent, app, totp_clock):
    fse = plain(practice.fse())
    db.session.commit()
    reject(agent, fse.id)
    praticien = person(app, totp_clock, "medecin.demo")
    response = acknowledge(praticien, **{"HX-Request": "true"})
    assert response.status_code == 200 and body(response) == ""
    assert notice_of(praticien) is None


def test_an_acknowledgement_needs_the_notice_s_instant(practice, app, totp_clock):
    praticien = person(app, totp_clock, "medecin.demo")
    token = csrf_from(body(praticien.get("/fse")))
    for value in (None, "", "hier", "2026-04-01T10:00:00"):  # the last: no time zone
        data = {"csrf_token": token} | ({"jusqu_au": value} if value is not None else {})
        assert praticien.post("/fse/rejets-vus", data=data).status_code == 400
    assert praticien.post("/fse/rejets-vus", data={"jusqu_au": utcnow().isoformat()}).status_code == 400  # no CSRF
    assert db.session.scalar(select(Compte.rejets_vus_le).where(Compte.identifiant == "medecin.demo")) is None


def test_the_back_office_is_the_agent_s_alone(practice, app, totp_clock):
    fse = plain(practice.fse())
    db.session.commit()
    for identifiant in ("conseil.demo", "medecin.demo"):
        client = person(app, totp_clock, identifiant)
        assert client.get("/caisse/fses").status_code == 403
        assert client.get(f"/caisse/fses/{fse.id}").status_code == 403
        token = csrf_from(body(client.get("/caisse" if identifiant == "conseil.demo" else "/fse")))
        assert client.post(f"/caisse/fses/{fse.id}/rejet", data={"csrf_token": token, "motif": REASON}).status_code == 403
        assert client.post("/caisse/ordipostes", data={"csrf_token": token, "fse": [str(fse.id)],
                                                       "date_paiement": practice.today.isoformat()}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Fse, fse.id).statut == "transmise"


def test_the_praticien_s_journal_shows_the_caisse_s_rejection_and_ordiposte(practice, agent, app, totp_clock):
    from app.demo.seed import DEMO_PRATICIENS

    rejected, paid = plain(practice.fse(hnp=False)), plain(practice.fse())
    db.session.commit()
    assert reject(agent, rejected.id).status_code == 303
    assert pay(agent, [paid.id], practice.today.isoformat()).status_code == 303
    client = app.test_client()
    actions = AuthActions(client, totp_clock)
    actions.login("medecin.demo")
    assert actions.reauthenticate(DEMO_PRATICIENS[0].totp_secret).status_code == 302
    journal = body(client.get("/profil/journal"))
    assert "FSE rejetée par la caisse" in journal and "Ordiposte créé par la caisse" in journal
    assert "la caisse" in journal and "Cellario" not in journal  # the agent stays anonymous to him
    assert REASON not in journal  # the reason is on the FSE's page, not in the trail

"""« Supprimer » an FSE transmitted today, before 22:00 Monaco time, on a frozen clock."""

from __future__ import annotations

from datetime import timedelta
import re
from html import unescape

import pytest
from sqlalchemy import select, update

from app.models import Fse, JournalAudit
from tests.history.conftest import compte, monaco

HX = {"HX-Request": "true"}


@pytest.fixture
def clock(monkeypatch):
    """Freeze the history's clock at a Monaco wall-clock time of the day."""
    def freeze(instant):
        monkeypatch.setattr("app.history.services.now", lambda: instant)
        return instant
    return freeze


def test_deleted_at_21_59(make_fse, medecin, clock, db):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 9, 30))
    at = clock(monaco(t, 21, 59))
    detail = medecin.client.get(f"/historique/{fse_id}").get_data(as_text=True)
    assert f'href="/historique/{fse_id}/supprimer"' in detail
    confirm = medecin.client.get(f"/historique/{fse_id}/supprimer")
    assert confirm.status_code == 200 and "suppression-confirmer" in confirm.get_data(as_text=True)
    response = medecin.post(f"/historique/{fse_id}/supprimer", {}, get_path=f"/historique/{fse_id}/supprimer")
    assert response.status_code == 302 and response.headers["Location"] == f"/historique/{fse_id}"
    db.session.expire_all()
    fse = db.session.get(Fse, fse_id)
    assert fse.statut == "supprimee" and fse.statut_change_le == at
    assert fse.statut_change_par_id == compte("medecin.demo").id and fse.version == 2
    audit = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "fse.suppression")).all()
    assert [(a.objet_type, a.objet_id, a.resultat) for a in audit] == [("fse", str(fse_id), "succes")]
    page = medecin.client.get(f"/historique/{fse_id}").get_data(as_text=True)
    assert "Supprimée" in page and "Supprimer cette FSE" not in page and "a été supprimée" in page
    again = medecin.post(f"/historique/{fse_id}/supprimer", {}, get_path=f"/historique/{fse_id}")
    assert again.status_code == 409 and "supprimée ne peut pas être supprimée" in again.get_data(as_text=True)


def test_an_assistant_deletes_for_his_praticien(make_fse, auth, clock, db):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    auth.login("assistant.demo", "Assistant-FSE-2026")
    response = auth.post(f"/historique/{fse_id}/supprimer", {}, get_path=f"/historique/{fse_id}/supprimer")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Fse, fse_id).statut_change_par_id == compte("assistant.demo").id


@pytest.mark.parametrize("when, sent_days_ago, reason", [
    ((22, 0), 0, "Il est plus de 22\u00a0h\u00a000"),
    ((23, 30), 0, "Il est plus de 22\u00a0h\u00a000"),
    ((9, 0), 1, "Seule une FSE transmise aujourd'hui peut être supprimée"),
])
def test_refused_at_22_00_and_for_an_earlier_day(make_fse, medecin, clock, db, when, sent_days_ago, reason):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t - timedelta(days=sent_days_ago), 8, 15))
    clock(monaco(t, *when))
    detail = unescape(medecin.client.get(f"/historique/{fse_id}").get_data(as_text=True))
    assert "Supprimer cette FSE" not in detail
    # The detail says why « Supprimer » is not offered, in one line.
    assert re.search(rf'id="suppression-impossible"><strong>Suppression impossible.</strong> {re.escape(reason)}',
                     detail)
    shown = unescape(medecin.client.get(f"/historique/{fse_id}/supprimer").get_data(as_text=True))
    assert reason in shown and "suppression-confirmer" not in shown
    forced = medecin.post(f"/historique/{fse_id}/supprimer", {}, get_path="/historique")
    assert forced.status_code == 409 and reason in unescape(forced.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Fse, fse_id).statut == "transmise"
    audit = db.session.scalars(select(JournalAudit).where(JournalAudit.action == "fse.suppression")).all()
    assert [(a.resultat, a.objet_id) for a in audit] == [("refus", str(fse_id))]


def test_two_tabs_cannot_both_delete(make_fse, medecin, clock, db, app):
    """The UPDATE only takes a row still transmise: a stale copy finds nothing to change."""
    from app.auth.sessions import Principal
    from app.history import services

    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    stale = db.session.get(Fse, fse_id)
    assert stale.statut == "transmise"
    db.session.execute(update(Fse).where(Fse.id == fse_id).values(statut="supprimee", statut_change_le=monaco(t, 9))
                       .execution_options(synchronize_session=False))
    principal = Principal(compte("medecin.demo"), None)
    with pytest.raises(services.HistoryError):
        services.delete_fse(principal, stale, monaco(t, 10))
    db.session.rollback()


def test_praticien_b_cannot_delete_as_404(make_fse, auth, clock):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    auth.login("dentiste.demo")
    assert auth.post(f"/historique/{fse_id}/supprimer", {}, get_path="/historique").status_code == 404


def test_delete_without_csrf_is_refused(make_fse, medecin, clock):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    assert medecin.client.post(f"/historique/{fse_id}/supprimer").status_code == 400


def test_the_reason_is_given_for_a_rejected_fse_and_not_repeated_for_a_deleted_one(make_fse, medecin, clock):
    t = make_fse.today
    rejected = make_fse(sent=monaco(t, 8), statut="rejetee", motif_rejet="Droits fermés",
                        statut_change_le=monaco(t, 9))
    deleted = make_fse(sent=monaco(t, 8), statut="supprimee", statut_change_le=monaco(t, 9))
    clock(monaco(t, 12))
    html = unescape(medecin.client.get(f"/historique/{rejected}").get_data(as_text=True))
    assert "Suppression impossible.</strong> Une FSE rejetée ne peut pas être supprimée." in html
    assert "suppression-impossible" not in medecin.client.get(f"/historique/{deleted}").get_data(as_text=True)


def test_the_confirmation_says_22_00_without_a_line_break(make_fse, medecin, clock):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    html = medecin.client.get(f"/historique/{fse_id}/supprimer").get_data(as_text=True)
    assert "avant 22\u00a0h\u00a000." in html and "22 h" not in html


def test_a_status_that_cannot_become_supprimee_is_refused_by_the_service(make_fse, monkeypatch, db):
    """delete_fse checks the transition itself, even if the 22:00 rule were to let it through."""
    from app.auth.sessions import Principal
    from app.history import services

    t = make_fse.today
    fse = db.session.get(Fse, make_fse(sent=monaco(t, 8), statut="rejetee", motif_rejet="Droits fermés",
                                       statut_change_le=monaco(t, 9)))
    monkeypatch.setattr(services, "deletion_refusal", lambda *args: None)
    with pytest.raises(services.HistoryError, match="rejetée ne peut pas être supprimée"):
        services.delete_fse(Principal(compte("medecin.demo"), None), fse, monaco(t, 10))
    db.session.rollback()


def test_the_page_of_the_list_is_kept_through_the_deletion(make_fse, medecin, clock):
    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    detail = medecin.client.get(f"/historique/{fse_id}?page=3").get_data(as_text=True)
    assert f'href="/historique/{fse_id}/supprimer?page=3"' in detail
    confirm = medecin.client.get(f"/historique/{fse_id}/supprimer?page=3").get_data(as_text=True)
    assert f'action="/historique/{fse_id}/supprimer?page=3"' in confirm
    done = medecin.post(f"/historique/{fse_id}/supprimer?page=3", {}, get_path=f"/historique/{fse_id}/supprimer")
    assert done.headers["Location"] == f"/historique/{fse_id}?page=3"


def test_an_expired_token_on_the_confirmation_deletes_nothing(make_fse, medecin, clock, app, db):
    from tests.fse.test_fse_fixes import fresh_token_in, stale_token

    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    medecin.client.get(f"/historique/{fse_id}/supprimer")
    stale = stale_token(medecin.client, app)
    response = medecin.client.post(f"/historique/{fse_id}/supprimer", data={"csrf_token": stale})
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    assert "Le formulaire a expiré : vérifiez votre saisie et validez à nouveau." in html
    assert "suppression-confirmer" in html
    token = fresh_token_in(html, stale)
    db.session.expire_all()
    assert db.session.get(Fse, fse_id).statut == "transmise"
    assert not db.session.scalars(select(JournalAudit).where(JournalAudit.action == "fse.suppression")).all()
    again = medecin.client.post(f"/historique/{fse_id}/supprimer", data={"csrf_token": token})
    assert again.status_code == 302


def test_an_expired_token_on_anothers_fse_is_a_plain_400(make_fse, auth, clock, app):
    from tests.fse.test_fse_fixes import stale_token

    t = make_fse.today
    fse_id = make_fse(sent=monaco(t, 8))
    clock(monaco(t, 12))
    auth.login("dentiste.demo")
    auth.client.get("/historique")
    response = auth.client.post(f"/historique/{fse_id}/supprimer", data={"csrf_token": stale_token(auth.client, app)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Le formulaire a expiré" not in html and "Supprimer la FSE" not in html

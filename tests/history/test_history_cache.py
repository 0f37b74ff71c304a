"""The history's totals, chart and page are kept per process for a state of the praticien's FSE
(app/history/cache.py): a second look costs no aggregate over his FSE, and every change of his
transmitted FSE — a transmission, a rejection by the caisse, a deletion, a payment — shows at once."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from app.caisse.fse_services import reject_fse
from app.extensions import db
from app.models import Compte, Praticien
from tests.conftest import counted_statements
from tests.history.conftest import monaco
from tests.history.test_history import count, summary


def aggregates(seen: list[str]) -> list[str]:
    return [s for s in seen if "sum(" in s.lower() or "count(" in s.lower()]


def token_of(identifiant: str) -> str | None:
    praticien_id = db.session.scalar(select(Compte.praticien_id).where(Compte.identifiant == identifiant))
    db.session.expire_all()
    return db.session.get(Praticien, praticien_id).jeton_historique


def test_a_second_look_reads_no_aggregate_and_a_transmission_shows_at_once(app, make_fse, medecin):
    make_fse(), make_fse(rang=2)
    assert count(medecin.client.get("/historique").get_data(as_text=True)) == 2
    with counted_statements(app) as seen:
        html = medecin.client.get("/historique").get_data(as_text=True)
    assert count(html) == 2 and not aggregates(seen), aggregates(seen)
    before = token_of("medecin.demo")
    make_fse(rang=3)  # a transmission replaces the token
    assert token_of("medecin.demo") != before
    assert count(medecin.client.get("/historique").get_data(as_text=True)) == 3


def test_a_rejection_by_the_caisse_shows_at_once(app, make_fse, medecin):
    fse_id = make_fse(sent=monaco(make_fse.today - timedelta(days=2)))
    make_fse()
    assert "rejetée" not in summary(medecin.client.get("/historique").get_data(as_text=True))
    agent = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    from app.models import Fse

    reject_fse(db.session.get(Fse, fse_id), "Droits fermés à la date des soins", agent)
    db.session.commit()
    assert "Dont 1 rejetée" in summary(medecin.client.get("/historique").get_data(as_text=True))


def test_a_praticien_never_touched_is_not_kept(app, db, demo_accounts, medecin):
    """Without a token (no FSE ever transmitted), nothing is kept: nothing could say it is stale."""
    assert token_of("medecin.demo") is None
    medecin.client.get("/historique")
    with counted_statements(app) as seen:
        medecin.client.get("/historique")
    assert aggregates(seen)


def test_an_export_after_the_history_reads_no_aggregate_and_no_scan_and_follows_a_transmission(app, make_fse, medecin):
    """The export shares the history's kept totals, and keeps the ids of a small selection: the FSE
    are then read by id. A transmission between two exports is in the second."""
    from tests.history.test_export import export, read_csv

    make_fse(), make_fse(rang=2)
    medecin.client.get("/historique")
    with counted_statements(app) as seen:
        first = read_csv(export(medecin).data)
    assert len(first) == 3 and not aggregates(seen), aggregates(seen)
    with counted_statements(app) as seen:
        assert read_csv(export(medecin).data) == first
    # No statement walks the selection in the list's order (the scan); the rows come by their ids.
    assert not [s for s in seen if "transmise_le DESC" in s.replace('"', "")], seen
    assert [s for s in seen if "fse.id IN" in s.replace('"', "")]
    make_fse(rang=3)
    assert len(read_csv(export(medecin).data)) == 4


def test_the_export_by_kept_ids_writes_the_same_csv_as_the_scan(app, make_fse, medecin):
    from app.history.export import csv_rows
    from app.history.services import HistoryFilters, now, selection_ids

    for rang in range(1, 5):
        make_fse(rang=rang)
    praticien = db.session.scalar(select(Praticien).join(Compte).where(Compte.identifiant == "medecin.demo"))
    at, filters = now(), HistoryFilters()
    ids = selection_ids(praticien.id, filters, at, praticien)
    assert len(ids) == 4
    scanned = "".join(csv_rows(praticien.id, filters, at, {}, "HNP"))
    by_ids = "".join(csv_rows(praticien.id, filters, at, {}, "HNP", ids))
    assert by_ids == scanned and scanned.count("\r\n") == 5


def row_of(page: str, fse_id: int) -> str:
    """The table's row of one FSE, alone (a status found further down belongs to another row)."""
    return re.search(rf'<tr data-fse="{fse_id}">.*?</tr>', page, re.S).group(0)


def drawn_and_kept(app, client, path="/historique", **kwargs) -> str:
    """The page with its table drawn, then kept (drawn once, then read): the same HTML each time."""
    from tests.fse.test_kept_fragments import both_ways

    return both_ways(app, lambda: client.get(path, **kwargs))


def test_the_table_is_kept_and_reads_no_fse_on_a_second_look(app, make_fse, medecin):
    make_fse(), make_fse(rang=2, acts=(("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1")))
    page = drawn_and_kept(app, medecin.client)
    assert count(page) == 2 and "DEQP003" in page
    with counted_statements(app) as seen:
        medecin.client.get("/historique")
    assert not [s for s in seen if "FROM fse" in s.replace('"', "") and "fse.id IN" in s.replace('"', "")], seen
    assert not [s for s in seen if "ligne_fse" in s.replace('"', "")], seen


def test_the_table_shows_a_rejection_and_a_new_name_at_once(app, make_fse, medecin):
    from app.models import Fse

    rejected = make_fse(sent=monaco(make_fse.today - timedelta(days=2)))
    by_assistant = make_fse(who="assistant.demo", rang=2)
    page = drawn_and_kept(app, medecin.client)
    assert "Rey" in page and "status-rejetee" not in page
    agent = db.session.scalar(select(Compte).where(Compte.identifiant == "agent.demo"))
    reject_fse(db.session.get(Fse, rejected), "Droits fermés à la date des soins", agent)
    db.session.commit()
    page = drawn_and_kept(app, medecin.client)
    assert "status-rejetee" in row_of(page, rejected)
    assistant = db.session.scalar(select(Compte).where(Compte.identifiant == "assistant.demo"))
    assistant.nom = "Rey-Médecin"  # a name changed: no FSE changed, the table shows it all the same
    db.session.commit()
    page = drawn_and_kept(app, medecin.client)
    assert "Rey-Médecin" in row_of(page, by_assistant)


def test_each_page_and_filter_has_its_own_table(app, make_fse, medecin, monkeypatch):
    from tests.history.test_history import filter_, rows

    monkeypatch.setattr("app.history.services.PAGE_SIZE", 2)
    ids = [make_fse(rang=rang, sent=monaco(make_fse.today - timedelta(days=rang))) for rang in (1, 2, 3, 4)]
    first = drawn_and_kept(app, medecin.client)
    second = drawn_and_kept(app, medecin.client, "/historique?page=2")
    assert rows(first) == ids[:2] and rows(second) == ids[2:]
    assert rows(drawn_and_kept(app, medecin.client, "/historique?page=2", headers={"HX-Request": "true"})) == ids[2:]
    filter_(medecin, montant_min="1000")
    assert rows(drawn_and_kept(app, medecin.client)) == []


def test_the_table_shows_a_deletion_and_a_payment_at_once(app, make_fse, medecin):
    """A deletion and an HNP payment change a row's status without changing the default view's totals
    for a payment: the table follows the history token all the same."""
    from types import SimpleNamespace

    from app.hnp.services import create_ordiposte
    from app.history.services import delete_fse
    from app.models import Fse

    sent = monaco(make_fse.today - timedelta(days=1), 10)
    deleted = make_fse(sent=sent)
    paid = make_fse(rang=2, hnp=True, sent=monaco(make_fse.today - timedelta(days=3), 10))
    page = drawn_and_kept(app, medecin.client)
    assert "status-supprimee" not in page and "status-payee" not in page
    medecin_compte = db.session.scalar(select(Compte).where(Compte.identifiant == "medecin.demo"))
    principal = SimpleNamespace(praticien_id=medecin_compte.praticien_id, compte=medecin_compte)
    delete_fse(principal, db.session.get(Fse, deleted), sent + timedelta(hours=1))
    db.session.commit()
    page = drawn_and_kept(app, medecin.client)
    assert "status-supprimee" in row_of(page, deleted) and "status-supprimee" not in row_of(page, paid)
    create_ordiposte([db.session.get(Fse, paid)], make_fse.today)
    db.session.commit()
    page = drawn_and_kept(app, medecin.client)
    assert "status-payee" in row_of(page, paid)

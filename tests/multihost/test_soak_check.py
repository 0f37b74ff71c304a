"""The check at the end of `make soak` (bench/soak.py, `compare`): what the tablets were told against
what the database holds. A soak that prints `0 lost, 0 duplicated` is only worth what this check
catches, so each way of going wrong is shown to be caught."""

from __future__ import annotations

import importlib.util
import sys
from decimal import Decimal
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def soak():
    """bench/soak.py as a module (it puts bench/ on the path for its own imports: taken off after,
    so that `bench.stack` stays the package's for the other tests)."""
    saved = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("fse_soak", BENCH / "soak.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = saved
    return module


def told(token, accuse, base="30.00", facture="30.00", caisse="24.00", patient="6.00", **extra):
    return {"event": "confirmed", "token": token, "accuse": accuse, "total_base": base, "total_facture": facture,
            "part_caisse": caisse, "part_patient": patient, **extra}


def stored(accuse, base="30.00", facture="30.00", caisse="24.00", patient="6.00"):
    return {"fse_id": 1, "statut": "transmise", "accuse": accuse, "total_base": Decimal(base),
            "total_facture": Decimal(facture), "part_caisse": Decimal(caisse), "part_patient": Decimal(patient)}


def sending(token):
    return {"event": "sending", "token": token, "user": "u", "version": "3"}


def test_what_the_tablets_were_told_and_the_database_agree(soak):
    events = [sending("t1"), told("t1", "CCSS-1"), sending("t2"), told("t2", "CAMTI-2", caisse="30.00", patient="0.00"),
              told("t2", "CAMTI-2", caisse="30.00", patient="0.00", reloaded=True)]  # a reload: the same accusé
    verdict = soak.compare(events, {"t1": stored("CCSS-1"), "t2": stored("CAMTI-2", caisse="30.00", patient="0.00")})
    assert verdict["told"] == verdict["stored"] == 2
    assert not any(verdict[name] for name in ("lost", "duplicated", "mismatched", "contradictions", "unresolved",
                                              "given_up_but_stored"))
    assert verdict["checksum_told"] == verdict["checksum_stored"]


def test_each_way_of_going_wrong_is_caught(soak):
    events = [told("lost", "CCSS-1"), told("other", "CCSS-2"), told("twice", "CCSS-3"), told("twice", "CCSS-4"),
              sending("silent"), {"event": "not_transmitted", "token": "refused", "user": "u"}]
    database = {"other": stored("CCSS-2", patient="6.01"), "twice": stored("CCSS-3"), "unknown": stored("CCSS-9"),
                "copy": stored("CCSS-3"), "refused": stored("CCSS-5")}
    verdict = soak.compare(events, database)
    assert verdict["lost"] == ["lost"]  # told, not in the database
    assert verdict["mismatched"] == ["other"]  # in the database with other amounts than shown
    assert verdict["contradictions"] == ["twice"]  # one token, two different accusés shown
    assert verdict["duplicated"] == ["copy", "refused", "unknown", "CCSS-3"]  # nobody told; an accusé twice
    assert verdict["unresolved"] == ["silent"]  # sent, never answered, never asked again
    assert verdict["given_up_but_stored"] == ["refused"]  # « not transmitted » on reload, yet there
    assert verdict["checksum_told"] != verdict["checksum_stored"]


def test_the_accuse_page_is_read_as_the_tablet_sees_it(soak):
    page = ('<dl class="totals"><div><dt>Tarif de base</dt><dd>1\u202f234,50\u00a0€</dd></div>'
            '<div><dt>Honoraires facturés</dt><dd>1\u202f234,50\u00a0€</dd></div>'
            '<div><dt>Dépassement</dt><dd>0,00\u00a0€</dd></div><div><dt>Part caisse</dt><dd>987,60\u00a0€</dd></div>'
            '<div><dt>Part patient</dt><dd>246,90\u00a0€</dd></div></dl>'
            '<p>accusé de réception n° <strong data-accuse>CCSS-20261123-4857630417</strong></p>')
    assert soak.read_accuse(page) == {"accuse": "CCSS-20261123-4857630417", "total_base": "1234.50",
                                      "total_facture": "1234.50", "part_caisse": "987.60", "part_patient": "246.90"}
    assert soak.read_accuse(page.replace("Part patient", "Reste")) is None  # an amount missing: unreadable

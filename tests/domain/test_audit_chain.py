"""The audit chain's hash and the check of a sequence of rows, without Flask or a database."""

import hashlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.domain.audit_chain import (
    CHAINED_FIELDS,
    GENESIS_HASH,
    ChainCheck,
    canonical_form,
    chain_hash,
    first_broken_numero,
)

START = datetime(2026, 3, 2, 8, 30, 0, tzinfo=UTC)


def make_row(numero: int, **overrides) -> dict:
    row = {
        "numero": numero, "horodatage": START + timedelta(seconds=numero), "compte_id": 7,
        "praticien_id": 3, "identifiant_saisi": None, "action": "connexion.mot_de_passe",
        "objet_type": None, "objet_id": None, "resultat": "succes", "ip": "192.0.2.10",
        "user_agent": "Mozilla/5.0", "details": None,
    }
    row.update(overrides)
    return row


def make_chain(count: int) -> list[dict]:
    rows, previous = [], GENESIS_HASH
    for numero in range(1, count + 1):
        row = make_row(numero)
        row["hash_precedent"], row["hash"] = previous, chain_hash(previous, row)
        previous = row["hash"]
        rows.append(row)
    return rows


def test_canonical_form_is_pinned():
    """Changing the serialisation would make every stored chain unverifiable: it must not drift."""
    row = make_row(1, details="code rejoué", horodatage=START)
    expected = ('{"action":"connexion.mot_de_passe","compte_id":7,"details":"code rejoué",'
                '"horodatage":"2026-03-02T08:30:00.000000+00:00","identifiant_saisi":null,"ip":"192.0.2.10",'
                '"numero":1,"objet_id":null,"objet_type":null,"praticien_id":3,"resultat":"succes",'
                '"user_agent":"Mozilla/5.0"}')
    assert canonical_form(row) == expected
    assert chain_hash(GENESIS_HASH, row) == hashlib.sha256((GENESIS_HASH + expected).encode()).hexdigest()


def test_hash_ignores_id_and_the_stored_hashes():
    row = make_row(1)
    assert chain_hash(GENESIS_HASH, row) == chain_hash(GENESIS_HASH, {**row, "id": 99, "hash": "x"})


def test_same_instant_in_another_time_zone_hashes_the_same():
    monaco = make_row(1, horodatage=START.astimezone(ZoneInfo("Europe/Monaco")))
    assert chain_hash(GENESIS_HASH, monaco) == chain_hash(GENESIS_HASH, make_row(1, horodatage=START))


def test_naive_instant_is_refused():
    with pytest.raises(ValueError, match="fuseau"):
        chain_hash(GENESIS_HASH, make_row(1, horodatage=datetime(2026, 3, 2, 8, 30)))


@pytest.mark.parametrize("field", CHAINED_FIELDS)
def test_every_chained_field_changes_the_hash(field):
    row = make_row(1)
    changed = {**row, field: START + timedelta(days=1) if field == "horodatage" else "autre"}
    assert chain_hash(GENESIS_HASH, changed) != chain_hash(GENESIS_HASH, row)


def test_previous_hash_changes_the_hash():
    row = make_row(1)
    assert chain_hash("f" * 64, row) != chain_hash(GENESIS_HASH, row)
    assert len(chain_hash(GENESIS_HASH, row)) == 64


def test_intact_chain_and_empty_chain_have_no_break():
    assert first_broken_numero(make_chain(5)) is None
    assert first_broken_numero([]) is None


def test_edited_row_is_named():
    rows = make_chain(5)
    rows[2]["resultat"] = "echec"
    assert first_broken_numero(rows) == 3


def test_edited_row_with_recomputed_hash_breaks_the_next_link():
    rows = make_chain(5)
    rows[2]["details"] = "réécrit"
    rows[2]["hash"] = chain_hash(rows[2]["hash_precedent"], rows[2])
    assert first_broken_numero(rows) == 4


def test_deleted_row_is_named():
    rows = make_chain(5)
    del rows[1]
    assert first_broken_numero(rows) == 2


def test_chain_must_start_at_one_from_the_genesis():
    assert first_broken_numero(make_chain(3)[1:]) == 1
    rows = make_chain(1)
    rows[0]["hash_precedent"] = "1" * 64
    assert first_broken_numero(rows) == 1


def test_check_keeps_count_reason_and_last_hash():
    rows = make_chain(4)
    check = ChainCheck()
    assert all(check.add(row) for row in rows)
    assert (check.checked, check.next_numero, check.previous_hash) == (4, 5, rows[-1]["hash"])
    rows[3]["hash_precedent"] = rows[1]["hash"]
    check = ChainCheck()
    for row in rows:
        check.add(row)
    assert (check.checked, check.broken_numero) == (3, 4)
    assert "chaînage" in check.reason
    assert check.add(make_row(5)) is False

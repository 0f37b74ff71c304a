"""SQLite writers queued in the portal (app/sqlite_gate.py): taken at a transaction's first write,
released by its commit or rollback, shared by threads and by processes, never held by a reader."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, event, text

from app import sqlite_gate
from app.sqlite_gate import GatedConnection, gate_for, is_write


@pytest.fixture
def engine(tmp_path):
    """An engine wired as the portal wires its SQLite one (app/__init__.py)."""
    path = tmp_path / "gate.sqlite3"
    made = create_engine(f"sqlite:///{path}", connect_args={"factory": GatedConnection})

    @event.listens_for(made, "connect")
    def connect(dbapi_connection, record):
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=5000")
        sqlite_gate.attach(dbapi_connection, str(path), 5000)

    with made.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
    yield made
    made.dispose()


def holding(connection) -> bool:
    return connection.connection.dbapi_connection.holding


@pytest.mark.parametrize("statement, writes", [
    ("INSERT INTO t VALUES (1)", True), ("  update t set who = 'x'", True), ("DELETE FROM t", True),
    ("REPLACE INTO t VALUES (1, 'x')", True), ("SELECT * FROM t", False), ("WITH x AS (SELECT 1) SELECT 1", False),
    ("PRAGMA foreign_keys", False), ("SAVEPOINT sa_1", False), ("insertion", True),
])
def test_what_counts_as_a_write_is_what_sqlite3_opens_a_transaction_for(statement, writes):
    # Python's sqlite3 (legacy transaction control) opens a transaction before these four words.
    assert is_write(statement) is writes


def test_the_gate_is_taken_at_the_first_write_and_released_by_commit_or_rollback(engine):
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM t"))
        assert not holding(connection)  # a reader never takes it
        connection.execute(text("INSERT INTO t VALUES (1, 'a')"))
        assert holding(connection)
        connection.execute(text("INSERT INTO t VALUES (2, 'a')"))  # the same transaction: taken once
        connection.commit()
        assert not holding(connection)
        connection.execute(text("UPDATE t SET who = 'b'"))
        assert holding(connection)
        connection.rollback()
        assert not holding(connection)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*), min(who) FROM t")).one() == (2, "a")


def test_a_second_writer_waits_for_the_first_to_commit_and_readers_do_not(engine):
    order: list[str] = []
    first_writing, second_started = threading.Event(), threading.Event()

    def second():
        with engine.connect() as connection:
            second_started.set()
            connection.execute(text("INSERT INTO t VALUES (2, 'second')"))
            order.append("second wrote")
            connection.commit()

    with engine.connect() as connection:
        connection.execute(text("INSERT INTO t VALUES (1, 'first')"))
        first_writing.set()
        thread = threading.Thread(target=second)
        thread.start()
        second_started.wait(5)
        time.sleep(0.2)
        with engine.connect() as reader:  # a reader is not queued behind the writer
            assert reader.execute(text("SELECT count(*) FROM t")).scalar() == 0
        order.append("first commits")
        connection.commit()
    thread.join(5)
    assert order == ["first commits", "second wrote"]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT who FROM t ORDER BY id")).scalars().all() == ["first", "second"]


def _hold_the_gate(path: str, ready, done) -> None:
    gate = gate_for(path)
    assert gate.acquire(5)
    ready.set()
    done.wait(10)
    gate.release()


def test_the_gate_is_shared_with_other_processes_and_gives_way_after_the_timeout(tmp_path):
    path = str(tmp_path / "other.sqlite3")
    context = multiprocessing.get_context("fork")
    ready, done = context.Event(), context.Event()
    other = context.Process(target=_hold_the_gate, args=(path, ready, done))
    other.start()
    try:
        assert ready.wait(10)
        gate = gate_for(path)
        started = time.monotonic()
        assert gate.acquire(0.3) is False  # the other process holds it: given up after the timeout
        assert 0.3 <= time.monotonic() - started < 2
        done.set()
        other.join(10)
        assert gate.acquire(2) is True  # released with the other process's hold
        gate.release()
    finally:
        done.set()
        other.join(10)


def test_a_writer_that_cannot_pass_in_time_goes_on_and_sqlite_still_protects_the_data(engine, tmp_path):
    with engine.connect() as first:
        first.execute(text("INSERT INTO t VALUES (1, 'first')"))
        second = engine.raw_connection()
        try:
            second.driver_connection.timeout_s = 0.1
            second.driver_connection.execute("PRAGMA busy_timeout=100")
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                cursor = second.cursor()
                # Through SQLAlchemy's hook: the gate is not taken in time, then SQLite's lock refuses.
                sqlite_gate.before_cursor_execute(_Fairy(second), cursor, "INSERT INTO t VALUES (2, 'x')", (),
                                                  None, False)
                assert not second.driver_connection.holding
                cursor.execute("INSERT INTO t VALUES (2, 'x')")
        finally:
            second.close()
        first.commit()


class _Fairy:
    def __init__(self, pooled):
        self.connection = pooled


def test_closing_a_connection_releases_its_gate(engine):
    raw = engine.raw_connection()
    raw.driver_connection.execute("INSERT INTO t VALUES (1, 'x')")  # not through the hook: no gate
    assert not raw.driver_connection.holding
    raw.driver_connection.before_write()
    assert raw.driver_connection.holding
    raw.driver_connection.close()
    assert not raw.driver_connection.holding
    gate = gate_for(raw.driver_connection.gate.path.removesuffix("-ecriture.lock"))
    assert gate.acquire(1)
    gate.release()


def test_the_portal_queues_its_sqlite_writers(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite seulement")
    with db.engine.connect() as connection:
        dbapi = connection.connection.dbapi_connection
        assert isinstance(dbapi, GatedConnection) and dbapi.gate is not None
        assert dbapi.gate.path.endswith("-ecriture.lock")
        # SQLite's own protection stays: the same busy timeout behind the gate.
        assert dbapi.timeout_s == app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000
    # No ping for a file (PostgreSQL keeps its pre-ping).
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_in_memory_databases_have_no_gate():
    connection = sqlite3.connect(":memory:", factory=GatedConnection)
    sqlite_gate.attach(connection, "", 5000)
    assert connection.gate is None
    connection.execute("CREATE TABLE t (id INTEGER)")
    connection.execute("INSERT INTO t VALUES (1)")
    connection.commit()
    connection.close()

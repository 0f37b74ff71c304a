"""SQLite: one writer at a time, queued in the portal rather than in SQLite's busy handler.

SQLite lets one transaction write at a time. A second writer waits in SQLite's busy handler, which
sleeps between tries: 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50 then 100 ms. Under a practice
network's load (16 tablets tapping over 2 gunicorn workers) the writer that was refused twice sleeps
on while the lock is long free: measured, a tap then waits up to 1.2 s (p95) for a write of a few
milliseconds, and the worker's thread sleeps instead of serving.

The gate queues the writers before SQLite sees them, per database file:

- in a process, a thread lock: one writing transaction per worker at a time;
- between processes (the workers, a `flask` command beside them), a `flock` on a file next to the
  database (`<database>-ecriture.lock`), tried every half millisecond to two milliseconds: a writer
  starts at most 2 ms after the previous one finished, and no waiting writer burns CPU;
- taken just before a transaction's first INSERT, UPDATE, DELETE or REPLACE (where Python's sqlite3
  opens the transaction and SQLite takes its write lock), released just after that transaction's
  commit or rollback, by the connection itself (`GatedConnection`, the sqlite3 connection factory):
  a read never waits for it.

A writer that cannot pass within the busy timeout (`FSE_SQLITE_BUSY_TIMEOUT_MS`, 5 s) goes on
without it: SQLite's own lock then still protects the data, and the busy timeout still ends in the
portal's « base occupée » page (SECURITY.md 28). A writer that dies drops its `flock` with its process.
PostgreSQL needs none of this: its row locks let writers of different rows proceed together.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

FIRST_POLL_S = 0.0005
MAX_POLL_S = 0.002
WRITING = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class WriteGate:
    """The writers' queue of one database file, for this process and the others."""

    def __init__(self, path: str):
        self.path = f"{path}-ecriture.lock"
        self._threads = threading.Lock()
        self._descriptor: int | None = None
        self._pid: int | None = None

    def _file(self) -> int:
        # A descriptor per process: one inherited through fork would share its flock with the parent.
        if self._pid != os.getpid():
            self._descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._descriptor

    def acquire(self, timeout: float) -> bool:
        """Wait for the gate at most `timeout` seconds; False when it did not open in time."""
        deadline = time.monotonic() + timeout
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            descriptor, pause = self._file(), FIRST_POLL_S
            while True:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return True
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        break
                    time.sleep(pause)
                    pause = min(pause * 2, MAX_POLL_S)
        except BaseException:
            self._threads.release()
            raise
        self._threads.release()
        return False

    def release(self) -> None:
        fcntl.flock(self._descriptor, fcntl.LOCK_UN)
        self._threads.release()


_gates: dict[str, WriteGate] = {}
_gates_lock = threading.Lock()


def gate_for(path: str) -> WriteGate:
    path = os.path.realpath(path)
    with _gates_lock:
        return _gates.setdefault(path, WriteGate(path))


class GatedConnection(sqlite3.Connection):
    """A sqlite3 connection that holds its database's gate from its first write to its commit or
    rollback (SQLAlchemy's `connect_args={"factory": GatedConnection}`, app/__init__.py)."""

    gate: WriteGate | None = None
    timeout_s: float = 5.0
    holding: bool = False

    def before_write(self) -> None:
        if self.gate is not None and not self.holding:
            self.holding = self.gate.acquire(self.timeout_s)

    def _let_go(self) -> None:
        if self.holding:
            self.holding = False
            self.gate.release()

    def _ending(self, end) -> None:
        """Commit or roll back, then let the gate go once no transaction is left open."""
        try:
            end()
        finally:
            if not self.in_transaction:
                self._let_go()

    def commit(self) -> None:
        self._ending(super().commit)

    def rollback(self) -> None:
        self._ending(super().rollback)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._let_go()


def is_write(statement: str) -> bool:
    """A statement before which Python's sqlite3 opens a transaction (its own rule)."""
    return statement.lstrip()[:7].upper().startswith(WRITING)


def attach(dbapi_connection, database: str | None, timeout_ms: int) -> None:
    """Give a new connection its file's gate (nothing for an in-memory database)."""
    if not isinstance(dbapi_connection, GatedConnection) or not database or database == ":memory:" \
            or database.startswith("file:"):
        return
    dbapi_connection.gate = gate_for(database)
    dbapi_connection.timeout_s = timeout_ms / 1000


def before_cursor_execute(conn, cursor, statement, parameters, context, executemany) -> None:
    """SQLAlchemy's hook: take the gate before a transaction's first write."""
    dbapi_connection = conn.connection.dbapi_connection
    if isinstance(dbapi_connection, GatedConnection) and not dbapi_connection.holding \
            and dbapi_connection.gate is not None and is_write(statement):
        dbapi_connection.before_write()

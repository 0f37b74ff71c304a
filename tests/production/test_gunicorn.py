"""app/gunicorn_conf.py: its values come from the environment, and a real gunicorn started with it
serves /sante, keeps serving beside a slow client, logs no query string, and refuses an unsafe
production configuration at once (preload)."""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import _state, make_app
from tests.production.settings import PRODUCTION_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SETTINGS_FROM_ENV = ("FSE_WORKERS", "FSE_THREADS", "FSE_BIND", "PORT", "FSE_TIMEOUT", "FSE_GRACEFUL_TIMEOUT",
                     "FSE_KEEPALIVE", "FSE_MAX_REQUESTS", "FSE_MAX_REQUESTS_JITTER", "FSE_PROXY_COUNT",
                     "FSE_FORWARDED_ALLOW_IPS", "FSE_ACCESS_LOG", "FSE_ERROR_LOG", "FSE_LOG_LEVEL",
                     "FSE_CONTROL_SOCKET")


def load_conf(monkeypatch, **environment):
    for name in SETTINGS_FROM_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    import app.gunicorn_conf as conf

    return importlib.reload(conf)


@pytest.fixture(autouse=True)
def _reload_conf_after(monkeypatch):
    yield
    monkeypatch.undo()
    import app.gunicorn_conf as conf

    importlib.reload(conf)


def test_defaults_suit_a_small_host_and_slow_tablets(monkeypatch):
    conf = load_conf(monkeypatch)
    assert conf.worker_class == "gthread" and (conf.workers, conf.threads) == (2, 4)
    assert conf.bind == ["127.0.0.1:5000"]
    assert conf.preload_app is True and callable(conf.post_fork)
    assert conf.timeout >= 30 and conf.graceful_timeout >= 10 and 5 <= conf.keepalive <= 75
    assert conf.max_requests > 0 and 0 < conf.max_requests_jitter < conf.max_requests
    assert conf.forwarded_allow_ips == ""  # no proxy: nobody may claim https
    assert conf.control_socket_disable is True
    # path without query string, no Referer (another page's full address)
    assert "%(U)s" in conf.access_log_format
    for leaky in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s"):
        assert leaky not in conf.access_log_format


def test_values_come_from_the_environment(monkeypatch):
    conf = load_conf(monkeypatch, FSE_WORKERS="3", FSE_THREADS="8", PORT="8123", FSE_TIMEOUT="90",
                     FSE_KEEPALIVE="5", FSE_MAX_REQUESTS="500", FSE_MAX_REQUESTS_JITTER="50", FSE_PROXY_COUNT="1")
    assert (conf.workers, conf.threads, conf.bind, conf.timeout, conf.keepalive) == (3, 8, ["127.0.0.1:8123"], 90, 5)
    assert (conf.max_requests, conf.max_requests_jitter) == (500, 50)
    assert conf.forwarded_allow_ips == "127.0.0.1,::1"
    conf = load_conf(monkeypatch, FSE_BIND="0.0.0.0:8000", PORT="8123", FSE_PROXY_COUNT="1",
                     FSE_FORWARDED_ALLOW_IPS="10.0.0.0/8")
    assert conf.bind == ["0.0.0.0:8000"] and conf.forwarded_allow_ips == "10.0.0.0/8"


def test_gunicorn_accepts_every_setting(monkeypatch):
    """gunicorn itself validates the module: a misspelt or invalid value fails here."""
    from gunicorn.config import Config

    conf = load_conf(monkeypatch, FSE_PROXY_COUNT="1")
    config = Config()
    for name, value in vars(conf).items():
        if name in config.settings:
            config.set(name, value)
    assert config.worker_class_str == "gthread" and config.threads == 4 and config.preload_app


def test_post_fork_gives_each_worker_a_fresh_pool(tmp_path):
    from sqlalchemy import text

    from app.extensions import db
    from app.gunicorn_conf import post_fork

    application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/preload.sqlite3")
    with application.app_context():
        with db.engine.connect() as connection:  # as if the master had queried while preloading
            connection.execute(text("SELECT 1"))
        inherited = db.engine.pool
        assert inherited.checkedin() == 1
    worker = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: application))
    post_fork(None, worker)
    with application.app_context():
        assert db.engine.pool is not inherited and db.engine.pool.checkedin() == 0


def test_the_master_warms_the_portal_before_forking(demo_accounts):
    """when_ready (in the master, before the fork): templates compiled, the day's reference data cached
    under the database's token, the long-lived objects frozen out of the collector's sight.

    On an app of its own, as gunicorn's master has: the warm-up ends by closing its engine's pool,
    which the run's app keeps for the tests that follow (they hold sessions of it)."""
    import gc

    from app.extensions import db
    from app.gunicorn_conf import when_ready
    from app.referentiel import cache

    app = make_app()
    cache.clear()
    before = gc.get_freeze_count()
    try:
        when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app)))
        templates = app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html"))
        assert len(app.jinja_env.cache) >= len(templates) > 50
        keys = {key for _, key in cache._entries}
        assert ("ccam",) in keys and any(key[0] == "regles" for key in keys)
        assert {key[1] for key in keys if key[0] == "options"} == {"NGAP", "MAJ", "MOD"}
        assert gc.get_freeze_count() > before
        with app.app_context():  # nothing left open in the master for the workers to share
            assert db.engine.pool.checkedout() == 0
    finally:
        gc.unfreeze()


def test_the_bench_ceiling_app_is_not_warmed(monkeypatch):
    """The bare route make bench runs under the same configuration has no database to read."""
    from flask import Flask

    from app import warmup
    from app.gunicorn_conf import when_ready

    called = []
    monkeypatch.setattr(warmup, "warm", lambda application: called.append(application))
    when_ready(SimpleNamespace(app=SimpleNamespace(wsgi=lambda: Flask("ceiling"))))
    assert called == []


def test_warm_up_skips_the_data_of_a_database_not_migrated(tmp_path):
    import gc

    from app.warmup import warm

    application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/empty.sqlite3")
    try:
        done = warm(application)
    finally:
        gc.unfreeze()
    assert done["templates"] > 50 and done["ccam_acts"] == 0


# --- A real gunicorn ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn -c python:app.gunicorn_conf wsgi:app, as `make run` starts it."""

    def __init__(self, tmp_path: Path, **environment: str):
        self.port = free_port()
        self.out, self.err = tmp_path / "gunicorn.out", tmp_path / "gunicorn.err"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("FSE_") and key not in ("PORT", "FLASK_DEBUG")}
        env.update({"PORT": str(self.port), "FSE_DATABASE_URL": f"sqlite:///{tmp_path}/portail.sqlite3",
                    "FSE_COOKIE_SECURE": "0", **environment})
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.process = subprocess.Popen([str(GUNICORN), "-c", "python:app.gunicorn_conf", "wsgi:app"],
                                            cwd=ROOT, env=env, stdout=out, stderr=err)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_ready(self, deadline: float = 30) -> None:
        end = time.monotonic() + deadline
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn s'est arrêté : {self.logs()}")
            try:
                with urllib.request.urlopen(self.url("/sante"), timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"gunicorn ne répond pas : {self.logs()}")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.logs()

    def logs(self) -> str:
        return self.out.read_text(errors="replace") + self.err.read_text(errors="replace")


@pytest.fixture
def server_factory(tmp_path):
    started = []

    def start(**environment):
        server = Server(tmp_path, **environment)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def get(url: str, timeout: float = 5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode(), response.headers


@pytest.mark.slow
def test_production_refusal_stops_gunicorn_at_once_with_its_message(server_factory):
    server = server_factory(**{**PRODUCTION_ENVIRONMENT, "FSE_COOKIE_SECURE": "0"})
    assert server.process.wait(timeout=60) != 0
    logs = server.logs()
    assert "FSE_ENV=production : les cookies doivent être « Secure » : définissez FSE_COOKIE_SECURE=1" in logs
    assert "Booting worker" not in logs  # refused in the master, before any worker


@pytest.mark.slow
def test_production_gunicorn_serves_beside_a_slow_client_and_logs_no_query(server_factory, tmp_path):
    """On the run's database server (PostgreSQL in make test-postgres: the workers' pools after the
    fork); with SQLite, on a copy of the run's file (SQLite's backup API): a gunicorn process on the
    very file the test process keeps open left SQLite « disk I/O error » in later tests of the same
    worker, about one run in two (the file's WAL index gone under the test's own connections)."""
    url = _state["url"]
    if url.startswith("sqlite"):
        import sqlite3
        from contextlib import closing

        copy = tmp_path / "copie.sqlite3"
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as source, \
                closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        url = f"sqlite:///{copy}"
    # One worker: were it a sync worker, the slow tablet below would hold it and /sante would wait.
    server = server_factory(**PRODUCTION_ENVIRONMENT, FSE_DATABASE_URL=url, FSE_WORKERS="1", FSE_THREADS="4")
    server.wait_ready()
    with socket.create_connection(("127.0.0.1", server.port)) as slow:
        slow.sendall(b"GET /sante HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # headers never finished
        time.sleep(0.3)
        started = time.monotonic()
        status, body, headers = get(server.url("/sante?matricule=654321&code=A9B8"), timeout=3)
        assert (status, body) == (200, "ok") and time.monotonic() - started < 2
    assert headers["Strict-Transport-Security"].startswith("max-age=")  # production
    logs = server.stop()
    assert "Using worker: gthread" in logs
    assert '"GET /sante HTTP/1.1" 200' in logs
    assert "654321" not in logs and "A9B8" not in logs and "matricule" not in logs

"""Shared fixtures: one migrated database per run (SQLite, or PostgreSQL with FSE_TEST_POSTGRES=1),
the reference data loaded once, every other table emptied after each test; app, client, runner,
a live server and Playwright on the system Chromium."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient
from sqlalchemy import delete, event

from app import create_app
from app.config import TestConfig
from app.extensions import db as _db
from app.referentiel.cache import bump

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
REFERENCE_TABLES = {"acte_ccam", "code_ngap", "nature_etm", "tarif", "regle_couleur",
                    "parametre_convention", "import_referentiel", "alembic_version", "version_referentiel"}

_state: dict = {}


def pytest_configure(config):
    """Choose the database of the run; start a throwaway PostgreSQL when asked to."""
    if os.environ.get("FSE_TEST_POSTGRES") == "1":
        from tests import pg_server

        server = pg_server.start()
        _state["pg"] = server
        _state["url"] = server.url
    else:
        folder = tempfile.mkdtemp(prefix="fse-test-")
        _state["tmp"] = folder
        _state["url"] = f"sqlite:///{folder}/fse-test.sqlite3"


def pytest_unconfigure(config):
    if "pg" in _state:
        _state.pop("pg").stop()
    if "tmp" in _state:
        shutil.rmtree(_state.pop("tmp"), ignore_errors=True)


def pytest_report_header(config):
    url = _state.get("url", "")
    return f"base de test : {'PostgreSQL (serveur jetable)' if url.startswith('postgresql') else 'SQLite'}"


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production, even while the test holds
    one for its own queries: otherwise `g` (the cached CSRF token, the loaded user) would leak from
    one request to the next."""

    def open(self, *args, **kwargs):
        held = []
        while (ctx := _cv_app.get(None)) is not None:
            ctx.pop()
            held.append(ctx)
        try:
            return super().open(*args, **kwargs)
        finally:
            for ctx in reversed(held):
                ctx.push()


def make_app(**overrides):
    """A portal app on the run's database, with TestConfig and the given settings."""
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update({"SQLALCHEMY_DATABASE_URI": _state["url"], **overrides})  # another database may be given
    application = create_app(settings)
    application.test_client_class = IsolatedClient
    return application


@pytest.fixture(scope="session")
def app():
    """The app of the run: schema built by the migrations, reference data imported once."""
    from flask_migrate import upgrade

    from app.referentiel.importer import import_referentiel

    application = make_app()
    with application.app_context():
        upgrade()
        import_referentiel(_db.session)
        _db.session.commit()
    return application


@pytest.fixture(autouse=True)
def _clean_database(request):
    """After each test that used the database, empty every table but the reference data."""
    yield
    if "app" not in request.fixturenames:
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        _db.session.rollback()
        for table in reversed(_db.metadata.sorted_tables):
            if table.name not in REFERENCE_TABLES:
                _db.session.execute(delete(table))
        # The dated colour rules are gone, a test may have changed reference rows by hand: every
        # process cache of tariffs and rules (app/referentiel/cache.py) starts again.
        bump(_db.session)
        _db.session.commit()
        _db.session.remove()


@pytest.fixture
def app_ctx(app):
    """An application context for tests that use the session directly."""
    with app.app_context():
        yield app
        _db.session.rollback()
        _db.session.remove()


@pytest.fixture
def db(app_ctx):
    """The SQLAlchemy extension, inside an application context."""
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- Browser tests: a live server and Playwright driving Debian's Chromium -------------------

@pytest.fixture(scope="session")
def live_server(app):
    """The app served on a free loopback port in a thread, for the browser tests."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def system_tool(*names: str, package: str, purpose: str) -> str:
    """The path of a program from Debian's packages; missing, the test is skipped, or fails under
    CI=true (make test installs it when run as root), so CI never passes without running it."""
    for name in names:
        if path := shutil.which(name):
            return path
    message = (f"{names[0]} introuvable : installez le paquet Debian « {package} » (make test l'installe "
               f"quand vous êtes root). {purpose}")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path():
    """The system Chromium for the browser tests."""
    return system_tool("chromium", "chromium-browser", package="chromium",
                       purpose="Les tests navigateur ne sont pas exécutés.")


@pytest.fixture(scope="session")
def poppler():
    """pdftotext, pdffonts and pdftoppm, to read the PDFs the portal makes."""
    return system_tool("pdftotext", package="poppler-utils", purpose="Les tests des PDF ne sont pas exécutés.")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, chromium_path):
    """Launch Debian's Chromium (never a downloaded browser), without background networking."""
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 "--lang=fr-FR"],  # date fields in jj/mm/aaaa, as on a tablet set in French
    }


@pytest.fixture
def screenshot_dir():
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# --- Accounts, codes and sign-in -------------------------------------------------------------

@pytest.fixture
def demo_accounts(app_ctx):
    """The demo praticiens, nouveau.demo and assistant.demo (no registry)."""
    from app.demo.seed import seed_demo

    seed_demo(_db.session, "test", date(2026, 11, 22), count=0)
    _db.session.commit()


class TotpClock:
    """The clock of code checks, moved by whole 30 s steps so that every code is fresh."""

    def __init__(self):
        import time

        self.now = float(int(time.time()) // 30 * 30 + 1)

    def __call__(self) -> float:
        return self.now

    def code(self, secret: str, advance: bool = True) -> str:
        """The code of the next step (or of the current one), as the phone would show it."""
        from app.domain.totp import code_at, time_step

        if advance:
            self.now += 30
        return code_at(secret, time_step(self.now))


@pytest.fixture
def totp_clock(monkeypatch):
    clock = TotpClock()
    monkeypatch.setattr("app.auth.devices.now_unix", clock)
    return clock


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "pas de jeton CSRF dans la page"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real pages, CSRF included (flaskr's `auth` helper)."""

    def __init__(self, client, clock):
        self.client, self.clock = client, clock

    def post(self, path, data, get_path=None, **kwargs):
        page = self.client.get(get_path or path)
        return self.client.post(path, data={**data, "csrf_token": csrf_from(page.get_data(as_text=True))}, **kwargs)

    def password(self, identifiant, mot_de_passe="Demo-FSE-2026", **extra):
        return self.post("/connexion", {"identifiant": identifiant, "mot_de_passe": mot_de_passe, **extra})

    def code(self, code):
        return self.post("/connexion/code", {"code": code})

    def login(self, identifiant="medecin.demo", mot_de_passe="Demo-FSE-2026", secret=None):
        from app.demo.seed import ASSISTANT_SECRET, DEMO_PRATICIENS, DEMO_STAFF

        secrets_by_id = {d.identifiant: d.totp_secret for d in DEMO_PRATICIENS}
        secrets_by_id["assistant.demo"] = ASSISTANT_SECRET
        secrets_by_id.update({identifiant: secret for identifiant, *_, secret in DEMO_STAFF})
        response = self.password(identifiant, mot_de_passe)
        assert response.status_code == 302, response.get_data(as_text=True)
        if response.headers["Location"].endswith("/connexion/code"):
            response = self.code(self.clock.code(secret or secrets_by_id[identifiant]))
            assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def reauthenticate(self, secret, mot_de_passe="Demo-FSE-2026"):
        return self.post("/profil/confirmation", {"mot_de_passe": mot_de_passe, "code": self.clock.code(secret)})

    def logout(self):
        return self.post("/deconnexion", {}, get_path="/profil")


@pytest.fixture
def auth(client, totp_clock, demo_accounts):
    return AuthActions(client, totp_clock)


@contextmanager
def counted_statements(app):
    """The SQL statements sent to the database inside the block, as the engine sends them."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = _db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)

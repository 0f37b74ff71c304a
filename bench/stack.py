"""What the load scripts share (`make bench`, `make soak`, the two-server test): a database filled to
the bench's size, gunicorn servers on 127.0.0.1 started and stopped for a run, signed-in sessions.

Not used by the portal itself. Everything runs on the loopback interface and stops by itself.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEMO_PASSWORD = "Demo-FSE-2026"
BENCH_ASSISTANT = "bench.assistant.{:02d}"  # the extra signed-in sessions of medecin.demo
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    """A free port on 127.0.0.1 (the test suite's throwaway PostgreSQL finds its own the same way)."""
    from tests.pg_server import _free_port

    return _free_port()


# --- the database -------------------------------------------------------------------------------

@dataclass
class Account:
    """A signed-in person of the bench: identifiant, password and TOTP secret (base32)."""

    identifiant: str
    password: str
    secret: str


def bench_settings(url: str) -> dict:
    """The portal's configuration for a bench database (production-like: CSRF on, real hashing off)."""
    from app.config import TestConfig

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, TESTING=False, FSE_ENV="bench")
    return settings


def prepare_database(url: str, households: int = 100_000, fses: int = 50_000, sessions: int = 16,
                     practice: bool = True) -> list[Account]:
    """Migrate `url`, load the real reference data, the demo accounts and `households` demo
    households, a year of demo practice, `fses` transmitted FSE of medecin.demo, and enough
    assistants of medecin.demo for `sessions` signed-in sessions (each person has his own draft).
    Returns the accounts to sign in with, medecin.demo first."""
    from app import create_app

    app = create_app(bench_settings(url))
    with app.app_context():
        from flask_migrate import upgrade

        from app.demo.practice import seed_practice
        from app.demo.seed import DEMO_PRATICIENS, seed_demo
        from app.domain.calendar import today_in_monaco
        from app.extensions import db
        from app.models.types import utcnow
        from app.referentiel.importer import import_referentiel

        upgrade()
        import_referentiel(db.session)
        seed_demo(db.session, "bench", today_in_monaco(), count=households)
        db.session.flush()
        if practice:
            seed_practice(db.session, today_in_monaco(), utcnow())
        db.session.commit()
        if fses:
            sys.path.insert(0, str(ROOT / "tests" / "bench"))
            from history_bench import seed as seed_history

            seed_history(db, fses)
        accounts = [Account("medecin.demo", DEMO_PASSWORD, DEMO_PRATICIENS[0].totp_secret)]
        accounts += add_assistants(db, sessions - 1)
        db.session.commit()
        db.engine.dispose()
    return accounts


def add_assistants(db, count: int) -> list[Account]:
    """`count` assistants of medecin.demo, valid from 2026-01-01, each with a TOTP device."""
    from datetime import UTC, date, datetime

    import pyotp
    from sqlalchemy import select

    from app.models import AppareilTotp, Compte
    from app.security.crypto import encrypt_secret
    from app.security.passwords import hash_password

    medecin = db.session.scalar(select(Compte).where(Compte.identifiant == "medecin.demo"))
    password_hash = hash_password(DEMO_PASSWORD)
    accounts = []
    for index in range(1, count + 1):
        identifiant = BENCH_ASSISTANT.format(index)
        secret = pyotp.random_base32()
        compte = db.session.scalar(select(Compte).where(Compte.identifiant == identifiant))
        if compte is None:
            compte = Compte(identifiant=identifiant, password_hash=password_hash, role="assistant",
                            praticien_id=medecin.praticien_id, nom=f"Banc{index:02d}", prenom="Essai",
                            valide_du=date(2026, 1, 1), valide_au=None)
            db.session.add(compte)
        compte.appareil = AppareilTotp(secret_chiffre=encrypt_secret(secret), active_le=datetime.now(UTC),
                                       dernier_pas=0)
        accounts.append(Account(identifiant, DEMO_PASSWORD, secret))
    db.session.flush()
    return accounts


def save_accounts(accounts: list[Account], path: Path) -> None:
    path.write_text(json.dumps([a.__dict__ for a in accounts]))


def load_accounts(path: Path) -> list[Account]:
    return [Account(**a) for a in json.loads(path.read_text())]


# --- servers ------------------------------------------------------------------------------------

def gunicorn_command(port: int, workers: int | None = None, threads: int | None = None,
                     app: str = "wsgi:app") -> list[str]:
    """gunicorn as `make run` starts it (app/gunicorn_conf.py when present), bound to 127.0.0.1:port."""
    command = [str(VENV_BIN / "gunicorn")]
    if (ROOT / "app" / "gunicorn_conf.py").exists():
        command += ["-c", "python:app.gunicorn_conf"]
    command += ["--bind", f"127.0.0.1:{port}"]
    if workers is not None:
        command += ["--workers", str(workers)]
    if threads is not None:
        command += ["--threads", str(threads)]
    return [*command, app]


@dataclass
class Server:
    """A gunicorn master serving the portal (or another WSGI app) on 127.0.0.1."""

    port: int
    env: dict
    workers: int | None = None
    threads: int | None = None
    app: str = "wsgi:app"
    log: Path | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait_path: str = "/sante", timeout: float = 30) -> "Server":
        output = open(self.log, "ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(gunicorn_command(self.port, self.workers, self.threads, self.app),
                                        cwd=ROOT, env={**os.environ, **self.env}, stdout=output,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        wait_until_up(self.url + wait_path, timeout, self.process)
        return self

    def worker_pids(self) -> list[int]:
        """The pids of the master's workers (children)."""
        found = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def wait_until_up(url: str, timeout: float, process: subprocess.Popen | None = None) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"le serveur s'est arrêté au démarrage (code {process.returncode})")
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} ne répond pas après {timeout} s")


def server_env(url: str, **extra: str) -> dict:
    """The environment of a bench server: the bench database, local http cookies."""
    return {"FSE_DATABASE_URL": url, "FSE_COOKIE_SECURE": "0", "FSE_ENV": "bench",
            "FSE_ARGON2_TIME_COST": "1", "FSE_ARGON2_MEMORY_KIB": "1024", "FSE_ARGON2_PARALLELISM": "1",
            **extra}


@contextmanager
def servers(*servers_: Server):
    """Start the servers, stop them whatever happens."""
    try:
        for server in servers_:
            server.start()
        yield servers_
    finally:
        for server in servers_:
            server.stop()


@contextmanager
def throwaway_postgres():
    """A throwaway PostgreSQL server (tests/pg_server.py); yields it (`.url`), stops it after."""
    sys.path.insert(0, str(ROOT))
    from tests.pg_server import start

    server = start()
    try:
        yield server
    finally:
        server.stop()


# --- signed-in sessions -------------------------------------------------------------------------

@dataclass
class SignedIn:
    """A requests session signed in with its second factor, and its CSRF token."""

    http: object
    csrf: str
    base_url: str

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def post(self, path: str, data: dict | None = None, htmx: bool = True, **kwargs):
        headers = {"X-CSRFToken": self.csrf, **({"HX-Request": "true"} if htmx else {})}
        return self.http.post(self.base_url + path, data=data or {}, headers=headers, allow_redirects=False,
                              **kwargs)

    def get(self, path: str, htmx: bool = False, **kwargs):
        headers = {"HX-Request": "true"} if htmx else {}
        return self.http.get(self.base_url + path, headers=headers, allow_redirects=False, **kwargs)


def sign_in(base_url: str, account: Account, attempts: int = 3) -> SignedIn:
    """Sign in through the real pages: password, then the current TOTP code (a code already used by
    this account waits for the next 30-second step: a code is accepted once)."""
    import pyotp
    import requests

    http = requests.Session()
    page = http.get(f"{base_url}/connexion")
    token = CSRF.search(page.text).group(1)
    answer = http.post(f"{base_url}/connexion", data={"identifiant": account.identifiant,
                                                      "mot_de_passe": account.password, "csrf_token": token})
    if "/connexion/code" not in answer.url:
        raise RuntimeError(f"{account.identifiant} : mot de passe refusé ({answer.status_code})")
    for _ in range(attempts):
        token = CSRF.search(answer.text).group(1)
        done = http.post(f"{base_url}/connexion/code", data={"code": pyotp.TOTP(account.secret).now(),
                                                            "csrf_token": token})
        if "/connexion" not in done.url:
            page = http.get(f"{base_url}/fse")
            return SignedIn(http, CSRF.search(page.text).group(1), base_url)
        answer = done
        time.sleep(31 - time.time() % 30)
    raise RuntimeError(f"{account.identifiant} : code TOTP refusé")


def new_token() -> str:
    return secrets.token_hex(8)

"""Configuration read from environment variables, with safe defaults for the embedded demo."""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"

# Development-only defaults. create_app() refuses them when FSE_ENV=production.
DEV_SECRET_KEY = "dev-only-secret-key-not-for-production"
DEV_ENCRYPTION_KEY = "ZGV2LW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # base64 of a public 32-byte string


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def default_database_url() -> str:
    """SQLite file under instance/ unless FSE_DATABASE_URL says otherwise."""
    return os.environ.get("FSE_DATABASE_URL") or f"sqlite:///{INSTANCE_DIR / 'fse.sqlite3'}"


class Config:
    """Settings for a running portal; every value can come from the environment."""

    FSE_ENV = os.environ.get("FSE_ENV", "development")
    SECRET_KEY = os.environ.get("FSE_SECRET_KEY", DEV_SECRET_KEY)
    FSE_ENCRYPTION_KEYS = os.environ.get("FSE_ENCRYPTION_KEY", DEV_ENCRYPTION_KEY)
    SQLALCHEMY_DATABASE_URI = default_database_url()
    # PostgreSQL: a connection the server dropped (a restart) is noticed at checkout, not by a
    # request. SQLite (a file) has nothing to ping: app/__init__.py leaves it out there.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLITE_BUSY_TIMEOUT_MS = _int("FSE_SQLITE_BUSY_TIMEOUT_MS", 5000)
    # SQLite: writers queued in the portal before SQLite's busy handler (app/sqlite_gate.py).
    SQLITE_WRITE_GATE = _bool("FSE_SQLITE_WRITE_GATE", True)

    # Sessions and cookies (SECURITY.md 11-13).
    SESSION_COOKIE_NAME = "fse_session"
    SESSION_COOKIE_SECURE = _bool("FSE_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    FSE_IDLE_TIMEOUT = timedelta(minutes=_int("FSE_IDLE_TIMEOUT_MINUTES", 15))
    FSE_ABSOLUTE_TIMEOUT = timedelta(hours=_int("FSE_ABSOLUTE_TIMEOUT_HOURS", 12))
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # Two-factor authentication becomes mandatory for everyone on this date (Europe/Monaco).
    FSE_TOTP_MANDATORY_FROM = date.fromisoformat(os.environ.get("FSE_2FA_MANDATORY_FROM", "2027-01-01"))

    # Password hashing: argon2id, RFC 9106 "second recommended" profile (64 MiB, t=3, p=4).
    ARGON2_TIME_COST = _int("FSE_ARGON2_TIME_COST", 3)
    ARGON2_MEMORY_COST_KIB = _int("FSE_ARGON2_MEMORY_KIB", 65536)
    ARGON2_PARALLELISM = _int("FSE_ARGON2_PARALLELISM", 4)

    # Public address of the portal, for the activation links printed by `flask praticien create`.
    FSE_BASE_URL = os.environ.get("FSE_BASE_URL", "http://127.0.0.1:5000")
    # Number of reverse proxies in front of the portal (nginx, a load balancer): their
    # X-Forwarded-For/-Proto give the client's address for the audit trail and https for HSTS.
    FSE_PROXY_COUNT = _int("FSE_PROXY_COUNT", 0)
    # A prescription d'IT must reach the caisse within 48 hours: its start may be at most this many
    # days before the day it is written (app/domain/formulaires.py).
    FSE_IT_RETRO_JOURS = _int("FSE_IT_RETRO_JOURS", 2)
    WTF_CSRF_TIME_LIMIT = 12 * 3600
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    JSON_AS_ASCII = False


class TestConfig(Config):
    """Settings for the test suite: light hashing, local http cookies."""

    TESTING = True
    FSE_ENV = "test"
    SECRET_KEY = "test-secret-key"
    FSE_ENCRYPTION_KEYS = DEV_ENCRYPTION_KEY
    SESSION_COOKIE_SECURE = False
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST_KIB = 1024
    ARGON2_PARALLELISM = 1

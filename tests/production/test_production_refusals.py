"""FSE_ENV=production refuses every development default, naming what to set (app/__init__.py)."""

from __future__ import annotations

import pytest

from app.config import DEV_ENCRYPTION_KEY, DEV_SECRET_KEY
from tests.conftest import make_app
from tests.production.settings import PRODUCTION_ENCRYPTION_KEY, PRODUCTION_SETTINGS


def production(**changes):
    return make_app(**{**PRODUCTION_SETTINGS, **changes})


def test_a_correct_production_configuration_starts():
    application = production()
    assert application.config["FSE_ENV"] == "production" and application.config["SESSION_COOKIE_SECURE"]


@pytest.mark.parametrize("uri", ["sqlite:////var/lib/portail-fse/fse.sqlite3",
                                 "postgresql+psycopg://fse:motdepasse@127.0.0.1:5432/fse"])
def test_sqlite_on_one_host_and_postgresql_are_both_allowed(uri):
    production(SQLALCHEMY_DATABASE_URI=uri)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"SECRET_KEY": DEV_SECRET_KEY}, "définissez FSE_SECRET_KEY"),
        ({"SECRET_KEY": "trop-courte"}, "32 caractères au moins"),
        ({"FSE_ENCRYPTION_KEYS": DEV_ENCRYPTION_KEY}, "définissez FSE_ENCRYPTION_KEY"),
        ({"FSE_ENCRYPTION_KEYS": f"{PRODUCTION_ENCRYPTION_KEY},{DEV_ENCRYPTION_KEY}"}, "définissez FSE_ENCRYPTION_KEY"),
        ({"SESSION_COOKIE_SECURE": False}, "définissez FSE_COOKIE_SECURE=1"),
        ({"FSE_BASE_URL": "http://127.0.0.1:5000"}, "FSE_BASE_URL, l'adresse publique du portail en https"),
        ({"DEBUG": True}, "retirez FLASK_DEBUG"),
        ({"ARGON2_MEMORY_COST_KIB": 1024}, "paramètres argon2id trop faibles"),
        ({"ARGON2_TIME_COST": 1}, "paramètres argon2id trop faibles"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, "une base SQLite en mémoire perd tout"),
        ({"SQLALCHEMY_DATABASE_URI": "sqlite:///:memory:"}, "une base SQLite en mémoire perd tout"),
    ],
    ids=["cle-dev", "cle-courte", "chiffrement-dev", "chiffrement-dev-en-rotation", "cookies-non-secure",
         "adresse-http", "debogage", "argon2-memoire", "argon2-passes", "sqlite-memoire", "sqlite-memoire-nommee"],
)
def test_each_unsafe_setting_is_refused_with_what_to_set(changes, expected):
    with pytest.raises(RuntimeError) as refused:
        production(**changes)
    message = str(refused.value)
    assert message.startswith("FSE_ENV=production : ") and expected in message
    assert "\n" not in message  # one problem, one line, in the existing messages' style


def test_the_same_settings_are_accepted_outside_production():
    make_app(SESSION_COOKIE_SECURE=False, FSE_BASE_URL="http://127.0.0.1:5000", DEBUG=True)


def test_every_problem_is_named_at_once():
    with pytest.raises(RuntimeError) as refused:
        make_app(FSE_ENV="production", SECRET_KEY=DEV_SECRET_KEY, SESSION_COOKIE_SECURE=False)
    lines = str(refused.value).splitlines()
    assert lines[0] == "FSE_ENV=production : le portail refuse de démarrer."
    named = "\n".join(lines[1:])
    for needed in ("FSE_SECRET_KEY", "FSE_ENCRYPTION_KEY", "FSE_COOKIE_SECURE=1", "FSE_BASE_URL", "argon2id"):
        assert needed in named
    assert all(line.startswith("- ") and line.endswith(".") for line in lines[1:])

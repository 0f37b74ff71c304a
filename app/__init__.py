"""The FSE portal's application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app import sqlite_gate
from app.web import html_params
from app.config import DEV_ENCRYPTION_KEY, DEV_SECRET_KEY, PROJECT_ROOT, Config
from app.extensions import csrf, db, login_manager, migrate


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the portal: configuration, extensions, blueprints, error pages and headers."""
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_path=str(PROJECT_ROOT / "instance"),
    )
    app.config.from_object(Config)
    html_params.install()  # WTForms' attribute rendering, same output, faster (app/web/html_params.py)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _refuse_unsafe_production(app)

    from app.security.crypto import build_cipher

    app.extensions["fse_cipher"] = build_cipher(app.config["FSE_ENCRYPTION_KEYS"])
    _bind_extensions(app)
    _register_blueprints(app)
    _register_cli(app)

    from app.web.context import register_context
    from app.web.fragments import register_fragments
    from app.web.headers import register_headers

    register_context(app)
    register_fragments(app)  # kept pieces: the FSE page's entry forms, the history's table
    register_headers(app)
    from app.web.compression import register_compression
    from app.web.static import register_static

    register_static(app)  # fingerprinted static URLs, immutable caching
    register_compression(app)  # gzip/Brotli, the last after_request function
    if app.config["FSE_PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["FSE_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def _refuse_unsafe_production(app: Flask) -> None:
    """In production, refuse to start with a development default (STYLE.md 11): every problem is
    named with what to set, all at once, so that one restart is enough to fix them."""
    if app.config["FSE_ENV"] != "production":
        return
    problems = _unsafe_production_settings(app)
    if len(problems) == 1:
        raise RuntimeError(f"FSE_ENV=production : {problems[0]}.")
    if problems:
        raise RuntimeError("FSE_ENV=production : le portail refuse de démarrer.\n"
                           + "\n".join(f"- {problem}." for problem in problems))


# OWASP's lowest argon2id profile (19 MiB, 2 passes); the portal's default is RFC 9106's (64 MiB, 3).
ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_TIME_COST = 19456, 2


def _unsafe_production_settings(app: Flask) -> list[str]:
    """What a production portal may not run with, each with what to set instead (README, « Production »).
    SQLite stays allowed: one small host serves a practice network on it (README)."""
    config, problems = app.config, []
    secret = config["SECRET_KEY"] or ""
    if secret == DEV_SECRET_KEY or len(secret) < 32:
        problems.append("définissez FSE_SECRET_KEY (clé secrète propre au site, 32 caractères au moins)")
    keys = [key.strip() for key in (config["FSE_ENCRYPTION_KEYS"] or "").split(",")]
    if not any(keys) or DEV_ENCRYPTION_KEY in keys:
        problems.append("définissez FSE_ENCRYPTION_KEY (clé de chiffrement des secrets)")
    if not config["SESSION_COOKIE_SECURE"]:
        problems.append("les cookies doivent être « Secure » : définissez FSE_COOKIE_SECURE=1 et servez le portail "
                        "en https (FSE_COOKIE_SECURE=0 ne sert qu'au http local de make run)")
    if not str(config["FSE_BASE_URL"]).startswith("https://"):
        problems.append("définissez FSE_BASE_URL, l'adresse publique du portail en https (elle figure dans les "
                        "liens d'activation des comptes)")
    if app.debug:
        problems.append("retirez FLASK_DEBUG : le mode débogage montre le code et permet d'en exécuter")
    if config["ARGON2_MEMORY_COST_KIB"] < ARGON2_MIN_MEMORY_KIB or config["ARGON2_TIME_COST"] < ARGON2_MIN_TIME_COST:
        problems.append(f"paramètres argon2id trop faibles : retirez FSE_ARGON2_MEMORY_KIB et FSE_ARGON2_TIME_COST "
                        f"(ou au moins {ARGON2_MIN_MEMORY_KIB} Kio et {ARGON2_MIN_TIME_COST} passes)")
    uri = str(config["SQLALCHEMY_DATABASE_URI"])
    if uri in ("sqlite://", "sqlite:///") or ":memory:" in uri or "mode=memory" in uri:
        problems.append("définissez FSE_DATABASE_URL : une base SQLite en mémoire perd tout à l'arrêt")
    return problems


def _bind_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        os.makedirs(app.instance_path, exist_ok=True)
        options = {k: v for k, v in app.config["SQLALCHEMY_ENGINE_OPTIONS"].items() if k != "pool_pre_ping"}
        if app.config["SQLITE_WRITE_GATE"]:
            options["connect_args"] = {**options.get("connect_args", {}), "factory": sqlite_gate.GatedConnection}
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.session_protection = None  # sessions are checked on the server (app/auth/sessions.py)
    import app.models  # noqa: F401 - registers the models on the metadata


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys, write-ahead log and a busy timeout (SECURITY.md 28)."""
    import sqlite3

    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    from flask import current_app

    try:
        timeout = current_app.config["SQLITE_BUSY_TIMEOUT_MS"]
    except RuntimeError:
        timeout = 5000
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    if isinstance(dbapi_connection, sqlite_gate.GatedConnection):
        # The main database's file ('' in memory): its writers' gate.
        main = next((row[2] for row in cursor.execute("PRAGMA database_list") if row[1] == "main"), "")
        sqlite_gate.attach(dbapi_connection, main, int(timeout))
    cursor.close()


event.listen(Engine, "before_cursor_execute", sqlite_gate.before_cursor_execute)


def _register_blueprints(app: Flask) -> None:
    # Modules whose import registers something: the user loader, views on a blueprint defined
    # elsewhere, the pages that re-render a form whose token expired (app/web/expired.py).
    from app.auth import expired as _auth_expired, sessions as _sessions  # noqa: F401
    from app.auth.hooks import register_auth_hooks
    from app.abonnement.routes import bp as abonnement_bp
    from app.auth.routes import bp as auth_bp
    from app.caisse.hooks import register_caisse_hooks
    from app.caisse import formulaires as _caisse_formulaires  # noqa: F401
    from app.caisse import registre as _caisse_registre  # noqa: F401
    from app.caisse import referentiel as _caisse_referentiel  # noqa: F401
    from app.caisse import fses as _caisse_fses  # noqa: F401
    from app.caisse import demandes as _caisse_demandes  # noqa: F401
    from app.caisse import praticiens as _caisse_praticiens  # noqa: F401
    from app.caisse.routes import bp as caisse_bp
    from app.errors import bp as errors_bp
    from app.main.routes import bp as main_bp
    from app.fse import basket as _basket, expired as _fse_expired  # noqa: F401
    from app.fse import rejets as _fse_rejets  # noqa: F401
    from app.fse.routes import bp as fse_bp
    from app.formulaires import history as _forms_history  # noqa: F401
    from app.formulaires.routes import bp as formulaires_bp
    from app.history.routes import bp as history_bp
    from app.hnp.routes import bp as hnp_bp
    from app.precoded.routes import bp as precoded_bp
    from app.profile.routes import bp as profile_bp

    app.register_blueprint(errors_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(abonnement_bp)
    app.register_blueprint(profile_bp)
    app.register_blueprint(fse_bp)
    app.register_blueprint(precoded_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(hnp_bp)
    app.register_blueprint(formulaires_bp)
    app.register_blueprint(caisse_bp)
    register_auth_hooks(app)
    register_caisse_hooks(app)


def _register_cli(app: Flask) -> None:
    from app.audit.cli import audit_cli
    from app.demo.cli import demo_cli
    from app.referentiel.cli import referentiel_cli
    from app.registre.cli import registre_cli

    app.cli.add_command(referentiel_cli)
    app.cli.add_command(registre_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(audit_cli)
    from app.auth.cli import compte_cli, praticien_cli
    from app.caisse.cli import caisse_cli

    app.cli.add_command(praticien_cli)
    app.cli.add_command(compte_cli)
    app.cli.add_command(caisse_cli)
    from app.backup.cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

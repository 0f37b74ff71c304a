"""The database unavailable for a moment (PostgreSQL restarting, SQLite's write lock held by another
connection): the tablet gets the portal's French page, 503 with Retry-After, never gunicorn's bare
« Internal Server Error » — `make soak` found that the error page itself asked the database for the
signed-in person's name and menu, and failed too."""

from __future__ import annotations

import os
import sqlite3

import pytest
from app import create_app
from app.config import TestConfig
from app.extensions import db as _db

RETRY = "Réessayez dans quelques secondes"


def portal_on(url: str, **overrides):
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False, PROPAGATE_EXCEPTIONS=False, **overrides)
    return create_app(settings)


def signed_in_cookie(client) -> None:
    """A tablet's cookie naming a server-side session: the next request asks the database for it."""
    with client.session_transaction() as session:
        session["_user_id"] = "une-session-ouverte"
        session["_fresh"] = True


def assert_unavailable_page(answer) -> None:
    text = answer.get_data(as_text=True)
    assert answer.status_code == 503, text[:500]
    assert answer.headers["Retry-After"] == "5" and answer.headers["Cache-Control"] == "no-store"
    assert "Service momentanément indisponible" in text and RETRY in text
    assert "Traceback" not in text and "sqlite" not in text.lower() and "OperationalError" not in text
    assert "Content-Security-Policy" in answer.headers


@pytest.mark.parametrize("htmx", [False, True])
def test_a_signed_in_request_while_the_database_cannot_be_reached_gets_the_french_503(tmp_path, htmx):
    app = portal_on(f"sqlite:///{tmp_path}/absent/fse.sqlite3")  # its folder does not exist: no connection
    client = app.test_client()
    signed_in_cookie(client)
    answer = client.post("/fse/ngap", data={"lettre": "C"}, headers={"HX-Request": "true"} if htmx else {})
    assert_unavailable_page(answer)
    assert "Déconnexion" not in answer.get_data(as_text=True)  # drawn for nobody: no name, no menu


def test_a_write_while_another_connection_holds_the_sqlite_lock_gets_the_french_503(tmp_path):
    path = tmp_path / "fse.sqlite3"
    app = portal_on(f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=50)
    with app.app_context():
        _db.create_all()
        _db.engine.dispose()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        client = app.test_client()
        # The sign-in counts the attempt first (a write): refused by the lock after the busy timeout.
        answer = client.post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "x"})
        assert_unavailable_page(answer)
        assert answer.headers["Cache-Control"] == "no-store"
    finally:
        holder.execute("COMMIT")
        holder.close()
    # The lock released, the same request is answered normally (422: unknown account, nothing locked).
    assert client.post("/connexion", data={"identifiant": "medecin.demo", "mot_de_passe": "x"}).status_code == 422


def test_any_other_failure_is_still_the_plain_500(tmp_path):
    app = portal_on(f"sqlite:///{tmp_path}/fse.sqlite3")

    @app.get("/panne-test")
    def broken():
        raise RuntimeError("pas une panne de base")

    answer = app.test_client().get("/panne-test")
    assert answer.status_code == 500 and "Retry-After" not in answer.headers


@pytest.mark.skipif(os.environ.get("FSE_TEST_POSTGRES") != "1", reason="une connexion PostgreSQL coupée par le serveur")
def test_a_connection_cut_after_the_answer_is_ready_does_not_turn_it_into_an_error():
    """PostgreSQL restarted between a view's commit and the end of its request: the rollback that ends
    the request fails on the dead connection. The answer the view made (its work committed) goes out,
    not a bare 500 that would make the tablet do it again."""
    from sqlalchemy import text

    from tests.conftest import make_app

    app = make_app()

    @app.get("/coupee-apres-reponse")
    def cut_after_the_answer():
        pid = _db.session.execute(text("SELECT pg_backend_pid()")).scalar()  # the request's transaction
        with _db.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        return "fait"

    answer = app.test_client().get("/coupee-apres-reponse")
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "fait"
    with app.app_context():  # the pool gives a live connection to the next request
        assert _db.session.execute(text("SELECT 1")).scalar() == 1

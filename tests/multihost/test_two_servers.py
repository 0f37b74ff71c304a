"""Two hosts, one PostgreSQL (issue 11, item 5; README « Plusieurs serveurs »).

Two gunicorn servers, as two hosts behind a load balancer would run them, serve one database on two
ports. What a tablet does on one must hold on the other: its session (and its end), its draft, the
throttle counts and the single use of a TOTP code. Run by `make test-postgres` (FSE_TEST_POSTGRES=1):
a database of its own on the suite's throwaway server, about 10 s.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("FSE_TEST_POSTGRES") != "1",
                                reason="deux serveurs sur un PostgreSQL : make test-postgres (FSE_TEST_POSTGRES=1)")

MEMBER = re.compile(r'name="beneficiaire_id" value="(\d+)"')
JETON = re.compile(r'name="jeton" type="hidden" value="([^"]+)"')
VERSION = re.compile(r'name="version" (?:type="hidden" )?value="(\d+)"')
FORM_JETON = re.compile(r'name="jeton" value="([^"]+)"')
FORM_VERSION = re.compile(r'id="version" name="version" value="(\d+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
TOO_MANY = "Trop de tentatives"


@dataclass
class Hosts:
    a: object
    b: object
    accounts: dict  # identifiant → bench.stack.Account
    cards: list  # (matricule, code FSE, caisse) of households whose members have open rights


def _admin_url(url: str) -> str:
    """psycopg's address of the server's `postgres` database, from the suite's SQLAlchemy URL."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    return parts._replace(path="/postgres").geturl()


@pytest.fixture(scope="module")
def hosts(tmp_path_factory):
    """A database of its own on the suite's PostgreSQL, prepared small, and two servers over it."""
    import psycopg
    from sqlalchemy import create_engine, text

    from bench.stack import Account, Server, free_port, prepare_database, server_env, servers
    from app.demo.seed import DEMO_PRATICIENS
    from tests.conftest import _state

    suite_url = _state["url"]
    assert suite_url.startswith("postgresql"), "FSE_TEST_POSTGRES=1 sans serveur PostgreSQL"
    name = f"fse_deux_serveurs_{os.getpid()}"
    with psycopg.connect(_admin_url(suite_url), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.execute(f"CREATE DATABASE {name}")
    url = suite_url.rsplit("/", 1)[0] + "/" + name
    try:
        prepared = prepare_database(url, households=20, fses=0, sessions=4, practice=False)
        accounts = {account.identifiant: account for account in prepared}
        accounts.update({p.identifiant: Account(p.identifiant, "Demo-FSE-2026", p.totp_secret)
                         for p in DEMO_PRATICIENS})
        engine = create_engine(url)
        with engine.connect() as connection:
            cards = connection.execute(text(
                "SELECT matricule, code_fse, caisse FROM foyer f WHERE EXISTS (SELECT 1 FROM beneficiaire b "
                "WHERE b.foyer_id = f.id AND b.droits_fin IS NULL) ORDER BY matricule LIMIT 3")).all()
        engine.dispose()
        logs = tmp_path_factory.mktemp("deux-serveurs")
        # Stopped at the end without waiting for idle keep-alive connections.
        env = server_env(url, FSE_GRACEFUL_TIMEOUT="1")
        a = Server(free_port(), env, workers=1, log=logs / "a.log")
        b = Server(free_port(), env, workers=1, log=logs / "b.log")
        with servers(a, b):
            yield Hosts(a, b, accounts, [tuple(card) for card in cards])
    finally:
        with psycopg.connect(_admin_url(suite_url), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def moved(signed, server):
    """The same tablet's cookies and CSRF token, its requests now going to the other host."""
    import requests

    from bench.stack import SignedIn

    http = requests.Session()
    http.cookies.update(signed.http.cookies.get_dict())
    return SignedIn(http, signed.csrf, server.url)


def password_step(server, identifiant: str, password: str):
    """A fresh tablet at « Connexion »: (its requests session, the answer to the password)."""
    import requests

    http = requests.Session()
    page = http.get(server.url + "/connexion")
    answer = http.post(server.url + "/connexion", allow_redirects=False, data={
        "identifiant": identifiant, "mot_de_passe": password, "csrf_token": CSRF.search(page.text).group(1)})
    return http, answer


def code_step(server, http, code: str):
    page = http.get(server.url + "/connexion/code")
    return http.post(server.url + "/connexion/code", allow_redirects=False,
                     data={"code": code, "csrf_token": CSRF.search(page.text).group(1)})


def test_a_session_opened_on_one_host_is_valid_on_the_other_and_a_logout_there_ends_it(hosts):
    from bench.stack import sign_in

    on_a = sign_in(hosts.a.url, hosts.accounts["medecin.demo"])
    on_b = moved(on_a, hosts.b)
    page = on_b.get("/fse")
    assert page.status_code == 200 and "Lorenzi" in page.text
    # A form of B accepts the CSRF token of A's page: one secret key, one server-side session.
    assert on_b.post("/fse/conditions", {"date_soins": "", "nature": "maladie"}).status_code == 422

    logout = on_b.post("/deconnexion", htmx=False)
    assert logout.status_code == 302 and "deconnecte=1" in logout.headers["Location"]
    for tablet in (on_a, moved(on_a, hosts.b)):  # the cookie A still holds, on either host
        answer = tablet.get("/fse")
        assert answer.status_code == 302 and answer.headers["Location"].startswith("/connexion")


def test_a_draft_changed_on_one_host_is_what_the_other_shows_and_transmits_once(hosts):
    from bench.stack import sign_in

    matricule, code_fse, caisse = hosts.cards[0]
    on_a = sign_in(hosts.a.url, hosts.accounts["bench.assistant.01"])
    on_b = moved(on_a, hosts.b)
    found = on_a.post("/fse/patient", {"matricule": matricule, "code_fse": code_fse, "caisse": caisse})
    assert found.status_code == 200, found.text
    member = MEMBER.search(found.text).group(1)
    assert on_a.post("/fse/beneficiaire", {"beneficiaire_id": member}).status_code == 200
    assert on_a.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1"}).status_code == 200

    page = on_b.get("/fse").text
    assert "member-chosen" in page and f'value="{member}" class="member member-chosen"' in page
    assert "Consultation au cabinet" in page
    basket = on_b.post("/fse/ccam", {"code": "ZBQK002", "activite": "1", "phase": "0", "association": "1"})
    assert basket.status_code == 200, basket.text

    summary = on_a.post("/fse/valider", {"version": VERSION.search(basket.text).group(1)}, htmx=False)
    assert summary.status_code == 200, summary.text
    assert "Consultation au cabinet" in summary.text and "Radiographie du thorax" in summary.text
    form = {"jeton": JETON.search(summary.text).group(1), "version": VERSION.search(summary.text).group(1)}
    sent = on_a.post("/fse/transmettre", form, htmx=False)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/accuse"), sent.text
    # The tablet retries the same form on the other host (its first answer lost): the first result.
    again = on_b.post("/fse/transmettre", form, htmx=False)
    assert again.status_code == 302 and again.headers["Location"] == sent.headers["Location"]
    accuse = on_b.get(sent.headers["Location"])
    assert accuse.status_code == 200 and "accusé de réception n°" in accuse.text


def test_failed_patient_lookups_and_passwords_count_together_on_both_hosts(hosts):
    from bench.stack import sign_in

    matricule, code_fse, caisse = hosts.cards[1]
    on_a = sign_in(hosts.a.url, hosts.accounts["bench.assistant.02"])
    on_b = moved(on_a, hosts.b)
    wrong = {"matricule": matricule, "code_fse": "ZZZZ" if code_fse != "ZZZZ" else "YYYY", "caisse": caisse}
    # Five free failures in all (app/domain/throttle.py), split 3 on A and 2 on B: each host alone
    # would still be within its free ones.
    for tablet in (on_a, on_b, on_a, on_b, on_a):
        answer = tablet.post("/fse/patient", wrong, htmx=False)
        assert answer.status_code == 422 and "Matricule ou code FSE incorrect" in answer.text
    right = on_b.post("/fse/patient", {"matricule": matricule, "code_fse": code_fse, "caisse": caisse}, htmx=False)
    assert right.status_code == 429 and TOO_MANY in right.text

    kine = hosts.accounts["kine.demo"]
    for server in (hosts.a, hosts.b, hosts.a, hosts.b, hosts.a):
        _, answer = password_step(server, kine.identifiant, "Pas-le-bon-mot-de-passe")
        assert answer.status_code == 422
    _, answer = password_step(hosts.b, kine.identifiant, kine.password)
    assert answer.status_code == 429 and TOO_MANY in answer.text


def test_a_totp_code_used_on_one_host_is_refused_on_the_other(hosts):
    import pyotp

    assistant = hosts.accounts["bench.assistant.03"]
    totp = pyotp.TOTP(assistant.secret)
    code, typed_at = totp.now(), time.time()
    http, answer = password_step(hosts.a, assistant.identifiant, assistant.password)
    assert answer.headers["Location"] == "/connexion/code"
    assert code_step(hosts.a, http, code).headers["Location"] == "/fse"

    http, answer = password_step(hosts.b, assistant.identifiant, assistant.password)
    assert answer.headers["Location"] == "/connexion/code"
    replay = code_step(hosts.b, http, code)
    # Still a code of the accepted window (this step or the one before): refused for its single use.
    assert time.time() - typed_at < 25 and totp.verify(code, valid_window=1)
    assert replay.status_code == 422 and "Code incorrect" in replay.text
    # B itself accepts a fresh code of another account.
    nurse = hosts.accounts["infirmier.demo"]
    http, _ = password_step(hosts.b, nurse.identifiant, nurse.password)
    assert code_step(hosts.b, http, pyotp.TOTP(nurse.secret).now()).headers["Location"] == "/fse"


def test_a_form_draft_saved_on_one_host_is_read_on_the_other(hosts):
    from bench.stack import sign_in

    on_a = sign_in(hosts.a.url, hosts.accounts["dentiste.demo"])
    on_b = moved(on_a, hosts.b)
    form = on_a.get("/formulaires/it").text
    jeton, version = FORM_JETON.search(form).group(1), FORM_VERSION.search(form).group(1)
    saved = on_a.post("/formulaires/it/brouillon", {
        "jeton": jeton, "version": version, "employeur": "Société des Bains de Mer",
        "elements_medicaux": "Entorse de la cheville droite, appui impossible."})
    assert saved.status_code == 200 and "Brouillon enregistré" in saved.text

    shown = on_b.get("/formulaires/it").text
    # The medical elements are encrypted in the database: B decrypts them with the same key.
    assert "Société des Bains de Mer" in shown and "Entorse de la cheville droite" in shown
    # A save from B with the version A's page showed is now stale (SECURITY.md 27, across hosts).
    stale = on_b.post("/formulaires/it/brouillon", {"jeton": jeton, "version": version, "employeur": "Autre"})
    assert "Modifié dans un autre onglet" in stale.text
    assert "Société des Bains de Mer" in on_a.get("/formulaires/it").text

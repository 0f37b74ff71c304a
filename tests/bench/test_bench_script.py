"""`make bench` keeps working (bench/bench.py, README « Performance »): the whole script on a small
database, one second per interaction — every interaction's Lua script drives the portal through
gunicorn without a single error, the table, the targets and results.json come out — and a session
the portal refuses is counted as errors, not as fast answers.

The figures themselves are not checked: they belong to the machine (`make bench` prints them).
About 60 s; SQLite only (`make bench ARGS=--postgres` runs the same code on PostgreSQL).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import system_tool

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.environ.get("FSE_TEST_POSTGRES") == "1",
                                 reason="le banc prépare sa propre base : vérifié une fois, sur SQLite")]


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """bench/bench.py on 300 households and 300 FSE, 1 s per interaction with 16 sessions (the runs of
one session alone are the same code with one row), its cache in a temporary folder."""
    system_tool("wrk", package="wrk", purpose="make bench n'est pas vérifié.")
    folder = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "bench/bench.py", "--households", "300", "--fses", "300", "--duration", "1",
         "--no-alone", "--output", str(folder / "results.json")],
        cwd=ROOT, env={**os.environ, "FSE_BENCH_CACHE": str(folder / "cache")}, capture_output=True, text=True,
        timeout=600)
    return done, folder


def test_every_interaction_runs_through_gunicorn_without_error(small_run):
    from bench.bench import INTERACTIONS, SESSIONS

    done, folder = small_run
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    results = json.loads((folder / "results.json").read_text())
    measured = {(run["interaction"], run["sessions"]) for run in results["runs"]}
    assert measured == {(i.name, SESSIONS) for i in INTERACTIONS}
    for run in results["runs"]:
        assert run["requests"] > 0 and run["errors"] == 0, run
        assert run["statuses"] and all(200 <= int(status) < 300 for status in run["statuses"]), run
        assert run["p95_ms"] is not None and run["ratio"] is not None, run
    # Each session's draft really changes: the adds are followed by the removal of the line they added.
    ngap = next(run for run in results["runs"] if run["interaction"] == "ngap" and run["sessions"] == SESSIONS)
    assert "supprimer" in ngap["scheme"]
    assert len(results["targets"]) == 8 + 2  # p95 of each interaction, the two ratios (none alone: --no-alone)
    assert results["machine"]["nproc"] and results["machine"]["database"].startswith("SQLite")
    assert results["gunicorn"]["settings"]["worker_class"]
    assert "| interaction | sessions | req/s |" in done.stdout and "Targets (issue 11, item 3):" in done.stdout
    assert "ERRORS" not in done.stdout


def test_a_refused_session_counts_as_errors(small_run):
    """wrk against the portal with a session it does not know: every answer is an error."""
    from bench import stack
    from bench.bench import INTERACTIONS, portal_workers, wrk

    done, folder = small_run
    assert done.returncode == 0
    database = folder / "refused.sqlite3"
    shutil.copyfile(next((folder / "cache").glob("bench-*.sqlite3")), database)
    url = f"sqlite:///{database}"
    server = stack.Server(stack.free_port(), stack.server_env(url), *portal_workers(), log=folder / "refused.log")
    rows = [{"cookie": "fse_session=inconnue", "csrf": "inconnu", "card_a": "100001|K7P2|CCSS",
             "card_b": "100002|R4M8|CCSS"}]
    with stack.servers(server):
        for name in ("billing", "ngap"):
            run = wrk(server.url, next(i for i in INTERACTIONS if i.name == name), rows, 1, folder)
            assert run["requests"] > 0 and run["errors"] == run["requests"], run

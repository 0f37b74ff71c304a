"""`make soak`: two portal servers over one database under a practice's load, with faults, then the
proof that nothing a tablet was told was lost or made twice (issue 11, item 6; README « Soak »).

    python bench/soak.py [--postgres] [--duration 120] [--users 12]

1. A throwaway database (a SQLite file, or a throwaway PostgreSQL with --postgres) with the real
   reference data, demo households and one account per tablet (bench/stack.py).
2. Two gunicorn servers (as `make run` configures them, 2 workers each) on two ports over it.
3. locust, headless, drives the tablets (bench/soak_tablet.py): each signs in, then makes and
   transmits FSE one after the other, half of them on each server, and journals every accusé de
   réception it was shown, with its amounts.
4. Meanwhile the faults: a gunicorn worker killed (SIGKILL) on each server, every worker of one
   server killed at once, and the database made unavailable twice — SQLite: another connection holds
   its write lock longer than the busy timeout (`BEGIN EXCLUSIVE` … COMMIT); PostgreSQL: the server
   restarted (`pg_ctl restart -m fast`).
5. After the load, each tablet's transmissions still without an answer are asked again with their
   own one-time token, as the tablet reloading would (its cookies were saved at sign-in).
6. The check: every FSE the tablets were told of exists exactly once with the amounts they were shown,
   and the database holds none they were not told of — counts and a SHA-256 of the sorted
   (accusé, base, billed, part caisse, part patient) lines of each side; one audit row per
   transmission; the audit chain verifies.

Prints a summary, writes bench/soak-results.json (one entry per database), exits 1 on any loss,
duplicate, mismatch, unresolved transmission or broken chain. Bounded: the whole run stops after
RUN_LIMIT seconds, preparation included.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ (as bench/bench.py imports stack)

from soak_pages import ACCUSE_PATH, AMOUNTS, line, read_accuse  # noqa: E402
from stack import (ROOT, VENV_BIN, Server, bench_settings, free_port, prepare_database, save_accounts,  # noqa: E402
                   server_env, servers, throwaway_postgres)

RUN_LIMIT = 300  # `make soak` is bounded to five minutes, preparation included
RESULTS = ROOT / "bench" / "soak-results.json"
SQLITE_LOCK_SECONDS = 8.0  # longer than the portal's busy timeout (5 s): writers fail, then retry
FAULT_WINDOW = 15.0  # errors up to this long after a fault ends are counted as the fault's


class RunTooLong(RuntimeError):
    pass


# --- the database ---------------------------------------------------------------------------------

class Database:
    """The run's database: its URL, its label and how to make it unavailable for a moment."""

    label = ""
    url = ""

    def fault(self) -> str:
        raise NotImplementedError

    def version(self) -> str:
        raise NotImplementedError


class SqliteDatabase(Database):
    label = "sqlite"

    def __init__(self, folder: Path):
        self.path = folder / "soak.sqlite3"
        self.url = f"sqlite:///{self.path}"

    def fault(self) -> str:
        """Another connection takes the write lock and keeps it past the busy timeout."""
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            started = time.monotonic()
            connection.execute("BEGIN EXCLUSIVE")
            waited = time.monotonic() - started
            time.sleep(SQLITE_LOCK_SECONDS)
            connection.execute("COMMIT")
        finally:
            connection.close()
        return f"verrou exclusif SQLite tenu {SQLITE_LOCK_SECONDS:.0f} s (obtenu en {waited:.2f} s)"

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version} (WAL)"


class PostgresDatabase(Database):
    label = "postgresql"

    def __init__(self, server):
        self.server = server
        self.url = server.url

    def fault(self) -> str:
        """The server restarted: every connection is cut, none accepted for a moment."""
        data = self.server.data_dir
        started = time.monotonic()
        result = subprocess.run([*self.server.run_as, str(self.server.bin_dir / "pg_ctl"), "-D", str(data / "data"),
                                 "-l", str(data / "log"), "-m", "fast", "-w", "restart"],
                                capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl restart a échoué : {result.stderr or result.stdout}")
        return f"PostgreSQL redémarré (pg_ctl restart -m fast, {time.monotonic() - started:.1f} s)"

    def version(self) -> str:
        import psycopg

        with psycopg.connect(self.url.replace("postgresql+psycopg://", "postgresql://")) as connection:
            return "PostgreSQL " + connection.execute("SHOW server_version").fetchone()[0]


@contextmanager
def database(postgres: bool, folder: Path):
    if postgres:
        with throwaway_postgres() as server:
            yield PostgresDatabase(server)
    else:
        yield SqliteDatabase(folder)


def portal_app(url: str):
    from app import create_app

    return create_app(bench_settings(url))


def cards_of(url: str, count: int = 400) -> list[list[str]]:
    """Cards whose household has a member with open rights today: (matricule, code FSE, caisse, colour)."""
    from sqlalchemy import select

    from app.domain.calendar import today_in_monaco
    from app.extensions import db
    from app.models import Beneficiaire, Foyer

    app = portal_app(url)
    with app.app_context():
        today = today_in_monaco()
        open_rights = (select(Beneficiaire.foyer_id).where(Beneficiaire.droits_debut <= today,
                                                           (Beneficiaire.droits_fin.is_(None))
                                                           | (Beneficiaire.droits_fin >= today)))
        rows = db.session.execute(select(Foyer.matricule, Foyer.code_fse, Foyer.caisse, Foyer.couleur_carte)
                                  .where(Foyer.id.in_(open_rights)).order_by(Foyer.matricule).limit(count)).all()
        db.engine.dispose()
    return [list(row) for row in rows]


# --- faults -------------------------------------------------------------------------------------

def kill_workers(server: Server, every: bool) -> str:
    """SIGKILL one worker of the server (or all of them), then wait for the master to replace them."""
    before = server.worker_pids()
    victims = before if every else before[:1]
    for pid in victims:
        os.kill(pid, signal.SIGKILL)
    started = time.monotonic()
    while time.monotonic() - started < 30:
        now = server.worker_pids()
        if len(now) >= len(before) and not set(victims) & set(now):
            break
        time.sleep(0.1)
    which = "tous les workers" if every else "un worker"
    return (f"{which} du serveur {server.port} tués (SIGKILL, pid {', '.join(map(str, victims))}) ; "
            f"remplacés par le maître en {time.monotonic() - started:.1f} s")


def fault_plan(duration: float, a: Server, b: Server, db: Database) -> list[tuple[float, str, object]]:
    """When (seconds into the load) and what."""
    return [
        (0.12 * duration, "worker A", lambda: kill_workers(a, every=False)),
        (0.25 * duration, "base", db.fault),
        (0.45 * duration, "worker B", lambda: kill_workers(b, every=False)),
        (0.60 * duration, "serveur A entier", lambda: kill_workers(a, every=True)),
        (0.75 * duration, "base", db.fault),
    ]


def run_faults(plan, load_started: float, stop: threading.Event, done: list) -> None:
    for at, name, action in plan:
        if stop.wait(max(0.0, load_started + at - time.monotonic())):
            return
        started = time.time()
        try:
            what = action()
        except Exception as error:  # a fault that could not be made is reported, not hidden
            what = f"ÉCHEC : {error}"
        done.append({"name": name, "start": started, "end": time.time(), "what": what})
        print(f"  [{started - load_started_wall(load_started):6.1f} s] {name} : {what}", flush=True)


def load_started_wall(load_started: float) -> float:
    return time.time() - (time.monotonic() - load_started)


# --- after the load: the tablets reload what they never got an answer for -----------------------

def read_journal(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(text) for text in path.read_text(encoding="utf-8").splitlines() if text.strip()]


def reconcile(run: Path, events: list[dict]) -> list[dict]:
    """Each transmission sent and never confirmed is sent again with its token from the tablet's saved
    session, as a reload of the summary would: the portal gives the first result if there was one,
    else transmits now. Returns the journal lines this adds."""
    import requests

    confirmed = {e["token"] for e in events if e["event"] == "confirmed"}
    pending: dict[str, dict] = {}
    for event in events:
        if event["event"] == "sending" and event["token"] not in confirmed:
            pending[event["token"]] = event
    added = []
    for token, event in pending.items():
        saved = json.loads((run / "sessions" / f"{event['user']}.json").read_text())
        http = requests.Session()
        http.cookies.update(saved["cookies"])
        headers = {"X-CSRFToken": saved["csrf"], "HX-Request": "true"}
        answer = http.post(saved["base"] + "/fse/transmettre", data={"jeton": token, "version": event["version"]},
                           headers=headers, allow_redirects=False, timeout=30)
        target = answer.headers.get("HX-Redirect", "")
        if ACCUSE_PATH.match(target):
            shown = read_accuse(http.get(saved["base"] + target, timeout=30).text)
            if shown is not None:
                added.append({"event": "confirmed", "t": round(time.time(), 3), "user": event["user"], "token": token,
                              "fse_id": int(ACCUSE_PATH.match(target).group(1)), "host": saved["base"],
                              "after_run": True, **shown})
                continue
        added.append({"event": "not_transmitted", "t": round(time.time(), 3), "user": event["user"], "token": token,
                      "answer": f"{answer.status_code} {target or answer.headers.get('Location', '')}"})
    with (run / "journal.jsonl").open("a", encoding="utf-8") as out:
        for entry in added:
            out.write(json.dumps(entry, ensure_ascii=False) + "\n")
    return added


# --- the check ------------------------------------------------------------------------------------

def stored_transmissions(url: str) -> tuple[dict[str, dict], int, tuple[bool, int, str]]:
    """Every FSE that left the draft state, by token; the audit rows of transmissions; the chain check."""
    from sqlalchemy import func, select

    from app.audit.services import verify_chain
    from app.extensions import db
    from app.models import Fse, JournalAudit, LigneFse

    app = portal_app(url)
    with app.app_context():
        rows = db.session.execute(select(Fse.jeton, Fse.id, Fse.statut, Fse.accuse_reception,
                                         *(getattr(Fse, name) for name in AMOUNTS))
                                  .where(Fse.statut != "brouillon")).all()
        lines = dict(db.session.execute(select(LigneFse.fse_id, func.count()).join(Fse, Fse.id == LigneFse.fse_id)
                                        .where(Fse.statut != "brouillon").group_by(LigneFse.fse_id)).all())
        audited = db.session.scalar(select(func.count()).select_from(JournalAudit)
                                    .where(JournalAudit.action == "fse.transmission",
                                           JournalAudit.resultat == "succes"))
        chain = verify_chain()
        db.engine.dispose()
    stored = {}
    for row in rows:
        stored[row.jeton] = {"fse_id": row.id, "statut": row.statut, "accuse": row.accuse_reception,
                             "lines": lines.get(row.id, 0),
                             **{name: getattr(row, name) for name in AMOUNTS}}
    return stored, audited, chain


def server_failures(run: Path) -> dict:
    """Requests whose error escaped the portal's own error pages (gunicorn's « Error handling request »:
    a bare 500, or an answer cut while streamed), by request."""
    import re

    found: Counter = Counter()
    for log in run.glob("serveur-*.log"):
        found.update(re.findall(r"Error handling request (\S+ \S+)", log.read_text(errors="replace")))
    return dict(found)


def checksum(lines: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def compare(events: list[dict], stored: dict[str, dict]) -> dict:
    """What the tablets were told against what the database holds."""
    told: dict[str, dict] = {}
    contradictions = []
    for event in events:
        if event["event"] != "confirmed":
            continue
        first = told.setdefault(event["token"], event)
        if line(first["accuse"], first) != line(event["accuse"], event):
            contradictions.append(event["token"])
    lost = sorted(token for token in told if token not in stored)
    mismatched = sorted(token for token in told if token in stored
                        and line(told[token]["accuse"], told[token]) != line(stored[token]["accuse"], stored[token]))
    not_told = sorted(token for token in stored if token not in told)
    accuses = Counter(row["accuse"] for row in stored.values())
    twice = sorted(accuse for accuse, count in accuses.items() if count > 1)
    sent = {e["token"] for e in events if e["event"] == "sending"}
    given_up = {e["token"] for e in events if e["event"] == "not_transmitted"}
    unresolved = sorted(token for token in sent if token not in told and token not in given_up)
    wrongly_given_up = sorted(token for token in given_up if token in stored)
    return {
        "told": len(told), "stored": len(stored),
        "lost": lost, "duplicated": not_told + twice, "mismatched": mismatched,
        "contradictions": contradictions, "unresolved": unresolved, "given_up_but_stored": wrongly_given_up,
        "checksum_told": checksum([line(e["accuse"], e) for e in told.values()]),
        "checksum_stored": checksum([line(r["accuse"], r) for r in stored.values()]),
    }


def errors_by_fault(events: list[dict], faults: list[dict]) -> dict:
    """The errors the tablets saw, by kind, under the latest fault begun before them (if it ended less
    than FAULT_WINDOW seconds before), else « hors faute »."""
    windows: dict[str, Counter] = {}
    for event in events:
        if event["event"] != "error":
            continue
        where = "hors faute"
        begun = [(index, fault) for index, fault in enumerate(faults) if fault["start"] - 1 <= event["t"]]
        if begun:
            index, fault = begun[-1]
            if event["t"] <= fault["end"] + FAULT_WINDOW:
                where = f"{index + 1}. {fault['name']}"
        windows.setdefault(where, Counter())[event["reason"]] += 1
    return {where: dict(kinds) for where, kinds in sorted(windows.items())}


# --- the run --------------------------------------------------------------------------------------

def machine() -> dict:
    model = next((text.split(":", 1)[1].strip() for text in Path("/proc/cpuinfo").read_text().splitlines()
                  if text.startswith("model name")), platform.processor())
    memory = next((int(text.split()[1]) for text in Path("/proc/meminfo").read_text().splitlines()
                   if text.startswith("MemTotal")), 0)
    return {"nproc": os.cpu_count(), "ram_gb": round(memory / 1024 / 1024, 1), "cpu": model,
            "python": platform.python_version(), "system": f"{platform.system()} {platform.release()}",
            "load_average_1min": round(os.getloadavg()[0], 1)}  # other work on the machine skews the figures


def run_locust(run: Path, hosts: list[str], users: int, duration: int, log: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "locust"), "-f", str(ROOT / "bench" / "soak_tablet.py"), "--headless",
               "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s",
               "--stop-timeout", "40", "--host", hosts[0],
               "--exit-code-on-error", "0", "--loglevel", "WARNING", "--only-summary"]
    env = {**os.environ, "SOAK_RUN_DIR": str(run), "SOAK_HOSTS": ",".join(hosts)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def locust_requests(run: Path) -> dict:
    """Per request name: count, failures, median and 95th percentile (ms), as locust had them when
    every tablet had stopped (bench/soak_tablet.py writes them)."""
    path = run / "requests.json"
    return json.loads(path.read_text()) if path.exists() else {}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", action="store_true", help="une base PostgreSQL jetable au lieu de SQLite")
    parser.add_argument("--duration", type=int, default=120, help="durée de la charge, en secondes (120)")
    parser.add_argument("--users", type=int, default=12, help="tablettes simultanées (12)")
    parser.add_argument("--households", type=int, default=2000, help="foyers de démonstration (2000)")
    args = parser.parse_args(argv)
    if args.duration + 100 > RUN_LIMIT:
        parser.error(f"--duration : {RUN_LIMIT - 100} s au plus (le run entier tient en {RUN_LIMIT} s)")

    began = time.monotonic()

    def too_long(signum, frame):
        raise RunTooLong(f"le soak dépasse {RUN_LIMIT} s : arrêté")

    signal.signal(signal.SIGALRM, too_long)
    signal.alarm(RUN_LIMIT)
    run = Path(tempfile.mkdtemp(prefix="fse-soak-"))
    print(f"Soak : {args.users} tablettes, {args.duration} s de charge, base "
          f"{'PostgreSQL jetable' if args.postgres else 'SQLite'} ; dossier {run}", flush=True)
    locust = None
    try:
        with database(args.postgres, run) as db:
            accounts = prepare_database(db.url, households=args.households, fses=0, sessions=args.users,
                                        practice=False)
            save_accounts(accounts, run / "accounts.json")
            (run / "cards.json").write_text(json.dumps(cards_of(db.url)))
            prepared = time.monotonic() - began
            print(f"  base prête en {prepared:.1f} s ({db.version()})", flush=True)
            a = Server(free_port(), server_env(db.url), workers=2, log=run / "serveur-a.log")
            b = Server(free_port(), server_env(db.url), workers=2, log=run / "serveur-b.log")
            with servers(a, b):
                print(f"  serveurs : {a.url} et {b.url} (2 workers chacun)", flush=True)
                locust = run_locust(run, [a.url, b.url], args.users, args.duration, run / "locust.log")
                load_started = time.monotonic()
                faults: list[dict] = []
                stop = threading.Event()
                injector = threading.Thread(target=run_faults, daemon=True,
                                            args=(fault_plan(args.duration, a, b, db), load_started, stop, faults))
                injector.start()
                locust.wait(timeout=args.duration + 60)
                load_seconds = time.monotonic() - load_started
                stop.set()
                injector.join(timeout=30)
                events = read_journal(run / "journal.jsonl")
                reloaded = reconcile(run, events)
            events += reloaded
            stored, audited, chain = stored_transmissions(db.url)
            database_version = db.version()
    except RunTooLong as error:
        print(f"ÉCHEC : {error} (dossier {run})", file=sys.stderr)
        if locust is not None and locust.poll() is None:
            os.killpg(locust.pid, signal.SIGKILL)
        return 1
    finally:
        signal.alarm(0)

    verdict = compare(events, stored)
    confirmed_in_run = sum(1 for e in events if e["event"] == "confirmed" and not e.get("after_run"))
    counts = Counter(e["event"] for e in events)
    chain_ok, chain_rows, chain_message = chain
    failures = {
        "perdues": len(verdict["lost"]), "en double": len(verdict["duplicated"]),
        "montants différents": len(verdict["mismatched"]), "contradictions": len(verdict["contradictions"]),
        "sans réponse": len(verdict["unresolved"]), "abandonnées mais en base": len(verdict["given_up_but_stored"]),
        "lignes d'audit ≠ FSE": int(audited != verdict["stored"]), "chaîne d'audit": int(not chain_ok),
        "sommes de contrôle": int(verdict["checksum_told"] != verdict["checksum_stored"]),
        "fautes non injectées": sum(1 for f in faults if f["what"].startswith("ÉCHEC")),
        "sessions perdues": counts["session_lost"],
        "aucune transmission (voir locust.log)": int(verdict["told"] == 0),
    }
    ok = not any(failures.values())
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"), "database": database_version,
        "machine": machine(), "users": args.users, "servers": "2 × gunicorn (2 workers gthread)",
        "load_seconds": round(load_seconds, 1), "run_seconds": round(time.monotonic() - began, 1),
        "transmissions": {"told": verdict["told"], "stored": verdict["stored"], "during_load": confirmed_in_run,
                          "after_reload": sum(1 for e in reloaded if e["event"] == "confirmed"),
                          "per_second": round(confirmed_in_run / load_seconds, 2),
                          "answers_lost_on_purpose": counts["answer_lost"],
                          "found_again_on_reload": sum(1 for e in events if e["event"] == "confirmed"
                                                       and e.get("reloaded")),
                          "audit_rows": audited,
                          # Each tablet adds two acts an FSE: more is an act added again by a retry whose
                          # first answer was lost, or left in the draft by an abandoned FSE (shown in the
                          # basket and the summary, so transmitted as shown; the one-time token guards the
                          # transmission, not each act).
                          "with_an_act_added_twice": sum(1 for r in stored.values() if r["lines"] > 2)},
        "lost": len(verdict["lost"]), "duplicated": len(verdict["duplicated"]),
        "mismatched": len(verdict["mismatched"]), "unresolved": len(verdict["unresolved"]),
        "checksum_told": verdict["checksum_told"], "checksum_stored": verdict["checksum_stored"],
        "audit_chain": {"intact": chain_ok, "rows": chain_rows, "message": chain_message},
        "faults": [{k: (round(v - load_started_wall(load_started), 1) if k in ("start", "end") else v)
                    for k, v in fault.items()} for fault in faults],
        "client_errors": counts["error"], "client_errors_by_fault": errors_by_fault(events, faults),
        "recovered_requests": counts["recovered"], "abandoned_flows": counts["abandoned"],
        "abandoned_why": dict(Counter(e["reason"] for e in events if e["event"] == "abandoned")),
        "sessions_lost": counts["session_lost"], "requests": locust_requests(run),
        "server_errors_outside_the_portal": server_failures(run),
        "failures": failures, "ok": ok,
    }
    print_summary(result, verdict)
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    previous[db.label] = result
    RESULTS.write_text(json.dumps(previous, ensure_ascii=False, indent=2) + "\n")
    print(f"\nRésultats : {RESULTS.relative_to(ROOT)} ; journal des tablettes et logs des serveurs : {run}")
    if not ok:
        details = {name: verdict[name][:10] for name in ("lost", "duplicated", "mismatched", "unresolved")}
        print(f"ÉCHEC : {json.dumps({k: v for k, v in failures.items() if v}, ensure_ascii=False)} {details}",
              file=sys.stderr)
    return 0 if ok else 1


def print_summary(result: dict, verdict: dict) -> None:
    t = result["transmissions"]
    print(f"\n{result['database']} · {result['servers']} · {result['users']} tablettes · "
          f"{result['load_seconds']} s de charge ({result['run_seconds']} s en tout)")
    m = result["machine"]
    print(f"Machine : {m['nproc']} cœurs, {m['ram_gb']} Go, {m['cpu']} ; charge moyenne (1 min) à la fin : "
          f"{m['load_average_1min']}")
    print("\nFautes :")
    for fault in result["faults"]:
        print(f"  {fault['start']:6.1f} s  {fault['name']} — {fault['what']}")
    print(f"\nErreurs vues par les tablettes : {result['client_errors']} (requêtes réussies après une reprise : "
          f"{result['recovered_requests']}, FSE abandonnées : {result['abandoned_flows']})")
    for where, kinds in result["client_errors_by_fault"].items():
        print(f"  {where} : " + ", ".join(f"{count} × {kind}" for kind, count in sorted(kinds.items())))
    for request, count in result["server_errors_outside_the_portal"].items():
        print(f"  erreur hors des pages du portail (gunicorn) : {count} × {request}")
    for why, count in result["abandoned_why"].items():
        print(f"  FSE abandonnée (la suivante reprend le même brouillon) : {count} × {why}")
    print("\n| requête | n | échecs | p50 | p95 |\n| --- | --- | --- | --- | --- |")
    for name, row in result["requests"].items():
        print(f"| {name} | {row['requests']} | {row['failures']} | {row['p50_ms']:.0f} ms | {row['p95_ms']:.0f} ms |")
    print(f"\nTransmissions : {t['told']} annoncées aux tablettes ({t['during_load']} pendant la charge, "
          f"{t['after_reload']} au rechargement après), {t['stored']} en base, {t['audit_rows']} lignes d'audit ; "
          f"{t['per_second']} transmissions/s")
    print(f"FSE avec plus de deux actes (un ajout repris après une réponse perdue, montré au récapitulatif) : "
          f"{t['with_an_act_added_twice']}")
    print(f"Réponses de « Transmettre » perdues exprès : {t['answers_lost_on_purpose']} ; retrouvées en renvoyant le "
          f"même formulaire : {t['found_again_on_reload']} pendant la charge, {t['after_reload']} après")
    print(f"Somme de contrôle (tablettes) : {verdict['checksum_told']}")
    print(f"Somme de contrôle (base)      : {verdict['checksum_stored']}")
    print(f"Chaîne d'audit : {result['audit_chain']['message']}")
    print(f"\n{result['lost']} lost, {result['duplicated']} duplicated"
          f" ({result['mismatched']} with other amounts, {result['unresolved']} unresolved)")


if __name__ == "__main__":
    sys.exit(main())

"""`make bench`: the portal's interactions under load, through gunicorn on 127.0.0.1, driven by wrk.

    .venv/bin/python bench/bench.py [--postgres] [--duration 20] [--alone-duration 10] [--only a,b]

1. A throwaway database: SQLite (default; the prepared file is cached between runs, keyed by the
   schema, the seeding code, the sizes and the day) or, with --postgres, a throwaway PostgreSQL;
   100,000 households and 50,000 transmitted FSE of medecin.demo, 16 accounts of his practice.
2. Two gunicorn servers started as `make run` starts the portal (app/gunicorn_conf.py): the portal,
   and on another port the ceiling, a bare Flask route (bench/ceiling.py), in the same run.
3. 16 sessions signed in through the real pages (password + TOTP), each with its own draft prepared
   (a household identified, a beneficiary chosen, a basket of 2 lines: C and ZBQK002).
4. For each interaction, wrk with a Lua script (bench/wrk/*.lua): `-t16 -c16`, one thread = one
   connection = one session (its cookie and CSRF token given to it in setup(thread)), for
   --duration seconds; then the FSE interactions again with one session alone (`-t1 -c1`).
   Every status is counted (non-2xx, socket errors and answers that lack what the interaction
   expects are errors: printed loudly; an interaction that mostly fails fails the run).
5. A table (req/s, p50, p95, p99, ratio to the ceiling's req/s, errors), the targets of issue 11
   with PASS/FAIL, and bench/results.json (bench/results-postgres.json with --postgres) with the
   machine, the versions and the gunicorn configuration.

Not a test: figures vary with the machine and with whatever else runs on it. Targets 127.0.0.1
only; every server and wrk stop by themselves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402

ROOT = stack.ROOT
WRK_DIR = ROOT / "bench" / "wrk"
SESSIONS = 16
CCAM_CODE = "ZBQK002"  # Radiographie du thorax: priced for a médecin généraliste
HISTORY_PATIENT = "palmaro"  # a patient's FSE over the 12 months (about 25 in the demo practice)

# Issue 11, item 3.
ALONE_P95_MS = 10.0
LOADED_P95_MS = 100.0
RATIO_TARGETS = {"billing": 0.10, "fse_page": 0.08}


@dataclass
class Interaction:
    name: str
    label: str
    script: str
    fse: bool = False  # an FSE interaction: also measured alone, target p95 ≤ 10 ms


INTERACTIONS = [
    Interaction("ceiling", "Ceiling: bare Flask route", "ceiling.lua"),
    Interaction("identify", "Identify a patient (POST /fse/patient)", "identify.lua", fse=True),
    Interaction("ngap", "Add NGAP / remove it (POST /fse/ngap, /supprimer)", "ngap.lua", fse=True),
    Interaction("ccam", "CCAM search, add, remove (/fse/ccam…)", "ccam.lua", fse=True),
    Interaction("billing", "Billing fragment (POST /fse/facturation)", "billing.lua", fse=True),
    Interaction("fse_page", "FSE page (GET /fse)", "fse_page.lua", fse=True),
    Interaction("history", "History, patient filter (GET /historique)", "history.lua"),
    Interaction("export", "CSV export of that selection", "export.lua"),
    Interaction("decompte", "Décompte PDF (GET /hnp/<id>/decompte.pdf)", "decompte.lua"),
]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the database -------------------------------------------------------------------------------

def cache_key(households: int, fses: int) -> str:
    """What the prepared database depends on: the schema (migrations, models), the seeding code and
    reference data, the sizes, and the day (the demo data is dated from it)."""
    from app.domain.calendar import today_in_monaco

    digest = hashlib.sha256(f"{households}/{fses}/{SESSIONS}/{today_in_monaco()}".encode())
    patterns = ("migrations/versions/*.py", "app/models/*.py", "app/demo/*.py", "app/referentiel/data/*",
                "app/referentiel/importer.py", "tests/bench/history_bench.py", "bench/stack.py")
    for pattern in patterns:
        for path in sorted(ROOT.glob(pattern)):
            digest.update(path.relative_to(ROOT).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path:
    base = os.environ.get("FSE_BENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "portail-fse-bench")
    return Path(base)


def sqlite_database(workdir: Path, households: int, fses: int, use_cache: bool) -> tuple[str, list[stack.Account]]:
    """A copy of the prepared SQLite file for this run (prepared first when not cached)."""
    target = workdir / "bench.sqlite3"
    folder, key = cache_dir(), f"{households}-{fses}-{cache_key(households, fses)}"
    cached, accounts_file = folder / f"bench-{key}.sqlite3", folder / f"bench-{key}.accounts.json"
    if use_cache and cached.exists() and accounts_file.exists():
        log(f"database: cached {cached}")
    else:
        log(f"database: preparing {households:,} households and {fses:,} FSE (SQLite, about 40 s)")
        started = time.monotonic()
        folder.mkdir(parents=True, exist_ok=True)
        fresh = folder / f"bench-{key}.preparing"
        fresh.unlink(missing_ok=True)
        accounts = stack.prepare_database(f"sqlite:///{fresh}", households, fses, SESSIONS)
        # One prepared file kept for these sizes (70 MB for the bench's): older ones go.
        for old in folder.glob(f"bench-{households}-{fses}-*"):
            if old != fresh:
                old.unlink()
        stack.save_accounts(accounts, accounts_file)
        fresh.rename(cached)
        log(f"database: prepared in {time.monotonic() - started:.0f} s")
    shutil.copyfile(cached, target)
    return f"sqlite:///{target}", stack.load_accounts(accounts_file)


def cards(url: str, count: int) -> list[str]:
    """Cards of random households whose every member has open rights: "matricule|code|caisse"."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT f.matricule, f.code_fse, f.caisse FROM foyer f WHERE f.id > 5 AND NOT EXISTS "
            "(SELECT 1 FROM beneficiaire b WHERE b.foyer_id = f.id AND b.droits_fin IS NOT NULL) "
            "ORDER BY f.id LIMIT :count"), {"count": count}).all()
    engine.dispose()
    return ["|".join(row) for row in rows]


# --- sessions and their drafts ------------------------------------------------------------------

MEMBER = re.compile(r'name="beneficiaire_id" value="(\d+)"([^>]*)>')
LINE = re.compile(r"/fse/lignes/(\d+)/supprimer")


class BenchError(RuntimeError):
    pass


def expect(response, status: int, what: str):
    if response.status_code != status:
        raise BenchError(f"{what}: HTTP {response.status_code} (expected {status}) — {response.text[:200]!r}")
    return response


def prepare_draft(session: stack.SignedIn, card: str, attempts: int = 3) -> None:
    """An empty draft, then the card's household, its first member, and a basket of 2 lines. A
    request of the previous wrk run may still be under way on this draft when wrk stops (the
    server answers it after): the draft's version then refuses a step (409/422), and it starts again."""
    for attempt in range(attempts):
        try:
            return _prepare_draft(session, card)
        except BenchError:
            if attempt == attempts - 1:
                raise
            time.sleep(1)


def _prepare_draft(session: stack.SignedIn, card: str) -> None:
    expect(session.post("/fse/reinitialiser", htmx=False), 302, "reset")
    matricule, code, caisse = card.split("|")
    answer = expect(session.post("/fse/patient", {"matricule": matricule, "code_fse": code, "caisse": caisse}),
                    200, f"identify {matricule}")
    members = [m for m, attributes in MEMBER.findall(answer.text) if "disabled" not in attributes]
    if not members:
        raise BenchError(f"card {matricule}: no beneficiary to choose")
    expect(session.post("/fse/beneficiaire", {"beneficiaire_id": members[0]}), 200, "choose the beneficiary")
    expect(session.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1"}), 200, "NGAP act")
    answer = expect(session.post("/fse/ccam", {"code": CCAM_CODE, "activite": "1", "phase": "0", "association": "1"}),
                    200, "CCAM act")
    if len(set(LINE.findall(answer.text))) != 2:
        raise BenchError("the prepared basket does not have 2 lines")


@dataclass
class Bench:
    portal: stack.Server
    ceiling: stack.Server
    sessions: list[stack.SignedIn]
    cards: list[str]
    workdir: Path
    ordipostes: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # what an interaction worked on, printed

    def parallel(self, func, sessions=None):
        sessions = self.sessions if sessions is None else sessions
        with ThreadPoolExecutor(len(sessions)) as pool:
            return list(pool.map(func, range(len(sessions)), sessions))

    def prepare(self, name: str, count: int) -> list[dict]:
        """Bring `count` sessions to the interaction's starting state; their sessions-file fields."""
        sessions = self.sessions[:count]
        if name == "ceiling":
            return [{"session": str(i)} for i in range(count)]
        if name in {"identify", "ngap", "ccam", "billing", "fse_page"}:
            self.parallel(lambda i, s: prepare_draft(s, self.cards[2 * i]), sessions)
        elif name in {"history", "export"}:
            # The filter is kept in the session's cookie: the rows below take the new cookie.
            self.parallel(lambda i, s: expect(s.post("/historique", {"patient": HISTORY_PATIENT}), 200,
                                              "history filter"), sessions)
            if name == "export" and name not in self.notes:
                answer = expect(self.sessions[0].post("/historique/export", htmx=False), 200, "export")
                self.notes[name] = f"{answer.text.count(chr(10)) - 1} FSE, {len(answer.content) / 1024:.1f} KB of CSV"
        elif name == "decompte" and not self.ordipostes:
            page = expect(self.sessions[0].get("/hnp"), 200, "HNP page")
            self.ordipostes = list(dict.fromkeys(re.findall(r"/hnp/(\d+)/decompte\.pdf", page.text)))
            if not self.ordipostes:
                raise BenchError("medecin.demo has no ordiposte")
        rows = []
        for i, session in enumerate(sessions):
            row = {"cookie": session.cookie_header, "csrf": session.csrf,
                   "card_a": self.cards[2 * i], "card_b": self.cards[2 * i + 1]}
            if self.ordipostes:
                row["ordiposte"] = self.ordipostes[i % len(self.ordipostes)]
            rows.append(row)
        return rows

    def run(self, interaction: Interaction, count: int, duration: int) -> dict:
        rows = self.prepare(interaction.name, count)
        server = self.ceiling if interaction.name == "ceiling" else self.portal
        run = wrk(server.url, interaction, rows, duration, self.workdir)
        time.sleep(0.5)  # the requests wrk left under way when it stopped are answered meanwhile
        if interaction.name in self.notes:
            run["scheme"] += f" ({self.notes[interaction.name]})"
        return run


def wrk(url: str, interaction: Interaction, rows: list[dict], duration: int, workdir: Path) -> dict:
    """wrk with the interaction's script, one thread and one connection per row (session)."""
    count = len(rows)
    sessions_file = workdir / f"sessions-{interaction.name}-{count}.tsv"
    sessions_file.write_text("".join("\t".join(f"{k}={v}" for k, v in row.items()) + "\n" for row in rows))
    command = ["wrk", f"-t{count}", f"-c{count}", f"-d{duration}s", "--timeout", "10s",
               "-s", str(WRK_DIR / interaction.script), url + "/"]
    env = {**os.environ, "BENCH_SESSIONS": str(sessions_file), "BENCH_WRK_DIR": str(WRK_DIR)}
    done = subprocess.run(command, capture_output=True, text=True, errors="replace", env=env, timeout=duration + 60)
    (workdir / f"wrk-{interaction.name}-{count}.txt").write_text(done.stdout + done.stderr)
    line = next((text for text in done.stdout.splitlines() if text.startswith("BENCH-JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(f"wrk {interaction.name}: code {done.returncode}\n{done.stdout}\n{done.stderr}")
    return figures(interaction, count, duration, json.loads(line[len("BENCH-JSON "):]))


def figures(interaction: Interaction, count: int, duration: int, raw: dict) -> dict:
    seconds = raw["duration_us"] / 1e6
    requests = raw["requests"]
    non_2xx = sum(n for status, n in raw["statuses"].items() if not 200 <= int(status) < 300)
    socket = raw["socket_errors"]
    socket_errors = socket["connect"] + socket["read"] + socket["write"] + socket["timeout"]
    errors = non_2xx + socket_errors + raw["unexpected"]
    latency = {k: (round(v / 1000, 2) if v is not None else None) for k, v in raw["latency_us"].items()}
    return {"interaction": interaction.name, "label": interaction.label, "sessions": count,
            "duration_s": round(seconds, 2), "scheme": raw["scheme"], "requests": requests,
            "rps": round(requests / seconds, 1) if seconds else 0.0, "bytes": raw["bytes"],
            "p50_ms": latency["p50"], "p90_ms": latency["p90"], "p95_ms": latency["p95"], "p99_ms": latency["p99"],
            "max_ms": latency["max"], "mean_ms": latency["mean"], "statuses": raw["statuses"],
            "socket_errors": socket, "unexpected": raw["unexpected"], "errors": errors,
            "error_sample": raw["error_sample"] if errors else ""}


# --- extras: one request alone, outside wrk -----------------------------------------------------

def year_export(session: stack.SignedIn) -> dict:
    """« Exporter » with no filter: the 12 months (50,000 FSE), one request alone, gzip as a browser."""
    expect(session.post("/historique/reinitialiser", htmx=False), 302, "filters reset")
    started = time.perf_counter()
    answer = session.http.post(session.base_url + "/historique/export", headers={
        "X-CSRFToken": session.csrf, "Accept-Encoding": "gzip"}, stream=True)
    wire = sum(len(chunk) for chunk in answer.raw.stream(65536, decode_content=False))
    seconds = time.perf_counter() - started
    expect(answer, 200, "12 months' export")
    return {"seconds": round(seconds, 2), "bytes_on_wire": wire,
            "content_encoding": answer.headers.get("Content-Encoding", "")}


# --- the machine --------------------------------------------------------------------------------

def machine(url: str, postgres: bool) -> dict:
    import sqlite3

    import gunicorn

    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "kernel": platform.release(),
            "gunicorn": gunicorn.__version__}
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            info["ram_gib"] = round(int(line.split()[1]) / 1024 / 1024, 1)
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            info["cpu"] = line.split(":", 1)[1].strip()
            break
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                info["os"] = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    info["wrk"] = (version.stdout + version.stderr).splitlines()[0].strip()
    if postgres:
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as connection:
            info["database"] = connection.execute(text("SELECT version()")).scalar().split(",")[0]
        engine.dispose()
    else:
        info["database"] = f"SQLite {sqlite3.sqlite_version}"
    return info


GUNICORN_SETTINGS = ("worker_class", "workers", "threads", "keepalive", "timeout", "max_requests",
                     "max_requests_jitter", "preload_app", "accesslog")


def gunicorn_config(port: int) -> dict:
    """The settings gunicorn resolves for the bench's command line (its --print-config)."""
    command = stack.gunicorn_command(port, *portal_workers())
    printed = subprocess.run(command[:-1] + ["--print-config", command[-1]], cwd=ROOT, capture_output=True,
                             text=True, env={**os.environ, "FSE_COOKIE_SECURE": "0"})
    settings = {}
    for line in printed.stdout.splitlines():
        name, _, value = line.partition("=")
        if name.strip() in GUNICORN_SETTINGS:
            settings[name.strip()] = value.strip()
    return {"command": " ".join(Path(part).name if i == 0 else part for i, part in enumerate(command)),
            "settings": settings}


def portal_workers() -> tuple[int | None, int | None]:
    """make run's workers: app/gunicorn_conf.py's when present, else make run's `--workers 2`."""
    return (None, None) if (ROOT / "app" / "gunicorn_conf.py").exists() else (2, None)


# --- the report ---------------------------------------------------------------------------------

def ms(value) -> str:
    return "—" if value is None else (f"{value:.1f}" if value < 100 else f"{value:.0f}")


def add_ratios(runs: list[dict]) -> None:
    """Each run's req/s over the ceiling's with as many sessions, in this run."""
    ceilings = {run["sessions"]: run["rps"] for run in runs if run["interaction"] == "ceiling"}
    for run in runs:
        ceiling = ceilings.get(run["sessions"])
        run["ratio"] = round(run["rps"] / ceiling, 4) if ceiling else None


def table(runs: list[dict]) -> str:
    lines = ["| interaction | sessions | req/s | p50 ms | p95 ms | p99 ms | ratio to ceiling | errors |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for run in runs:
        ratio = "1" if run["interaction"] == "ceiling" else (
            f"{100 * run['ratio']:.1f} %" if run.get("ratio") is not None else "—")
        lines.append(f"| {run['label']} | {run['sessions']} | {run['rps']:,.0f} | {ms(run['p50_ms'])} | "
                     f"{ms(run['p95_ms'])} | {ms(run['p99_ms'])} | {ratio} | {run['errors']} |")
    return "\n".join(lines)


def _round(value):
    return None if value is None else round(value, 1)


def targets(runs: list[dict]) -> list[dict]:
    found = []
    loaded = {run["interaction"]: run for run in runs if run["sessions"] == SESSIONS}
    alone = {run["interaction"]: run for run in runs if run["sessions"] == 1}
    for name, run in alone.items():
        if name != "ceiling":
            found.append({"target": f"alone: {run['label']} p95 ≤ {ALONE_P95_MS:g} ms", "value": _round(run["p95_ms"]),
                          "unit": "ms", "pass": run["p95_ms"] is not None and run["p95_ms"] <= ALONE_P95_MS})
    for name, run in loaded.items():
        if name != "ceiling":
            found.append({"target": f"{SESSIONS} sessions: {run['label']} p95 ≤ {LOADED_P95_MS:g} ms",
                          "value": _round(run["p95_ms"]), "unit": "ms",
                          "pass": run["p95_ms"] is not None and run["p95_ms"] <= LOADED_P95_MS})
    for name, share in RATIO_TARGETS.items():
        if name in loaded and loaded[name].get("ratio") is not None:
            found.append({"target": f"{SESSIONS} sessions: {loaded[name]['label']} ≥ {share:.0%} of the ceiling's req/s",
                          "value": round(100 * loaded[name]["ratio"], 1), "unit": "%",
                          "pass": loaded[name]["ratio"] >= share})
    return found


def print_report(results: dict) -> None:
    """The machine, the table, how each interaction is driven, the targets and the errors."""
    info, settings, runs = results["machine"], results["gunicorn"]["settings"], results["runs"]
    database = results["database"]
    print()
    print(f"Portail FSE bench, {results['date']} — {info['cpu']}, {info['nproc']} cores, {info['ram_gib']} GiB, "
          f"{info['database']}, Python {info['python']}, gunicorn {info['gunicorn']} ({settings.get('worker_class')}, "
          f"{settings.get('workers')} workers × {settings.get('threads')} threads)")
    print(f"{database['households']:,} households, {database['fses']:,} FSE of medecin.demo; {results['sessions']} "
          f"sessions for {results['duration_s']} s, one session alone for {results['alone_duration_s']} s; "
          f"wrk -tN -cN, one connection a session")
    print()
    print(table(runs))
    print()
    for run in runs:
        if run["sessions"] == results["sessions"] and run["interaction"] != "ceiling":
            print(f"- {run['interaction']}: {run['scheme']}")
    export = results["extras"].get("export_12_months_alone")
    if export:
        print(f"- export of the 12 months ({database['fses']:,} FSE), one request alone: {export['seconds']} s, "
              f"{export['bytes_on_wire'] / 1e6:.1f} MB on the wire ({export['content_encoding'] or 'identity'})")
    print()
    print("Targets (issue 11, item 3):")
    for target in results["targets"]:
        print(f"  {'PASS' if target['pass'] else 'FAIL'}  {target['target']}: {target['value']} {target['unit']}")
    errors = [run for run in runs if run["errors"]]
    if errors:
        print()
        print("!!! ERRORS: " + ", ".join(f"{r['interaction']} ({r['sessions']}): {r['errors']}/{r['requests']}"
                                         for r in errors) + " — the figures of these runs are not to be trusted")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL instead of SQLite")
    parser.add_argument("--duration", type=int, default=20, help="seconds of each 16-session run (20)")
    parser.add_argument("--alone-duration", type=int, default=10, help="seconds of each one-session run (10)")
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--fses", type=int, default=50_000)
    parser.add_argument("--only", default="", help="interactions to run, comma-separated (the ceiling always runs)")
    parser.add_argument("--no-alone", action="store_true", help="skip the one-session runs")
    parser.add_argument("--no-cache", action="store_true", help="prepare the SQLite database again")
    parser.add_argument("--output", type=Path, help="bench/results.json (bench/results-postgres.json with --postgres)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target of issue 11 fails")
    parser.add_argument("--report", type=Path, metavar="RESULTS_JSON",
                        help="print the table and targets of a results file written before, run nothing")
    args = parser.parse_args(argv)
    if args.report:
        print_report(json.loads(args.report.read_text()))
        return 0
    if shutil.which("wrk") is None:
        print("wrk is missing: `apt-get install wrk` (make bench installs it when run as root).", file=sys.stderr)
        return 2
    chosen = [i for i in INTERACTIONS if not args.only or i.name == "ceiling" or i.name in args.only.split(",")]
    output = args.output or ROOT / "bench" / ("results-postgres.json" if args.postgres else "results.json")
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="fse-bench-"))
    with stack.throwaway_postgres() if args.postgres else _nothing() as postgres:
        if postgres is not None:
            log(f"database: preparing {args.households:,} households and {args.fses:,} FSE (PostgreSQL, about 1-2 min)")
            url = postgres.url
            accounts = stack.prepare_database(url, args.households, args.fses, SESSIONS)
        else:
            url, accounts = sqlite_database(workdir, args.households, args.fses, not args.no_cache)
        prepared = time.monotonic() - started
        household_cards = cards(url, 2 * SESSIONS)
        workers, threads = portal_workers()
        portal = stack.Server(stack.free_port(), stack.server_env(url), workers, threads, log=workdir / "portal.log")
        ceiling = stack.Server(stack.free_port(), stack.server_env(url), workers, threads, app="bench.ceiling:app",
                               log=workdir / "ceiling.log")
        config = gunicorn_config(portal.port)
        log(f"gunicorn: {config['command']} ({', '.join(f'{k}={v}' for k, v in config['settings'].items())})")
        try:
            portal.start()
            ceiling.start(wait_path="/")
            log(f"signing in {SESSIONS} sessions")
            with ThreadPoolExecutor(SESSIONS) as pool:
                sessions = list(pool.map(lambda account: stack.sign_in(portal.url, account), accounts[:SESSIONS]))
            bench = Bench(portal, ceiling, sessions, household_cards, workdir)
            runs = []
            plan = [(i, SESSIONS, args.duration) for i in chosen]
            if not args.no_alone:
                plan += [(i, 1, args.alone_duration) for i in chosen if i.fse or i.name == "ceiling"]
            for interaction, count, duration in plan:
                log(f"{interaction.name}: {count} session{'s' if count > 1 else ''}, {duration} s")
                run = bench.run(interaction, count, duration)
                runs.append(run)
                if run["errors"]:
                    log(f"!!! {interaction.name}: {run['errors']} ERRORS of {run['requests']} requests "
                        f"(statuses {run['statuses']}, sockets {run['socket_errors']}, "
                        f"unexpected answers {run['unexpected']}): {run['error_sample'][:200]!r}")
            extras = {}
            if not args.only or "export" in args.only.split(","):
                log("export of the 12 months, one request alone")
                extras["export_12_months_alone"] = year_export(sessions[-1])
        finally:
            portal.stop()
            ceiling.stop()
        info = machine(url, args.postgres)
    add_ratios(runs)
    found = targets(runs)
    elapsed = time.monotonic() - started
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": info,
               "gunicorn": config, "database": {"kind": "postgresql" if args.postgres else "sqlite",
                                                "households": args.households, "fses": args.fses,
                                                "preparation_s": round(prepared, 1)},
               "sessions": SESSIONS, "duration_s": args.duration, "alone_duration_s": args.alone_duration,
               "runs": runs, "extras": extras, "targets": found, "elapsed_s": round(elapsed, 1)}
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print_report(results)
    print(f"\nWritten {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}; "
          f"{elapsed:.0f} s in all. Logs: {workdir}")
    failing = [run for run in runs if run["requests"] == 0 or run["errors"] > run["requests"] / 2]
    if failing:
        print("!!! FAILED: " + ", ".join(r["interaction"] for r in failing) + " mostly failed (session, CSRF?)",
              file=sys.stderr)
        return 1
    if args.strict and not all(t["pass"] for t in found):
        return 1
    return 0


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main())

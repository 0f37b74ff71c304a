"""The registry import of N members (100,000 by default) on SQLite, and on a throwaway PostgreSQL when
its binaries are installed: seconds and peak memory of a first import (all created), of a second
(all unchanged), of an update (one member in ten changed), and of a file refused for one bad row.

Not a test: figures vary with the machine. Run: `.venv/bin/python tests/bench/registre_bench.py [N]`.
The file is generated deterministically (app/registre/generated.py: the same N, the same bytes).
Each measure runs in a fresh process (`--child`), so that its peak resident memory (ru_maxrss) is
its own; the baseline is the process before the import (app, reference data, file read).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT  # noqa: E402

STEPS = ("first", "second", "update", "refused")
LABELS = {"first": "First import (every household and member created)",
          "second": "Same file again (every row unchanged)",
          "update": "Update: one member in ten changed (rights end)",
          "refused": "One bad row (the last line): refused, nothing written"}


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def make_app(url: str):
    from app import create_app
    from app.config import TestConfig

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    settings.update(SQLALCHEMY_DATABASE_URI=url, WTF_CSRF_ENABLED=False)
    return create_app(settings)


def child(url: str, path: str, step: str) -> None:
    """One measure in this process: print a JSON line."""
    app = make_app(url)
    with app.app_context():
        from app.extensions import db
        from app.registre import importer

        data = Path(path).read_bytes()
        db.session.execute(db.text("SELECT 1"))
        baseline = rss_mb()
        started = time.perf_counter()
        report = importer.import_registre(db.session, data, Path(path).name)
        if report.refused:
            db.session.rollback()
        else:
            db.session.commit()
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak, "baseline_mb": baseline, "lignes": report.lignes,
                      "membres": [report.membres.crees, report.membres.modifies, report.membres.inchanges],
                      "foyers": [report.foyers.crees, report.foyers.modifies, report.foyers.inchanges],
                      "erreurs": [str(e) for e in report.errors]}))


def prepare(url: str) -> None:
    """Schema by the migrations and the reference data (the ETM natures the file names)."""
    app = make_app(url)
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db
        from app.referentiel.importer import import_referentiel

        upgrade()
        import_referentiel(db.session)
        db.session.commit()


def files(members: int, folder: Path) -> dict[str, Path]:
    from app.registre.generated import generated_registry

    data = generated_registry(members)
    lines = data.decode().split("\n")
    update = list(lines)
    for index in range(1, len(update) - 1, 10):  # one member in ten: his rights end on 31/12/2026
        cells = update[index].split(";")
        cells[10] = "31/12/2026"
        update[index] = ";".join(cells)
    refused = list(lines)
    cells = refused[-2].split(";")
    cells[8] = "31/02/1990"
    refused[-2] = ";".join(cells)
    paths = {"first": folder / "registre.csv", "update": folder / "registre-maj.csv",
             "refused": folder / "registre-faux.csv"}
    paths["first"].write_bytes(data)
    paths["update"].write_text("\n".join(update), encoding="utf-8")
    paths["refused"].write_text("\n".join(refused), encoding="utf-8")
    paths["second"] = paths["first"]
    return paths


def measure(label: str, url: str, paths: dict[str, Path]) -> list[tuple[str, str]]:
    prepare(url)
    rows = []
    for step in STEPS:
        out = subprocess.run([sys.executable, __file__, "--child", url, str(paths[step]), step],
                             capture_output=True, text=True, check=True, cwd=ROOT)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        counts = (f"members {result['membres'][0]} created / {result['membres'][1]} updated / "
                  f"{result['membres'][2]} unchanged" if not result["erreurs"] else result["erreurs"][0])
        rows.append((f"{label} — {LABELS[step]}",
                     f"{result['seconds']:.1f} s, peak RSS {result['peak_mb']:.0f} MB "
                     f"(before the import {result['baseline_mb']:.0f} MB)", counts))
        print(f"  {rows[-1][0]}: {rows[-1][1]} — {counts}", flush=True)
    return rows


def main(members: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fse-registre-bench-"))
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    paths = files(members, folder)
    size = paths["first"].stat().st_size / 1024 / 1024
    print(f"Generated {members:,} members ({size:.1f} MB) in {time.perf_counter() - started:.1f} s", flush=True)
    rows = measure("SQLite", f"sqlite:///{folder}/bench.sqlite3", paths)
    try:
        from tests import pg_server

        server = pg_server.start()
    except Exception as exc:  # no PostgreSQL here: SQLite's figures only
        print(f"PostgreSQL skipped: {exc}")
    else:
        try:
            rows += measure("PostgreSQL", server.url, paths)
        finally:
            server.stop()
    print(f"\n| Registry import, {members:,} members ({size:.1f} MB) | figure | report |")
    print("| --- | --- | --- |")
    for row in rows:
        print(f"| {row[0]} | {row[1]} | {row[2]} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        child(*sys.argv[2:5])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

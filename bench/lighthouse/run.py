"""Lighthouse mobile scores of the login page and of the FSE page (README, « Accessibilité »).

    make lighthouse          # or: .venv/bin/python bench/lighthouse/run.py [--json FILE] [--reports DIR]

Not a test, and not in `make test`. What it does:
1. a throwaway SQLite database prepared as `make database` prepares one (`flask db upgrade`,
   `flask referentiel import --si-vide`, `flask demo seed`: the demo data with its year of practice);
2. the portal served by gunicorn (`gunicorn -w 2 -b 127.0.0.1:PORT wsgi:app`, FSE_COOKIE_SECURE=0 for
   local http) on a free loopback port;
3. medecin.demo signed in over HTTP (password, then the TOTP code of its public demo secret) and a
   basket prepared on the server (card 100001, Hugo Bellando, C + MD), so that the FSE page shows the
   household, the entry lines and the basket, as a praticien sees it mid-FSE;
4. Lighthouse (npm `lighthouse`, pinned with its dependencies in bench/lighthouse/package-lock.json and
   installed here with `npm ci` when missing) with its default mobile preset (emulated mid-range phone,
   simulated slow 4G), Debian's Chromium (CHROME_PATH) headless with --no-sandbox: the login page,
   then the FSE page with the session cookie passed by --extra-headers;
5. prints the four category scores of both pages (and writes them as JSON with --json).

Lighthouse 12.8 is the last line that runs on Debian's Node 20 (13.x needs Node >= 22.19).
Everything runs on 127.0.0.1 and stops by itself; the database and gunicorn go away at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = ROOT / ".venv" / "bin"
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"FCP": "first-contentful-paint", "LCP": "largest-contentful-paint", "TBT": "total-blocking-time",
           "CLS": "cumulative-layout-shift", "SI": "speed-index"}
PASSWORD = "Demo-FSE-2026"
MEDECIN_SECRET = "UVZL6KNGEKP5GPAE75WHHK25CBCNAFZ6"  # public demo secret (README, « Comptes de démonstration »)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def lighthouse_installed() -> Path:
    if not LIGHTHOUSE.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=HERE, check=True)
    return LIGHTHOUSE


def prepare_database(env: dict) -> None:
    """The three steps of `make database`, on the throwaway database."""
    for args in (["db", "upgrade"], ["referentiel", "import", "--si-vide"], ["demo", "seed"]):
        subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 30) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté au démarrage (code {process.returncode})")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn ne répond pas sur {url}")


def post(session, base: str, path: str, data: dict, page: str | None = None):
    """A form post as the browser sends it: the CSRF token read from the page that shows the form."""
    html = session.get(base + (page or path)).text
    response = session.post(base + path, data={**data, "csrf_token": CSRF.search(html).group(1)})
    response.raise_for_status()
    return response


def signed_in_cookie(base: str) -> str:
    """Sign medecin.demo in and leave a basket in his draft; returns the Cookie header value."""
    import pyotp
    import requests

    session = requests.Session()
    post(session, base, "/connexion", {"identifiant": "medecin.demo", "mot_de_passe": PASSWORD})
    post(session, base, "/connexion/code", {"code": pyotp.TOTP(MEDECIN_SECRET).now()})
    assert "Identification de votre patient" in session.get(base + "/fse").text, "connexion refusée"
    post(session, base, "/fse/patient", {"matricule": "100001", "code_fse": "K7P2", "caisse": "CCSS"}, "/fse")
    page = session.get(base + "/fse").text
    member = re.search(r'name="beneficiaire_id" value="(\d+)"[^>]*>\s*<span class="member-name">Hugo', page)
    post(session, base, "/fse/beneficiaire", {"beneficiaire_id": member.group(1)}, "/fse")
    post(session, base, "/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1", "majorations": "MD"}, "/fse")
    assert "C 1 + MD" in session.get(base + "/fse").text, "le panier n'a pas été préparé"
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def run_lighthouse(url: str, chromium: str, report: Path, headers: dict | None = None) -> dict:
    command = [str(LIGHTHOUSE), url, "--output=json", "--output=html", f"--output-path={report}", "--quiet",
               "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
    if headers:
        command.append(f"--extra-headers={json.dumps(headers)}")
    subprocess.run(command, env={**os.environ, "CHROME_PATH": chromium}, check=True)
    result = json.loads(report.with_suffix(".report.json").read_text())
    if result.get("runtimeError"):
        raise SystemExit(f"Lighthouse : {result['runtimeError']}")
    audits = result["audits"]
    return {"path": urllib.parse.urlsplit(result["finalDisplayedUrl"]).path, "lighthouse": result["lighthouseVersion"],
            "form_factor": result["configSettings"]["formFactor"],
            "scores": {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES},
            "metrics": {name: audits[audit]["displayValue"] for name, audit in METRICS.items()},
            "bytes": int(audits["total-byte-weight"]["numericValue"])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the scores there as JSON")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's HTML and JSON reports in this folder")
    options = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        raise SystemExit("chromium introuvable : installez le paquet Debian « chromium » (make test-tools).")
    lighthouse_installed()
    work = Path(tempfile.mkdtemp(prefix="fse-lighthouse-"))
    reports = options.reports or work
    reports.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = {**os.environ, "FLASK_APP": "wsgi", "FSE_COOKIE_SECURE": "0",
           "FSE_DATABASE_URL": f"sqlite:///{work / 'fse.sqlite3'}", "FSE_BASE_URL": f"http://127.0.0.1:{port}"}
    server = None
    try:
        print("Base de données comme `make database` (migrations, référentiel, démonstration)…", flush=True)
        prepare_database(env)
        server = subprocess.Popen([str(BIN / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base + "/sante", server)
        results = {"date": date.today().isoformat(), "chromium": subprocess.run(
            [chromium, "--version"], capture_output=True, text=True).stdout.strip(), "pages": {}}
        print("Lighthouse : page de connexion…", flush=True)
        results["pages"]["connexion"] = run_lighthouse(base + "/connexion", chromium, reports / "connexion")
        cookie = signed_in_cookie(base)
        print("Lighthouse : page FSE (connecté, panier C + MD)…", flush=True)
        results["pages"]["fse"] = run_lighthouse(base + "/fse", chromium, reports / "fse", {"Cookie": cookie})
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(15)
        if options.reports is None:
            shutil.rmtree(work, ignore_errors=True)
        else:
            (work / "fse.sqlite3").unlink(missing_ok=True)
    version = next(iter(results["pages"].values()))["lighthouse"]
    print(f"\nLighthouse {version}, mobile, {results['chromium']}, {results['date']}")
    print(f"{'page':<12}" + "".join(f"{c:>16}" for c in CATEGORIES) + "   " + "  ".join(METRICS) + "  octets")
    for name, page in results["pages"].items():
        print(f"{name:<12}" + "".join(f"{page['scores'][c]:>16}" for c in CATEGORIES) + "   "
              + "  ".join(page["metrics"].values()) + f"  {page['bytes']}")
    if options.json:
        options.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    if options.reports:
        print(f"Rapports : {options.reports}/*.report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The FSE page's weight on the wire, with all its assets, as `make run` serves it.

Starts gunicorn with the very command line of `make run` (read from `make -n run`), on a throwaway
SQLite database prepared as `make run` prepares one (migrations, reference data, demo data with its
year of practice), signs in as medecin.demo, identifies a patient, adds a few acts, then fetches the
FSE page and every asset it references (stylesheet, scripts, icons, and what the stylesheet itself
references) the way a browser does on a first visit: `Accept-Encoding: gzip`, one request each.

"On the wire" is every byte of each HTTP/1.1 response as the socket receives it: status line,
headers and body (compressed when the server compressed it; chunk framing included when chunked).
TCP/IP and TLS framing are not counted, nor the requests' own bytes. The body-only figure is printed
too. A repeat visit re-fetches only what is not cached as `immutable`.

    .venv/bin/python bench/page_weight.py [--json bench/page_weight.json] [--database-url URL]

Targets 127.0.0.1 only; gunicorn is stopped at the end.
"""

from __future__ import annotations

import argparse
import gzip
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zlib
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
TARGET_BYTES = 40 * 1024
IDENTIFIANT, PASSWORD = "medecin.demo", "Demo-FSE-2026"
CARD = ("100001", "K7P2", "CCSS")  # the Bellando household (README, « Cartes de démonstration »)
ACCEPT_ENCODING = "gzip"  # the issue's measure
CHROMIUM_ENCODINGS = "gzip, deflate, br, zstd"  # what Chromium sends over https and to 127.0.0.1


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    content_encoding: str
    cache_control: str
    header_bytes: int
    body_bytes: int
    decoded_bytes: int

    @property
    def wire_bytes(self) -> int:
        return self.header_bytes + self.body_bytes


# --- gunicorn as `make run` starts it --------------------------------------------------------------

def make_run_command(port: int) -> str:
    """The gunicorn command line of the Makefile's `run` target, as make would run it (by `sh`)."""
    dry = subprocess.run(["make", "--no-print-directory", "-n", "run", f"PORT={port}"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in dry.splitlines() if "gunicorn" in line and not line.strip().startswith("echo")]
    if not lines:
        raise SystemExit("`make -n run` ne montre pas de commande gunicorn")
    return lines[-1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare_database(url: str, env: dict[str, str]) -> None:
    """What `make run` does before serving: migrations, reference data, demo data (with activity)."""
    for args in (["db", "upgrade"], ["referentiel", "import", "--si-vide"], ["demo", "seed"]):
        done = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"flask {' '.join(args)} : {done.stdout}{done.stderr}")


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn s'est arrêté (code {server.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/sante", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn ne répond pas")


# --- the flow of a praticien, with the standard library ---------------------------------------------

class Browser:
    """Cookies and CSRF tokens through urllib: enough to sign in and fill the FSE page."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, form_page: str) -> str:
        token = csrf_from(self.get(form_page))
        body = urllib.parse.urlencode({**data, "csrf_token": token}, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return response.read().decode()

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise SystemExit("pas de jeton CSRF dans la page")
    return match.group(1)


def fill_the_fse_page(browser: Browser) -> None:
    """Sign in with the TOTP code, identify the Bellando card, pick Hugo, add three acts."""
    sys.path.insert(0, str(ROOT))
    from app.demo.seed import DEMO_PRATICIENS
    from app.domain.totp import code_at, time_step

    secret = next(d.totp_secret for d in DEMO_PRATICIENS if d.identifiant == IDENTIFIANT)
    browser.post("/connexion", {"identifiant": IDENTIFIANT, "mot_de_passe": PASSWORD}, "/connexion")
    browser.post("/connexion/code", {"code": code_at(secret, time_step(time.time()))}, "/connexion/code")
    page = browser.post("/fse/patient", {"matricule": CARD[0], "code_fse": CARD[1], "caisse": CARD[2]}, "/fse")
    members = re.findall(r'name="beneficiaire_id" value="(\d+)"', page)
    if not members:
        raise SystemExit("la connexion ou l'identification du patient a échoué")
    browser.post("/fse/beneficiaire", {"beneficiaire_id": members[-1]}, "/fse")
    browser.post("/fse/ngap", {"lettre": "C", "coefficient": "1", "diviseur": "1", "majorations": ["MD"]}, "/fse")
    for code in ("DEQP003", "ZBQK002"):
        browser.post("/fse/ccam", {"code": code, "activite": "1", "phase": "0", "association": "1"}, "/fse")
    page = browser.get("/fse")
    if not all(code in page for code in ("C 1 + MD", "DEQP003", "ZBQK002")):
        raise SystemExit("le panier n'a pas ses trois actes")


# --- one request, every byte counted -----------------------------------------------------------------

def fetch(port: int, path: str, cookie: str, accept: str) -> tuple[Fetched, bytes]:
    """GET over a raw socket (HTTP/1.1, Connection: close): the bytes as received, then decoded."""
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: {accept}\r\n"
               f"User-Agent: page-weight\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").encode()
    received = bytearray()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        while chunk := sock.recv(65536):
            received += chunk
    head, _, body = bytes(received).partition(b"\r\n\r\n")
    lines = head.decode("iso-8859-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    payload = dechunk(body) if headers.get("transfer-encoding", "").lower() == "chunked" else body
    encoding = headers.get("content-encoding", "")
    decoded = DECODERS.get(encoding, lambda data: data)(payload)
    return Fetched(path, status, headers.get("content-type", ""), encoding, headers.get("cache-control", ""),
                   len(head) + 4, len(body), len(decoded)), decoded


def _brotli(data: bytes) -> bytes:
    import brotli  # installed with flask-compress

    return brotli.decompress(data)


DECODERS = {"gzip": gzip.decompress, "br": _brotli, "deflate": zlib.decompress}


def dechunk(body: bytes) -> bytes:
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


class AssetLinks(HTMLParser):
    """What a browser fetches for a page: stylesheets, icons, scripts, images."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("href") and {"stylesheet", "icon"} & set((attrs.get("rel") or "").split()):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src") and not attrs["src"].startswith("data:"):
            self.urls.append(attrs["src"])


def css_references(css: str, base: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css)
    return [urllib.parse.urljoin(base, url) for url in found if not url.startswith("data:")]


def weigh(port: int, cookie: str, accept: str) -> list[Fetched]:
    fetched: list[Fetched] = []
    page, html = fetch(port, "/fse", cookie, accept)
    if page.status != 200:
        raise SystemExit(f"/fse : {page.status}")
    fetched.append(page)
    parser = AssetLinks()
    parser.feed(html.decode())
    queue, seen = list(dict.fromkeys(parser.urls)), set()
    while queue:
        url = queue.pop(0)
        if url in seen or urllib.parse.urlsplit(url).netloc:
            continue
        seen.add(url)
        item, body = fetch(port, url, cookie, accept)
        fetched.append(item)
        if item.content_type.startswith("text/css"):
            queue += css_references(body.decode(), url)
    return fetched


def report(fetched: list[Fetched], accept: str) -> dict:
    first = sum(item.wire_bytes for item in fetched)
    repeat = sum(item.wire_bytes for item in fetched if "immutable" not in item.cache_control)
    return {
        "accept_encoding": accept,
        "counted": "each response's status line, headers and body as received (HTTP/1.1, no TLS/TCP framing)",
        "resources": [{**asdict(item), "wire_bytes": item.wire_bytes} for item in fetched],
        "total_wire_bytes": first,
        "total_body_bytes": sum(item.body_bytes for item in fetched),
        "total_decoded_bytes": sum(item.decoded_bytes for item in fetched),
        "repeat_visit_wire_bytes": repeat,
        "target_bytes": TARGET_BYTES,
        "within_target": first <= TARGET_BYTES,
    }


def print_report(result: dict) -> None:
    print(f"{'ressource':58} {'statut':>6} {'codage':>6} {'en-têtes':>9} {'corps':>8} {'décodé':>8}  cache")
    for item in result["resources"]:
        print(f"{item['url'][:58]:58} {item['status']:>6} {item['content_encoding'] or '-':>6} "
              f"{item['header_bytes']:>9,} {item['body_bytes']:>8,} {item['decoded_bytes']:>8,}  {item['cache_control']}")
    kb = lambda n: f"{n / 1024:.1f} KB"  # noqa: E731
    print(f"Total sur le fil (en-têtes + corps) : {kb(result['total_wire_bytes'])} "
          f"(corps {kb(result['total_body_bytes'])}, décodé {kb(result['total_decoded_bytes'])}) ; "
          f"cible ≤ {kb(result['target_bytes'])} : {'tenue' if result['within_target'] else 'DÉPASSÉE'}")
    print(f"Visite suivante (ressources immutable en cache) : {kb(result['repeat_visit_wire_bytes'])}")
    chromium = result["chromium"]
    print(f"Avec l'Accept-Encoding de Chromium ({chromium['accept_encoding']}) : "
          f"{kb(chromium['total_wire_bytes'])} (corps {kb(chromium['total_body_bytes'])})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    parser.add_argument("--database-url", help="serve this database (already prepared) instead of a throwaway one")
    args = parser.parse_args()

    port = free_port()
    folder = tempfile.mkdtemp(prefix="page-weight-")
    url = args.database_url or f"sqlite:///{folder}/fse.sqlite3"
    env = {**os.environ, "FSE_DATABASE_URL": url, "FLASK_APP": "wsgi", "FSE_COOKIE_SECURE": "0", "PORT": str(port)}
    if not args.database_url:
        print("Base jetable : migrations, référentiel, données de démonstration…", flush=True)
        prepare_database(url, env)
    command = make_run_command(port)
    print("Serveur :", command, flush=True)
    log = open(Path(folder) / "gunicorn.log", "wb")  # noqa: SIM115
    # In a session of its own: stopping the process group stops the shell, gunicorn and its workers.
    server = subprocess.Popen(["sh", "-c", command], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_up(port, server)
        browser = Browser(f"http://127.0.0.1:{port}")
        fill_the_fse_page(browser)
        result = report(weigh(port, browser.cookie_header(), ACCEPT_ENCODING), ACCEPT_ENCODING)
        chromium = report(weigh(port, browser.cookie_header(), CHROMIUM_ENCODINGS), CHROMIUM_ENCODINGS)
        result["chromium"] = {key: chromium[key] for key in ("accept_encoding", "total_wire_bytes",
                                                             "total_body_bytes", "repeat_visit_wire_bytes")}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
    result["command"] = command
    print_report(result)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fingerprinted static files (app/web/static.py): hashed URLs in every page, a year of immutable
caching for them, a short policy for un-hashed or stale URLs, and a new hash when the file changes."""

from __future__ import annotations

import gzip
import hashlib
import os
import re

import pytest
from flask import Flask, url_for

from app.config import PROJECT_ROOT
from app.web.compression import register_compression
from app.web.static import IMMUTABLE, register_static

HASHED = re.compile(r"^/static/(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[a-z]+)$")


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def digest_of(relative: str) -> str:
    return hashlib.sha256((PROJECT_ROOT / "static" / relative).read_bytes()).hexdigest()[:12]


def test_every_static_url_of_the_page_carries_the_file_hash(desk):
    urls = static_urls(desk.client.get("/fse").get_data(as_text=True))
    assert {"css/app.css", "js/print.js", "img/logo.svg"} <= {HASHED.match(u)["stem"] + HASHED.match(u)["ext"]
                                                               for u in urls if HASHED.match(u)}
    assert any(u.startswith("/static/vendor/htmx-2.0.11.min.") for u in urls)
    for url in urls:
        match = HASHED.match(url)
        assert match, f"URL sans empreinte : {url}"
        assert match["digest"] == digest_of(match["stem"] + match["ext"])


def test_hashed_urls_are_immutable_for_a_year_and_never_no_store(desk):
    html = desk.client.get("/fse").get_data(as_text=True)
    for url in set(static_urls(html)):
        response = desk.client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
        assert "Pragma" not in response.headers and response.headers["ETag"]
    assert desk.client.get("/fse").headers["Cache-Control"] == "no-store"  # the page itself stays private


def test_unhashed_urls_still_work_and_are_revalidated(desk):
    response = desk.client.get("/static/css/app.css")
    assert response.status_code == 200 and response.data == (PROJECT_ROOT / "static/css/app.css").read_bytes()
    assert response.headers["Cache-Control"] == "no-cache" and response.mimetype == "text/css"
    again = desk.client.get("/static/css/app.css", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    font = desk.client.get("/static/fonts/DejaVuSans.ttf", headers={"Accept-Encoding": "gzip"})
    assert font.status_code == 200 and "Content-Encoding" not in font.headers  # fonts are for the PDFs


def test_conditional_requests_on_a_compressed_file(client):
    url = f"/static/css/app.{digest_of('css/app.css')}.css"
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["ETag"].endswith(':gzip"')
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.headers["Cache-Control"] == IMMUTABLE
    plain = client.get(url)
    assert client.get(url, headers={"If-None-Match": plain.headers["ETag"]}).status_code == 304


def test_a_stale_hash_serves_the_current_file_uncached_and_a_missing_file_is_404(client):
    stale = client.get("/static/css/app.0123456789ab.css")
    assert stale.status_code == 200 and stale.data == (PROJECT_ROOT / "static/css/app.css").read_bytes()
    assert stale.headers["Cache-Control"] == "no-cache"  # never pinned for a year under a wrong name
    assert client.get("/static/css/absent.0123456789ab.css").status_code == 404
    assert client.get("/static/css/absent.css").status_code == 404
    assert client.get("/static/../app/config.py").status_code == 404
    assert client.get("/static/%2e%2e/app/config.py").status_code == 404
    assert client.get("/static/css").status_code == 404  # a folder


@pytest.fixture
def site(tmp_path):
    """A small app on a temporary static folder, fingerprinted and compressed like the portal."""
    folder = tmp_path / "static"
    (folder / "css").mkdir(parents=True)
    app = Flask(__name__, static_folder=str(folder))
    register_static(app)
    register_compression(app)
    return app, folder / "css" / "site.css"


def test_the_hash_changes_when_the_content_changes(site):
    app, css = site
    css.write_text("body { color: black; }\n" * 40)
    with app.test_request_context():
        first = url_for("static", filename="css/site.css")
    css.write_text("body { color: navy; }\n" * 40)
    os.utime(css, ns=(css.stat().st_atime_ns, css.stat().st_mtime_ns + 1_000_000_000))
    with app.test_request_context():
        second = url_for("static", filename="css/site.css")
    assert HASHED.match(first) and HASHED.match(second) and first != second
    assert HASHED.match(second)["digest"] == hashlib.sha256(css.read_bytes()).hexdigest()[:12]
    client = app.test_client()
    fresh = client.get(second, headers={"Accept-Encoding": "gzip"})
    assert fresh.headers["Cache-Control"] == IMMUTABLE and b"navy" in gzip.decompress(fresh.data)
    old = client.get(first)  # an old page's URL: the current file, not cached for a year
    assert old.status_code == 200 and b"navy" in old.data and old.headers["Cache-Control"] == "no-cache"


def test_a_file_without_extension_is_served_as_is(site):
    app, css = site
    (css.parent / "LICENSE").write_text("MIT")
    with app.test_request_context():
        assert url_for("static", filename="css/LICENSE") == "/static/css/LICENSE"
    assert app.test_client().get("/static/css/LICENSE").data == b"MIT"


def test_a_static_file_touches_neither_the_session_nor_the_database(desk, app):
    from sqlalchemy import event

    from app.extensions import db

    url = next(u for u in static_urls(desk.client.get("/fse").get_data(as_text=True)) if u.endswith(".css"))
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        response = desk.client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert response.status_code == 200 and statements == []
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")

"""Compressed responses (flask-compress, app/web/compression.py): pages, fragments, static files, the
streamed CSV; never PDFs, tiny bodies, or a page another site asked for (BREACH)."""

from __future__ import annotations

import gzip
import re
from datetime import timedelta

import brotli
import pytest
from app.web.pdf import pdf_response
from tests.history.conftest import make_fse, monaco  # noqa: F401 - make_fse is a fixture
from tests.history.test_export import export, read_csv

GZIP = {"Accept-Encoding": "gzip, deflate"}  # what Chromium sends over http


def vary(response) -> list[str]:
    return [value.strip().lower() for value in response.headers.get("Vary", "").split(",") if value.strip()]


def static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_the_fse_page_is_gzip_only_when_asked(desk):
    plain = desk.client.get("/fse")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    html = plain.get_data(as_text=True)
    assert "DEQP003" in html and "ZBQK002" in html and "<html" in html
    packed = desk.client.get("/fse", headers=GZIP)
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Cache-Control"] == "no-store"
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 3
    assert "<html" in gzip.decompress(packed.data).decode()
    assert {"hx-request", "accept-encoding"} <= set(vary(packed))


def test_stylesheet_and_scripts_are_gzip_only_when_asked(desk):
    html = desk.client.get("/fse").get_data(as_text=True)
    css = next(url for url in static_urls(html) if url.endswith(".css"))
    htmx = next(url for url in static_urls(html) if "htmx" in url)
    for url, marker in ((css, b"{"), (htmx, b"htmx")):
        plain = desk.client.get(url)
        assert plain.status_code == 200 and "Content-Encoding" not in plain.headers and marker in plain.data
        packed = desk.client.get(url, headers=GZIP)
        assert packed.headers["Content-Encoding"] == "gzip" and "accept-encoding" in vary(packed)
        assert gzip.decompress(packed.data) == plain.data
        assert "cookie" not in vary(packed) and "Set-Cookie" not in packed.headers  # same file for everyone


def test_brotli_when_offered_gzip_otherwise(desk):
    html = desk.client.get("/fse").get_data(as_text=True)
    css = next(url for url in static_urls(html) if url.endswith(".css"))
    plain = desk.client.get(css).data
    packed = desk.client.get(css, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert packed.headers["Content-Encoding"] == "br" and brotli.decompress(packed.data) == plain
    assert desk.client.get(css, headers={"Accept-Encoding": "deflate, zstd"}).headers.get("Content-Encoding") is None


def test_an_htmx_fragment_is_compressed_and_still_a_fragment(desk):
    response = desk.post("/fse/ngap", {"lettre": "V", "coefficient": "1", "diviseur": "1", "majorations": []},
                         headers={"HX-Request": "true", **GZIP})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    fragment = gzip.decompress(response.data).decode()
    assert 'id="panier"' in fragment and "<html" not in fragment and "V 1" in fragment
    assert vary(response)[:2] == ["hx-request", "accept-encoding"]


def test_small_bodies_and_pdfs_are_not_compressed(app, client):
    health = client.get("/sante", headers=GZIP)
    assert health.status_code == 200 and "Content-Encoding" not in health.headers  # under 500 bytes
    with app.test_request_context("/hnp/decompte.pdf", headers=GZIP):  # every after_request hook runs
        response = app.process_response(pdf_response(b"%PDF-1.4 " + b"0" * 20_000, "decompte.pdf"))
    assert "Content-Encoding" not in response.headers and len(response.get_data()) > 20_000


def test_a_cross_site_request_gets_no_compression(desk):
    """BREACH: the CCAM search reflects `q` in a page that carries the CSRF token."""
    path = "/fse/ccam/recherche?q=radio+thorax"
    same = desk.client.get(path, headers={**GZIP, "Sec-Fetch-Site": "same-origin"})
    assert same.status_code == 200 and same.headers["Content-Encoding"] == "gzip"
    for other in ("cross-site", "same-site"):  # another site, or a sibling subdomain
        cross = desk.client.get(path, headers={**GZIP, "Sec-Fetch-Site": other})
        assert cross.status_code == 200 and "Content-Encoding" not in cross.headers
        assert "csrf" in cross.get_data(as_text=True).lower() and "accept-encoding" in vary(cross)
    typed = desk.client.get(path, headers={**GZIP, "Sec-Fetch-Site": "none"})  # typed in the address bar
    assert typed.headers["Content-Encoding"] == "gzip"


@pytest.mark.parametrize("encoding", ["gzip", "br"])
def test_the_streamed_csv_export_is_compressed_chunk_by_chunk(make_fse, auth, encoding):  # noqa: F811
    for days in (1, 2, 3):
        make_fse(sent=monaco(make_fse.today - timedelta(days=days), 9))
    auth.login("medecin.demo")
    plain = export(auth)
    packed = auth.post("/historique/export", {}, get_path="/historique", buffered=True,
                       headers={"Accept-Encoding": encoding})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == encoding
    assert "Content-Length" not in packed.headers  # streamed, not gathered then compressed
    assert packed.headers["Content-Disposition"].startswith("attachment;")
    decode = gzip.decompress if encoding == "gzip" else brotli.decompress
    assert read_csv(decode(packed.get_data())) == read_csv(plain.get_data())
    assert len(read_csv(plain.get_data())) == 4

"""The FSE page with every asset it references, gzip, stays within the issue's 40 KB: a regression
(an uncompressed type, a new heavy script, a bloated page) fails here. bench/page_weight.py measures
the same through gunicorn, as `make run` serves it."""

from __future__ import annotations

import gzip
import re
from urllib.parse import urljoin

TARGET = 40 * 1024
# What gunicorn adds to each response and the test client does not show: `Server`, `Date`,
# `Connection: close` (about 70 bytes); counted generously.
SERVER_HEADERS = 100


def wire_bytes(response) -> int:
    """Status line, headers and body, as an HTTP/1.1 server sends them."""
    head = f"HTTP/1.1 {response.status}\r\n" + "".join(f"{k}: {v}\r\n" for k, v in response.headers.items()) + "\r\n"
    return len(head.encode("latin-1")) + SERVER_HEADERS + len(response.data)


def assets_of(html: str) -> list[str]:
    """What a browser fetches for the page: stylesheets and icons, scripts, images (once each)."""
    links = re.findall(r'<link\b[^>]*\brel="(?:stylesheet|icon)"[^>]*\bhref="([^"]+)"', html)
    sources = re.findall(r'<(?:script|img)\b[^>]*\bsrc="([^"]+)"', html)
    return list(dict.fromkeys(url for url in links + sources if not url.startswith("data:")))


def test_the_fse_page_and_its_assets_weigh_at_most_40_kb_gzip(desk):
    gzip_only = {"Accept-Encoding": "gzip"}
    page = desk.client.get("/fse", headers=gzip_only)
    assert page.status_code == 200 and page.headers["Content-Encoding"] == "gzip"
    html = desk.client.get("/fse").get_data(as_text=True)
    assert "DEQP003" in html and "ZBQK002" in html  # the page with its basket, not an empty one
    assets = assets_of(html)
    assert any(url.endswith(".css") for url in assets) and any("htmx" in url for url in assets)
    responses = [page]
    for url in assets:  # grows with what a stylesheet references (fonts, images), if it ever does
        response = desk.client.get(url, headers=gzip_only)
        assert response.status_code == 200, url
        responses.append(response)
        if response.mimetype == "text/css":
            css = gzip.decompress(response.data).decode()
            for found in re.findall(r"url\(\s*['\"]?([^'\")]+)", css):
                if not found.startswith("data:") and urljoin(url, found) not in assets:
                    assets.append(urljoin(url, found))
    total = sum(wire_bytes(response) for response in responses)
    detail = ", ".join(f"{url}: {wire_bytes(r)}" for url, r in zip(["/fse", *assets], responses))
    assert total <= TARGET, f"{total} octets > {TARGET} ({detail})"

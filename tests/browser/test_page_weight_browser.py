"""In Chromium: htmx fragments arrive compressed (Brotli) and still swap; the fingerprinted stylesheet and scripts
load under the strict CSP and, on the next page, come from the browser's cache without a request."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_fse_browser import choose, desk_for, identify, settle  # noqa: F401 - desk_for is a fixture

pytestmark = pytest.mark.browser


def test_compressed_fragments_swap_and_assets_stay_cached(desk_for):  # noqa: F811
    page = desk_for("medecin.demo")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    assert page.evaluate("typeof htmx") == "object"  # the hashed script ran (script-src 'self')
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).display") != "inline"
    identify(page, "100001", "K7P2")
    choose(page, "Hugo Bellando")
    with page.expect_response(lambda r: r.url.endswith("/fse/ngap")) as answer:
        page.get_by_label("Lettre clé").fill("C")
        page.locator("#ngap").get_by_role("button", name="Ajouter").click()
    response = answer.value
    # Chromium offers "gzip, deflate, br, zstd" (br even over http on 127.0.0.1): the portal picks br.
    assert response.status == 200 and response.headers.get("content-encoding") == "br"
    assert response.request.headers.get("hx-request") == "true"
    page.locator("#panier").get_by_text("C 1").first.wait_for()  # swapped in place
    settle(page)

    page.goto(page.url.split("/fse")[0] + "/historique")  # a new page: same stylesheet and scripts
    page.wait_for_load_state("load")
    entries = page.evaluate("""performance.getEntriesByType('resource')
        .filter(e => e.name.includes('/static/'))
        .map(e => ({name: e.name, transferSize: e.transferSize}))""")
    assert entries and all("." in e["name"].rsplit("/", 1)[1] for e in entries)
    assert [e for e in entries if e["transferSize"] != 0] == []  # served from cache, not even revalidated
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e]

"""Compressed responses (flask-compress): pages, htmx fragments, CSS, JavaScript, SVG, CSV.

- Brotli to the browsers that offer it (Chromium does over https and on 127.0.0.1), gzip to the others.
  Levels for a small host that compresses every page as it draws it: gzip 4 and Brotli 4. Measured on
  the FSE page (21.5 KB): gzip 6 → 4 takes a third less CPU for 3 % more bytes (4.73 → 4.89 KB: the
  same four TCP segments); Brotli 4 costs what gzip 4 does and is smaller than gzip 6 (4.65 KB), where
  Brotli 5 took twice the CPU. The static files, fetched once per version and then cached for a year,
  weigh 1.4 KB more in all (33.8 KB for the page and its assets). Brotli comes as a wheel with
  flask-compress (no compiler). zstd and deflate are not offered: gzip and Brotli cover every browser.
- Only text types: HTML, CSS, JavaScript, SVG, CSV, JSON, plain text. PDFs, images and fonts are not
  compressed (PDFs are compressed inside; nothing fetches the fonts, which the PDFs read from disk).
- Not under 500 bytes (the gzip header and the CPU are not worth it), not on a status outside 2xx
  (flask-compress's rule: 422 fragments are small).
- Streamed responses (the CSV export of « Historique FSE ») are compressed as they stream, chunk by
  chunk (gzip or Brotli), so 50,000 rows still go out in constant memory.
- `Vary: Accept-Encoding` on every response, next to `Vary: HX-Request` where a view set it; a strong
  ETag gets the encoding appended (`"…:gzip"`) and conditional GETs are answered after compression.
- BREACH: a response that reflects what a request carries (the CCAM search's `?q=`) next to a secret
  (the CSRF token in every page) must not be compressed for a request another site made: a request
  from another site or a sibling subdomain (`Sec-Fetch-Site: cross-site` or `same-site`, sent by every
  current browser) gets its answer uncompressed. Same-origin requests — everything the portal's own
  pages do — and typed addresses (`none`) are compressed. The other reasons it holds are in the
  README (« Performance », page weight).

Registered as the very last `after_request` function, so it compresses the final body, after every
other hook (security headers, no-store) has run.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_compress import Compress

SETTINGS = {
    "COMPRESS_REGISTER": False,  # called by _compress below, not by flask-compress's own hook
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "image/svg+xml",
        "text/csv",
        "application/json",
        "text/plain",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_STREAMS": True,
    "COMPRESS_LEVEL": 4,
    "COMPRESS_BR_LEVEL": 4,
    "COMPRESS_MIN_SIZE": 500,
}


def register_compression(app: Flask) -> None:
    """Compress what the app answers (settings above, each overridable in the app's config)."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    app.config["COMPRESS_REGISTER"] = False
    compress = Compress()  # one per app: it keeps the app's mimetypes and algorithms
    compress.init_app(app)
    app.extensions["compress"] = compress

    def _compress(response: Response) -> Response:
        if request.headers.get("Sec-Fetch-Site") in ("cross-site", "same-site"):
            response.vary.add("Accept-Encoding")
            return response
        return compress.after_request(response)

    # after_request functions run in the reverse order of their registration: first in the list is last.
    app.after_request_funcs.setdefault(None, []).insert(0, _compress)

"""Fingerprinted static files: a hash of the content in every static URL, cached for a year.

`url_for('static', filename='css/app.css')` builds `/static/css/app.<12 hex of sha256>.css` (one
`url_defaults` hook, so every template and every Python caller gets it); the static view serves that
URL with `Cache-Control: public, max-age=31536000, immutable`. A change of the file changes its URL,
so a browser never keeps an old stylesheet or script after a deployment, and never asks again for the
current one.

- The hash is computed from the bytes on disk, once per file and kept with the file's (mtime, size):
  a URL build costs one `stat`, and an edited file (development, or files replaced in place by a
  deployment) gets its new hash on the next page, in every worker and on every host alike.
- An un-hashed URL (`/static/css/app.css`: an old tab, a printed page, a bookmark, a tool) still
  serves the current file, with `Cache-Control: no-cache` and an ETag (revalidated each time).
- A hashed URL whose hash is not the current file's (a page rendered by a host that already has the
  next version, during a rolling deployment, or an old page after one) serves the current file too,
  never a 404 that would leave the page unstyled, but with `no-cache`: a year-long cache must only
  ever hold the bytes the hash names.
- Files are served from memory (read once per version), not streamed, so that flask-compress
  compresses them (app/web/compression.py) and answers conditional requests with its own ETag.
  The PDFs' fonts are read from disk by xhtml2pdf (app/web/pdf.py), not through these URLs.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import posixpath
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, current_app, request, session
from werkzeug.security import safe_join

HASH_LENGTH = 12
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")


@dataclass(frozen=True)
class StaticFile:
    data: bytes
    digest: str
    mtime: float
    version: tuple[int, int]  # (mtime_ns, size): when it changes, the file is read and hashed again


class StaticFiles:
    """The static folder's files, their bytes and hashes, kept per file version."""

    def __init__(self, folder: str | Path):
        self.folder = str(Path(folder).resolve())
        self._files: dict[str, StaticFile] = {}

    def get(self, filename: str) -> StaticFile | None:
        """The current version of a file of the folder, or None (missing, outside, not a file)."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode):
            return None
        version = (info.st_mtime_ns, info.st_size)
        known = self._files.get(filename)
        if known is not None and known.version == version:
            return known
        with open(path, "rb") as handle:
            data = handle.read()
        entry = StaticFile(data, hashlib.sha256(data).hexdigest()[:HASH_LENGTH], info.st_mtime, version)
        self._files[filename] = entry  # one assignment: safe with threaded workers
        return entry

    def fingerprinted(self, filename: str) -> str:
        """`css/app.css` → `css/app.<hash>.css`; a missing file or one without extension stays as is."""
        stem, ext = posixpath.splitext(filename)
        entry = self.get(filename) if ext else None
        return f"{stem}.{entry.digest}{ext}" if entry else filename

    def resolve(self, filename: str) -> tuple[StaticFile, bool] | None:
        """The file a URL names and whether the URL carries its current hash (so is immutable)."""
        entry = self.get(filename)
        if entry is not None:
            return entry, False
        match = _HASHED.match(filename)
        if match is None:
            return None
        entry = self.get(match["stem"] + match["ext"])
        if entry is None:
            return None
        return entry, entry.digest == match["digest"]


def serve_static(filename: str) -> Response:
    """The view of the `static` endpoint: the file from memory with its caching policy."""
    found = current_app.extensions["fse_static"].resolve(filename)
    if found is None:
        abort(404)
    entry, immutable = found
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = current_app.response_class(entry.data, mimetype=mimetype)
    response.set_etag(entry.digest)
    response.last_modified = entry.mtime
    response.headers["Cache-Control"] = IMMUTABLE if immutable else REVALIDATE
    return response.make_conditional(request)


def register_static(app: Flask) -> None:
    """Serve the static folder fingerprinted, and fingerprint every `url_for('static', …)`."""
    files = StaticFiles(app.static_folder)
    app.extensions["fse_static"] = files
    app.view_functions["static"] = serve_static

    @app.url_defaults
    def _fingerprint(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values:
            values["filename"] = files.fingerprinted(values["filename"])

    def _no_vary_cookie(response: Response) -> Response:
        """A static file is the same for everyone: Flask-Login's after_request reads the session on
        every request, which would make Flask add `Vary: Cookie`, and a browser's cache would then
        miss the year-long cached file whenever the session cookie changes (at each sign-in)."""
        if request.endpoint == "static":
            session.accessed = False
        return response

    # After every other after_request function (first in the list runs last), Flask-Login's included.
    app.after_request_funcs.setdefault(None, []).insert(0, _no_vary_cookie)

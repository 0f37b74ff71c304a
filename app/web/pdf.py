"""HTML to PDF with xhtml2pdf, DejaVu Sans embedded, local files limited to the font folder.

xhtml2pdf's default Helvetica prints blanks for characters outside Latin-1 (≥, →, Œ in some names…),
so the PDFs' CSS embeds DejaVu Sans from static/fonts/. Since xhtml2pdf 0.2.28 a document reads local
files only under the roots its resource policy allows: the policy below allows the font folder and
nothing else (no network, no other file), whatever the rendered HTML asks for.
"""

from __future__ import annotations

from io import BytesIO

from flask import Response, make_response
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.config import PROJECT_ROOT

FONT_DIR = PROJECT_ROOT / "static" / "fonts"
POLICY = ResourceAccessPolicy.server(FONT_DIR, allow_remote=False)


class PdfError(RuntimeError):
    """xhtml2pdf could not build the document."""


def html_to_pdf(html: str) -> bytes:
    """Render trusted, autoescaped HTML to PDF bytes under the font-folder-only policy."""
    buffer = BytesIO()
    result = pisa.CreatePDF(html, dest=buffer, encoding="utf-8", resource_policy=POLICY)
    if result.err:
        raise PdfError(f"xhtml2pdf : {result.err} erreur(s)")
    return buffer.getvalue()


def pdf_response(content: bytes, filename: str, inline: bool = False) -> Response:
    """A PDF to download (or to open in the tablet's viewer, `inline`), never kept in a cache."""
    response = make_response(content)
    response.mimetype = "application/pdf"
    response.headers["Content-Disposition"] = f'{"inline" if inline else "attachment"}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response

"""The fiche de décompte of an ordiposte as an A4 PDF (xhtml2pdf), with DejaVu Sans embedded.

xhtml2pdf's default Helvetica prints blanks for characters outside Latin-1 (≥, →, Œ in some names…),
so the PDF's CSS embeds DejaVu Sans from static/fonts/. Since xhtml2pdf 0.2.28 a document reads local
files only under the roots its resource policy allows: the policy below allows the font folder and
nothing else (no network, no other file), whatever the rendered HTML asks for.
"""

from __future__ import annotations

from io import BytesIO

from flask import render_template
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from app.config import PROJECT_ROOT
from app.domain.money import ZERO
from app.domain.professions import display_name, hnp_label
from app.hnp.services import caisse_name

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


def decompte_pdf(ordiposte, fses, praticien, printed_on) -> bytes:
    """The fiche de décompte of `ordiposte` (the FSE it paid, in order) for `praticien`."""
    html = render_template("hnp/decompte.html", ordiposte=ordiposte, fses=fses, praticien=praticien,
                           printed_on=printed_on, caisse_name=caisse_name, font_dir=FONT_DIR.as_posix(),
                           hnp_word=hnp_label(praticien.profession),
                           praticien_name=display_name(praticien.profession, praticien.prenom, praticien.nom),
                           total_base=sum((fse.total_base for fse in fses), ZERO))
    return html_to_pdf(html)

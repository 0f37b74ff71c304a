"""The fiche de décompte of an ordiposte as an A4 PDF (app/web/pdf.py renders it)."""

from __future__ import annotations

from flask import render_template

from app.domain.money import ZERO
from app.domain.professions import display_name, hnp_label
from app.hnp.services import caisse_name
from app.web.pdf import FONT_DIR, html_to_pdf


def decompte_pdf(ordiposte, fses, praticien, printed_on) -> bytes:
    """The fiche de décompte of `ordiposte` (the FSE it paid, in order) for `praticien`."""
    html = render_template("hnp/decompte.html", ordiposte=ordiposte, fses=fses, praticien=praticien,
                           printed_on=printed_on, caisse_name=caisse_name, font_dir=FONT_DIR.as_posix(),
                           hnp_word=hnp_label(praticien.profession),
                           praticien_name=display_name(praticien.profession, praticien.prenom, praticien.nom),
                           total_base=sum((fse.total_base for fse in fses), ZERO))
    return html_to_pdf(html)

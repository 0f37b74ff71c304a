"""The employer's copy of a prescription d'IT: an A4 PDF that holds no medical element at all.

Its template reads only the document's non-medical columns (patient, employer, dates, kind of
arrêt, sorties, reference) and the praticien's identity; the medical token is never opened here.
"""

from __future__ import annotations

from flask import render_template

from app.domain.formulaires import SORTIES, duration_days
from app.domain.professions import PROFESSIONS, display_name
from app.hnp.services import caisse_name
from app.web.pdf import FONT_DIR, html_to_pdf


def employer_copy_pdf(document, printed_on) -> bytes:
    """The employer's copy of a transmitted IT, to print, sign, stamp and hand to the patient."""
    praticien = document.praticien
    html = render_template(
        "formulaires/copie_employeur.html", document=document, praticien=praticien,
        praticien_name=display_name(praticien.profession, praticien.prenom, praticien.nom),
        profession=PROFESSIONS[praticien.profession], caisse_name=caisse_name, sorties=SORTIES,
        days=duration_days(document.date_debut, document.date_fin), printed_on=printed_on,
        font_dir=FONT_DIR.as_posix())
    return html_to_pdf(html)

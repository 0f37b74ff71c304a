"""The fiche de décompte of an ordiposte as an A4 PDF (app/web/pdf.py renders it)."""

from __future__ import annotations

import threading
from collections import OrderedDict

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


# The last décomptes drawn, by what they print: an ordiposte's paid FSE never change (a paid FSE is
# final, app/domain/lifecycle.py), so the same ordiposte, praticien and day give the same PDF. A few
# dozen of 10–60 KB each per process; a download then costs no rendering (about 100 ms each).
_RECENT: OrderedDict[tuple, bytes] = OrderedDict()
_RECENT_MAX = 48
_lock = threading.Lock()


def decompte_pdf_kept(ordiposte, read_fses, praticien, printed_on) -> bytes:
    """`decompte_pdf`, drawn once per ordiposte, praticien's name and day in this process."""
    key = (ordiposte.id, ordiposte.cree_le, ordiposte.reference, ordiposte.nombre_fse, ordiposte.montant, ordiposte.date_paiement,
           praticien.id, praticien.profession, praticien.nom, praticien.prenom, printed_on)
    with _lock:
        if key in _RECENT:
            _RECENT.move_to_end(key)
            return _RECENT[key]
    content = decompte_pdf(ordiposte, read_fses(), praticien, printed_on)
    with _lock:
        _RECENT[key] = content
        while len(_RECENT) > _RECENT_MAX:
            _RECENT.popitem(last=False)
    return content

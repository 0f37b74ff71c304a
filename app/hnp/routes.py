"""« HNP »: the ordipostes that paid the praticien's HNP/RDD FSE, filtered by payment period, and the
fiche de décompte of each as a PDF.

The filters are a GET form (payment dates are not patient data): the list is one partial, the htmx
response on its own and included by the page. An assistant sees and downloads what his praticien
sees; another praticien's ordiposte is a 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from app.audit.services import record
from app.domain.calendar import today_in_monaco
from app.domain.professions import hnp_label
from app.extensions import db
from app.hnp import services
from app.hnp.forms import OrdiposteFilterForm
from app.hnp.pdf import decompte_pdf_kept
from app.web.htmx import render_region
from app.web.pdf import pdf_response

bp = Blueprint("hnp", __name__, url_prefix="/hnp")


@bp.get("")
@login_required
def page():
    """The ordipostes, newest payment first, 25 a page; a wrong period is a 422 with its message."""
    form = OrdiposteFilterForm(formdata=request.args)
    result, status = None, 422
    if form.validate():
        result = services.ordipostes_page(current_user.praticien_id, form.du.data, form.au.data,
                                          request.args.get("page", 1, type=int))
        status = 200
    return render_region("hnp/page.html", "hnp/_ordipostes.html", status, form=form, result=result,
                         filter_args=form.query_args() if result else {},
                         hnp_word=hnp_label(current_user.praticien.profession), caisse_name=services.caisse_name)


@bp.get("/<int:ordiposte_id>/decompte.pdf")
@login_required
def decompte(ordiposte_id: int):
    """The fiche de décompte of one of the praticien's ordipostes, as a PDF to download (audited)."""
    ordiposte = services.ordiposte_of(current_user.praticien_id, ordiposte_id)
    if ordiposte is None:
        abort(404)
    content = decompte_pdf_kept(ordiposte, lambda: services.paid_fses(ordiposte), current_user.praticien,
                                today_in_monaco())
    record("ordiposte.decompte", "succes", compte=current_user.compte, objet_type="ordiposte",
           objet_id=ordiposte.id)
    db.session.commit()
    return pdf_response(content, f"decompte-{ordiposte.reference}.pdf")

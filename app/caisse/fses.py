"""The agent's « FSE reçues »: every praticien's transmitted FSE, filtered (praticien, transmission
days, caisse, status, HNP/RDD) with their count and amounts; one FSE as received, rejected with a
reason (contract article 10); transmitted HNP/RDD FSE ticked and paid in an ordiposte, whose fiche
de décompte the agent downloads. The médecin conseil gets 403 here; a praticien and his assistants too.

The list is a GET form: the results are one partial, the htmx response on its own and included by
the page. The rejection and the ordiposte are plain POST forms answered by a redirect (or the page
again with 422 and the message): they work without JavaScript.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.audit.services import record
from app.caisse import fse_services as services
from app.caisse.access import staff_required
from app.caisse.fse_forms import OrdiposteForm, ReceivedFilterForm, RejectionForm
from app.caisse.routes import bp
from app.domain.access import AGENT, ROLE_LABELS, is_staff
from app.domain.caisse_fses import DEADLINE_TEXT, MOTIF_MAX_CHARS, processable, rejection_refusal
from app.domain.calendar import today_in_monaco
from app.domain.lifecycle import LIBELLES, TRANSMISE
from app.domain.professions import hnp_label
from app.extensions import db
from app.hnp.pdf import decompte_pdf
from app.hnp.services import OrdiposteError, caisse_name, paid_fses
from app.models import Compte, Praticien
from app.web.htmx import render_region
from app.web.pdf import pdf_response


def _filter_form() -> ReceivedFilterForm:
    return ReceivedFilterForm.from_request(request.args, services.praticien_choices(), today_in_monaco())


def _list(form: ReceivedFilterForm, order: OrdiposteForm, status: int = 200, error: str | None = None):
    """The page (or, for htmx, its results) of the filtered list; a wrong filter: 422 with its message."""
    result = None
    if form.validate():
        result = services.received_page(form.filters(), request.args.get("page", 1, type=int))
    else:
        status = 422
    payable = result is not None and form.filters().payable
    return render_region("caisse/fses.html", "caisse/_fses.html", status, form=form, order=order, result=result,
                         payable=payable, error=error, filter_args=form.query_args(), statuts=LIBELLES,
                         caisse_name=caisse_name, ordiposte_max=services.ORDIPOSTE_MAX_FSE, deadline=DEADLINE_TEXT)


@bp.get("/fses")
@staff_required(AGENT)
def fses():
    """« FSE reçues »: the transmitted FSE, newest first, 50 a page (the last 30 days at first)."""
    return _list(_filter_form(), OrdiposteForm(formdata=None, date_paiement=today_in_monaco()))


@bp.post("/ordipostes")
@staff_required(AGENT)
def create_ordiposte():
    """« Créer l'ordiposte »: the ticked HNP/RDD FSE of one praticien and one caisse become `payee`
    in a new ordiposte, once (another agent's payment of one of them first: nothing is written)."""
    form = _filter_form()
    order = OrdiposteForm()
    order.today = today_in_monaco()
    order.latest_sent = services.latest_transmission_of(order.ticked_ids())
    if not order.validate():
        return _list(form, order, 422)
    try:
        ordiposte = services.pay_in_ordiposte(order.fse_ids(), order.date_paiement.data, current_user.compte)
        db.session.commit()
    except OrdiposteError as refusal:
        db.session.rollback()
        return _list(form, order, 422, error=str(refusal))
    flash(f"Ordiposte {ordiposte.reference} créé : {ordiposte.nombre_fse} FSE payée"
          f"{'s' if ordiposte.nombre_fse > 1 else ''}.", "success")
    return redirect(url_for("caisse.ordiposte", ordiposte_id=ordiposte.id), code=303)


def _names(*ids) -> dict[int, str]:
    """The accounts' names, the caisse's staff with their role (one query)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {c.id: f"{c.prenom} {c.nom}" + (f" ({ROLE_LABELS[c.role].lower()})" if is_staff(c.role) else "")
            for c in db.session.scalars(select(Compte).where(Compte.id.in_(wanted)))}


def _back_args() -> dict[str, str]:
    """The list's filters the detail came from, to go back to the same list."""
    return {key: value for key, value in request.args.items() if key in ReceivedFilterForm._field_names()}


def _detail(fse, form: RejectionForm, status: int = 200):
    names = _names(fse.compte_id, fse.transmise_par_id, fse.statut_change_par_id)
    praticien = db.session.get(Praticien, fse.praticien_id)
    at = services.now()
    # Transmitted but still in the practice's deletion window: the form gives way to « from when ».
    not_yet = fse.statut == TRANSMISE and not processable(fse.transmise_le, at)
    return render_template(
        "caisse/fse.html", fse=fse, form=form, praticien=praticien, names=names, statuts=LIBELLES,
        hnp_word=hnp_label(praticien.profession), caisse_name=caisse_name, back_args=_back_args(),
        refusal=rejection_refusal(fse.statut, fse.transmise_le, at), not_yet=not_yet,
        motif_max=MOTIF_MAX_CHARS), status


@bp.get("/fses/<int:fse_id>")
@staff_required(AGENT)
def fse(fse_id: int):
    """One FSE as received: praticien, patient, acts and totals, who transmitted it, its statuses; and
    « Rejeter » while it is transmise, once the praticien can no longer delete it (until then: from
    when it can be rejected). A draft or an unknown id: 404."""
    received = services.received_fse(fse_id)
    if received is None:
        abort(404)
    return _detail(received, RejectionForm(formdata=None))


@bp.post("/fses/<int:fse_id>/rejet")
@staff_required(AGENT)
def reject_fse(fse_id: int):
    """« Rejeter »: a transmitted FSE becomes `rejetee` with its reason, once; the praticien sees it in
    his history and in a notice at his next sign-in. A paid, deleted or rejected FSE is not changed,
    nor one the praticien may still delete (transmitted today, before 22:00 Monaco)."""
    received = services.received_fse(fse_id)
    if received is None:
        abort(404)
    at = services.now()
    refusal = rejection_refusal(received.statut, received.transmise_le, at)
    if refusal is None:
        form = RejectionForm()
        if not form.validate():
            return _detail(received, form, 422)
        try:
            services.reject_fse(received, form.motif.data, current_user.compte, at=at)
            db.session.commit()
            flash("FSE rejetée : le praticien voit le motif dans son historique et un avis à sa prochaine "
                  "connexion.", "success")
        except services.RejectionError as error:
            db.session.rollback()
            refusal = str(error)
    if refusal is not None:
        flash(refusal, "warning")
    return redirect(url_for("caisse.fse", fse_id=fse_id, **_back_args()), code=303)


def _ordiposte_or_404(ordiposte_id: int):
    """An ordiposte and its praticien; 404 when there is none."""
    found = services.ordiposte_by_id(ordiposte_id)
    if found is None:
        abort(404)
    return found, db.session.get(Praticien, found.praticien_id)


@bp.get("/ordipostes/<int:ordiposte_id>")
@staff_required(AGENT)
def ordiposte(ordiposte_id: int):
    """An ordiposte: its reference, praticien, caisse, payment date, amount and the FSE it paid."""
    found, praticien = _ordiposte_or_404(ordiposte_id)
    return render_template("caisse/ordiposte.html", ordiposte=found, fses=paid_fses(found), praticien=praticien,
                           names=_names(found.cree_par_id), caisse_name=caisse_name,
                           hnp_word=hnp_label(praticien.profession), transmise=TRANSMISE)


@bp.get("/ordipostes/<int:ordiposte_id>/decompte.pdf")
@staff_required(AGENT)
def decompte(ordiposte_id: int):
    """The fiche de décompte of an ordiposte, the praticien's own PDF, for the agent (audited)."""
    found, praticien = _ordiposte_or_404(ordiposte_id)
    content = decompte_pdf(found, paid_fses(found), praticien, today_in_monaco())
    record("caisse.ordiposte.decompte", "succes", compte=current_user.compte, praticien_id=found.praticien_id,
           objet_type="ordiposte", objet_id=found.id)
    db.session.commit()
    return pdf_response(content, f"decompte-{found.reference}.pdf")

"""The agent's « Demandes d'abonnement »: the requests sent from the public page, pending first; a
request's page with every field of it, a warning when its praticien seems to have an access already,
its approval (the one-time activation link shown once, never in a redirect) or its refusal."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField

from app.caisse import demandes_services as services
from app.caisse.access import ReasonForm, staff_required
from app.caisse.routes import bp
from app.domain.abonnement import EN_ATTENTE, PROFESSIONS_DEMANDE, STATUTS
from app.domain.access import AGENT
from app.domain.praticiens import (
    clean_identifiant,
    clean_text,
    identifiant_problem,
    specialite_problem,
    taken_message,
)
from app.extensions import db
from app.models import DemandeAbonnement
from app.web.htmx import hx_redirect, render_region, wants_fragment

ALREADY_TREATED = "Cette demande a déjà été traitée : voici sa décision."


class ApproveForm(FlaskForm):
    """The agent confirms the identifiant and the label shown on the praticien's documents."""

    identifiant = StringField("Identifiant de connexion")
    specialite = StringField("Spécialité affichée")

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.identifiant.data = clean_identifiant(self.identifiant.data)
        self.specialite.data = clean_text(self.specialite.data)
        for field, problem in ((self.identifiant, identifiant_problem(self.identifiant.data)),
                               (self.specialite, specialite_problem(self.specialite.data))):
            if problem:
                field.errors = [*field.errors, problem]
                ok = False
        return ok


class RefuseForm(ReasonForm):
    """A refusal says why (the reason is kept with the request)."""

    NO_REASON = "Écrivez le motif du refus : il sera communiqué au demandeur."
    motif = TextAreaField("Motif du refus", render_kw={"rows": 3})


def _demande(demande_id: int) -> DemandeAbonnement:
    return db.get_or_404(DemandeAbonnement, demande_id)


def _back_to(demande_id: int):
    """After a POST that changed nothing worth showing: the request's page (HX-Redirect for htmx)."""
    target = url_for("caisse.demande", demande_id=demande_id)
    return hx_redirect(target) if wants_fragment() else redirect(target, code=303)


@bp.get("/demandes")
@staff_required(AGENT)
def demandes():
    """The subscription requests, pending first (oldest first), by status."""
    statut = request.args.get("statut", "")
    statut = statut if statut in STATUTS else ""
    result = services.requests_page(statut, request.args.get("page", 1, type=int))
    return render_region("caisse/demandes.html", "caisse/_demandes_liste.html", result=result, statut=statut,
                         statuts=STATUTS, professions=PROFESSIONS_DEMANDE, pending=services.pending_count())


def _detail(demande: DemandeAbonnement, approve_form=None, refuse_form=None, status: int = 200):
    """The request's page, or its decision region for an htmx form (422 with the errors)."""
    if approve_form is None:
        approve_form = ApproveForm(formdata=None, data=services.proposal(demande)) \
            if demande.statut == EN_ATTENTE else None
    refuse_form = refuse_form or (RefuseForm(formdata=None) if demande.statut == EN_ATTENTE else None)
    return render_region("caisse/demande.html", "caisse/_demande_decision.html", status, demande=demande,
                         approve_form=approve_form, refuse_form=refuse_form, statuts=STATUTS,
                         professions=PROFESSIONS_DEMANDE, duplicates=services.duplicates(demande),
                         treatment=services.treatment(demande))


@bp.get("/demandes/<int:demande_id>")
@staff_required(AGENT)
def demande(demande_id: int):
    """Every field of a request, the praticiens it may duplicate, and its decision."""
    return _detail(_demande(demande_id))


@bp.post("/demandes/<int:demande_id>/approbation")
@staff_required(AGENT)
def approve_demande(demande_id: int):
    """Approve: the praticien's account is created and its one-time activation link shown, once, in
    this response (a 200, not a redirect: the link never sits in a cookie or in the history)."""
    demande = _demande(demande_id)
    if demande.statut != EN_ATTENTE:
        flash(ALREADY_TREATED, "warning")
        return _back_to(demande_id)
    form = ApproveForm()
    if not form.validate():
        return _detail(demande, approve_form=form, status=422)
    try:
        approval = services.approve(demande.id, current_user.compte, form.identifiant.data, form.specialite.data)
    except services.IdentifiantTaken:
        form.identifiant.errors = [*form.identifiant.errors, taken_message(form.identifiant.data)]
        return _detail(db.session.get(DemandeAbonnement, demande_id), approve_form=form, status=422)
    if approval is None:
        flash(ALREADY_TREATED, "warning")
        return _back_to(demande_id)
    response = render_region("caisse/demande_approuvee.html", "caisse/_lien_activation.html",
                             praticien=approval.praticien, identifiant=approval.compte.identifiant,
                             link=approval.link, approved=True)
    if wants_fragment():
        # The link replaces the whole page's content, not only the form's region.
        response.headers["HX-Retarget"], response.headers["HX-Reswap"] = "#contenu", "innerHTML"
    return response


@bp.post("/demandes/<int:demande_id>/refus")
@staff_required(AGENT)
def refuse_demande(demande_id: int):
    """Refuse with a mandatory reason, kept with the request and audited."""
    demande = _demande(demande_id)
    if demande.statut != EN_ATTENTE:
        flash(ALREADY_TREATED, "warning")
        return _back_to(demande_id)
    form = RefuseForm()
    if not form.validate():
        return _detail(demande, refuse_form=form, status=422)
    if not services.refuse(demande.id, current_user.compte, form.motif.data):
        flash(ALREADY_TREATED, "warning")
        return _back_to(demande_id)
    flash(f"Demande {demande.reference} refusée. Communiquez le motif au demandeur ({demande.email}).", "success")
    return _back_to(demande_id)

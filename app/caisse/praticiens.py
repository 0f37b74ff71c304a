"""The agent's « Praticiens »: search the praticiens who have an access, open a practice (its accounts,
their validity, last sign-in and second factor), suspend its access with a reason (contract article
5: the praticien and his assistants are signed out at once and cannot sign in), reactivate it, and
give a new one-time activation link to a praticien who never activated his account."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import TextAreaField

from app.caisse import praticiens_services as services
from app.caisse.access import ReasonForm, staff_required
from app.caisse.routes import bp
from app.domain.access import AGENT, ROLE_LABELS, account_valid_on
from app.domain.calendar import today_in_monaco
from app.domain.praticiens import JAMAIS_ACTIVE, STATUTS
from app.domain.professions import PROFESSIONS
from app.extensions import db
from app.models import Praticien
from app.web.htmx import hx_redirect, render_region, wants_fragment

SEARCH_MAX_LENGTH = 100


class SuspendForm(ReasonForm):
    """A suspension says why (contract article 5)."""

    NO_REASON = "Écrivez le motif de la suspension (article 5 du contrat) : il est conservé et journalisé."
    motif = TextAreaField("Motif de la suspension", render_kw={"rows": 3})


def _back_to(praticien_id: int):
    """The praticien's page again (HX-Redirect for htmx), its flash saying what happened."""
    target = url_for("caisse.praticien", praticien_id=praticien_id)
    return hx_redirect(target) if wants_fragment() else redirect(target, code=303)


@bp.get("/praticiens")
@staff_required(AGENT)
def praticiens():
    """The praticiens, searched by name, identifiant, ADELI, RPPS, e-mail or profession (accents and
    case ignored), by status, 25 a page."""
    search = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    statut = request.args.get("statut", "")
    statut = statut if statut in STATUTS else ""
    result = services.praticiens_page(search, statut, request.args.get("page", 1, type=int))
    return render_region("caisse/praticiens.html", "caisse/_praticiens_liste.html", result=result, search=search,
                         statut=statut, statuts=STATUTS, professions=PROFESSIONS)


def _detail(praticien: Praticien, suspend_form=None, status: int = 200):
    """The practice's page, or its access region for an htmx form (422 with the error)."""
    return render_region(
        "caisse/praticien.html", "caisse/_praticien_acces.html", status,
        practice=services.practice(praticien), suspend_form=suspend_form or SuspendForm(formdata=None),
        statuts=STATUTS, professions=PROFESSIONS, role_labels=ROLE_LABELS,
        today=today_in_monaco(), account_valid_on=account_valid_on, never_activated=JAMAIS_ACTIVE)


@bp.get("/praticiens/<int:praticien_id>")
@staff_required(AGENT)
def praticien(praticien_id: int):
    """A practice: the praticien, his accounts and his assistants', the access's state and actions."""
    return _detail(db.get_or_404(Praticien, praticien_id))


@bp.post("/praticiens/<int:praticien_id>/suspension")
@staff_required(AGENT)
def suspend(praticien_id: int):
    """Suspend the practice's access with a reason: every session of the praticien and of his
    assistants ends now, and none can sign in until the caisse reactivates it."""
    praticien = db.get_or_404(Praticien, praticien_id)
    form = SuspendForm()
    if not form.validate():
        return _detail(praticien, suspend_form=form, status=422)
    closed = services.suspend(praticien.id, current_user.compte, form.motif.data)
    if closed is None:
        flash("Cet accès est déjà suspendu : voici son état.", "warning")
    else:
        sessions = ("aucune session n'était ouverte" if closed == 0 else "1 session ouverte a été fermée"
                    if closed == 1 else f"{closed} sessions ouvertes ont été fermées")
        flash(f"Accès suspendu : {sessions}. Le praticien et ses assistant(e)s ne peuvent plus se connecter.",
              "success")
    return _back_to(praticien_id)


@bp.post("/praticiens/<int:praticien_id>/reactivation")
@staff_required(AGENT)
def reactivate(praticien_id: int):
    """Lift the suspension: the praticien and his assistants within their dates may sign in again."""
    db.get_or_404(Praticien, praticien_id)
    if services.reactivate(praticien_id, current_user.compte):
        flash("Accès rétabli : le praticien et ses assistant(e)s peuvent de nouveau se connecter.", "success")
    else:
        flash("Cet accès n'est pas suspendu : voici son état.", "warning")
    return _back_to(praticien_id)


@bp.post("/praticiens/<int:praticien_id>/lien-activation")
@staff_required(AGENT)
def new_activation_link(praticien_id: int):
    """A new one-time activation link, shown once in this response (200), the older ones made
    worthless; only for a praticien who never activated his account (a lost or expired link)."""
    praticien = db.get_or_404(Praticien, praticien_id)
    link = services.renew_activation(praticien.id, current_user.compte)
    if link is None:
        flash("Ce praticien a déjà activé son compte : aucun lien d'activation n'est nécessaire.", "warning")
        return _back_to(praticien_id)
    own = services.own_account(praticien_id)
    return render_template("caisse/praticien_lien.html", praticien=praticien, identifiant=own.identifiant,
                           link=link, approved=False)

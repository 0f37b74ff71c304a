"""The agent's « Référentiel »: what the reference data holds, a tariff file imported after a preview
of what it adds and changes (app/referentiel/tariff_import.py), the Convention's rates (read-only,
from convention.toml) and each card colour's rule in force today, with the changes the caisse
schedules from a date of effect, cancels while their date has not come, and the past ones
(app/referentiel/rule_changes.py). The médecin conseil gets 403 here."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user

from app.caisse.access import staff_required
from app.caisse.referentiel_forms import ColourRuleForm, TariffConfirmForm, TariffUploadForm
from app.caisse.routes import bp
from app.domain.access import AGENT
from app.domain.calendar import today_in_monaco
from app.domain.colour_rules import earliest_effect
from app.domain.professions import PROFESSIONS
from app.extensions import db
from app.models import ImportReferentiel
from app.referentiel import rule_changes, tariff_import
from app.referentiel.parsing import ReferentielError
from app.referentiel.services import convention_rules, referentiel_summary
from app.web.expired import MESSAGE as EXPIRED, rerenders_expired
from app.web.htmx import hx_redirect, render_region, wants_fragment

PAGE = "caisse/referentiel.html"
IMPORT_REGION = "caisse/_tarifs_import.html"
RULE_REGION = "caisse/_regle_couleur.html"
KINDS = {"NGAP": "Lettre clé NGAP", "MAJ": "Majoration NGAP", "CCAM": "Acte CCAM", "MOD": "Modificateur CCAM"}


def _render(partial: str, status: int = 200, **overrides):
    """The page (or one of its regions for htmx), with what the action overrides: its form, its error."""
    today = today_in_monaco()
    colours = rule_changes.overview(today)
    forms = {c.couleur: ColourRuleForm.for_rule(c.couleur, c.today_rule, earliest_effect(today)) for c in colours}
    forms.update(overrides.pop("colour_forms", {}))
    context = {
        "summary": referentiel_summary(), "tarifs_import": db.session.get(ImportReferentiel, "tarifs"),
        "rates": convention_rules(today), "colours": colours, "colour_forms": forms, "today": today,
        "earliest": earliest_effect(today), "upload_form": TariffUploadForm(formdata=None), "preview": None,
        "confirm_form": None, "import_error": None, "stale": False, "kinds": KINDS, "professions": PROFESSIONS,
        "rows_per_date": tariff_import.PREVIEW_ROWS_PER_DATE, "upload_max_kb": tariff_import.UPLOAD_MAX_BYTES // 1000,
    }
    context.update(overrides)
    if "couleur" in context:  # a colour's region: its overview and its form
        context["c"] = next(c for c in colours if c.couleur == context["couleur"])
        context["form"] = forms[context["couleur"]]
    return render_region(PAGE, partial, status, **context)


def _back():
    """The page again after an action (HX-Redirect for htmx), its flash at the top saying what happened.
    No anchor: htmx would take the same page with another anchor for a scroll, not a reload."""
    target = url_for("caisse.referentiel")
    return hx_redirect(target) if wants_fragment() else redirect(target, code=303)


@bp.get("/referentiel")
@staff_required(AGENT)
def referentiel():
    """What is loaded, the tariff import, the Convention's rates and each colour's rule and changes."""
    return _render(IMPORT_REGION)


def _preview_region(preview, status: int = 200, stale: str = ""):
    confirm = TariffConfirmForm(formdata=None)
    confirm.contenu.data, confirm.nom.data = preview.carried, preview.fichier
    confirm.empreinte.data, confirm.apercu.data = preview.sha256, preview.fingerprint
    confirm.jour.data = preview.today.isoformat() if preview.today else ""
    return _render(IMPORT_REGION, status, preview=preview, confirm_form=confirm, stale=stale)


@bp.post("/referentiel/tarifs/apercu")
@staff_required(AGENT)
def preview_tarifs():
    """Check an uploaded tariff file whole and show what it would add and change, by date of effect;
    a fault (its line number) is a 422 and nothing is written."""
    form = TariffUploadForm()
    if not form.validate():
        return _render(IMPORT_REGION, 422, upload_form=form)
    upload = form.fichier.data
    name = tariff_import.clean_name(upload.filename)
    data = upload.stream.read(tariff_import.UPLOAD_MAX_BYTES + 1)
    try:
        preview = tariff_import.preview(name, data, today_in_monaco())
    except (ReferentielError, tariff_import.TariffFileError) as error:
        form.fichier.errors = [str(error)]
        return _render(IMPORT_REGION, 422, upload_form=form)
    return _preview_region(preview)


@bp.post("/referentiel/tarifs/import")
@staff_required(AGENT)
def import_tarifs():
    """« Confirmer l'import »: write the previewed rows and the import's record with its audit row in
    one transaction, unless the table or the day changed since the preview (then its new preview, not a
    write); a row come into force since cannot change any more (422, its line)."""
    form = TariffConfirmForm()
    if not form.validate():
        messages = dict.fromkeys(message for errors in form.errors.values() for message in errors)
        return _render(IMPORT_REGION, 422, import_error=" ".join(messages))
    name = tariff_import.clean_name(form.nom.data)
    try:
        data = tariff_import.unpack(form.contenu.data)
        result = tariff_import.apply(current_user.compte, name, data, form.empreinte.data, form.apercu.data,
                                     today_in_monaco(), previewed_on=form.previewed_on())
    except (ReferentielError, tariff_import.TariffFileError) as error:
        db.session.rollback()
        return _render(IMPORT_REGION, 422, import_error=str(error))
    except tariff_import.StalePreview as stale:
        db.session.rollback()
        return _preview_region(stale.preview, stale="jour" if stale.new_day else "tarifs")
    db.session.commit()
    if result.has_changes:
        flash(f"Tarifs importés depuis {result.fichier} : {result.added} ajouté(s), {result.changed} modifié(s), "
              f"{result.unchanged} inchangé(s).", "success")
    else:
        flash(f"{result.fichier} ne change aucun tarif : rien n'a été modifié.", "info")
    return _back()


@bp.post("/referentiel/regles/<any(verte, rose, bulle):couleur>")
@staff_required(AGENT)
def change_regle(couleur: str):
    """A change of one colour's rule from a date of effect (tomorrow at the earliest), with its reason;
    one already scheduled on that date is replaced only once the agent was shown it."""
    form = ColourRuleForm(prefix=couleur)
    if not form.validate():
        return _render(RULE_REGION, 422, couleur=couleur, colour_forms={couleur: form})
    try:
        rule_changes.schedule_change(
            current_user.compte, couleur, form.depassement.data == "oui", form.coefficient, form.hnp.data == "oui",
            form.date_effet.data, form.motif.data or "", today_in_monaco(), replaces=form.replaces())
    except rule_changes.RuleChangeError as error:
        db.session.rollback()
        getattr(form, error.field).errors = [str(error)]
        form.remplace.data = rule_changes.change_token(error.existing) if error.existing is not None else ""
        return _render(RULE_REGION, 422, couleur=couleur, colour_forms={couleur: form})
    db.session.commit()
    flash(f"Règle de la carte {couleur} modifiée à partir du {form.date_effet.data.strftime('%d/%m/%Y')}.", "success")
    return _back()


@bp.post("/referentiel/regles/annulation/<int:regle_id>")
@staff_required(AGENT)
def cancel_regle(regle_id: int):
    """Cancel a scheduled change of a colour's rule (its date not come), audited."""
    try:
        change = rule_changes.cancel_change(current_user.compte, regle_id, today_in_monaco())
    except rule_changes.RuleChangeError as error:
        flash(str(error), "warning")
        return _back()
    db.session.commit()
    flash(f"Modification de la carte {change.couleur} prévue le {change.date_effet.strftime('%d/%m/%Y')} annulée.",
          "success")
    return _back()


@rerenders_expired("caisse.change_regle")
def change_regle_expired():
    """A colour's form whose CSRF token expired (SECURITY.md 18): nothing done, the form again as typed
    with a fresh token and the message (the region, 422, for htmx; the page, 400, without JavaScript).
    Only for an agent: anyone else gets the plain 400, as the view would refuse him."""
    if not current_user.is_authenticated or current_user.compte.role != AGENT:
        return None
    couleur = (request.view_args or {}).get("couleur")
    form = ColourRuleForm(prefix=couleur)
    return _render(RULE_REGION, 422 if wants_fragment() else 400, couleur=couleur, colour_forms={couleur: form},
                   expired=EXPIRED, expired_for=couleur)

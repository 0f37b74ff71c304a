"""The agent's « Registre »: the registry's counts, and the import of the households CSV with its
report (app/registre/importer.py). A file with one refused row changes nothing (422, the lines and
their errors); an import that passes is written and audited in one transaction, then shown after a
redirect (post/redirect/get). Uploads up to UPLOAD_MAX_BYTES are admitted on this route alone."""

from __future__ import annotations

from pathlib import Path

from flask import flash, redirect, request, send_file, session, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from app.audit.services import record
from app.caisse.access import staff_required
from app.caisse.routes import bp
from app.domain.access import AGENT
from app.domain.calendar import today_in_monaco
from app.domain.registre import CAISSES, COLUMNS, COULEURS
from app.errors import render_error
from app.extensions import db
from app.models import Beneficiaire, Compte, Exoneration, Foyer, JournalAudit
from app.registre import importer
from app.web.htmx import hx_redirect, render_region, wants_fragment

UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # about 280,000 members; the rest of the portal keeps 2 MB
UPLOAD_MAX_WORDS = "20 Mo"
SAMPLE = Path(importer.__file__).resolve().parent / "exemple-registre.csv"
ACTION = "caisse.registre.import"
REPORT_KEY = "registre_rapport"
TOO_LARGE = (f"Le fichier dépasse {UPLOAD_MAX_WORDS}, la taille permise ici : importez-le en plusieurs "
             "fichiers (un fichier peut ne contenir qu'une partie des foyers) ou avec « flask registre import ».")
CONFLICT = ("Le registre a été modifié pendant cet import (un autre import en même temps ?) : "
            "rien n'a été enregistré. Importez le fichier à nouveau.")


class RegistreForm(FlaskForm):
    """The upload of the households CSV."""

    fichier = FileField("Fichier du registre (CSV)",
                        validators=[FileRequired("Choisissez le fichier du registre (CSV).")],
                        render_kw={"accept": ".csv,text/csv,text/plain"})


def _admit_large_upload():
    """Before the CSRF check reads the body: this route's agents may send up to UPLOAD_MAX_BYTES."""
    if request.endpoint == "caisse.import_registre" and current_user.is_authenticated \
            and current_user.compte.role == AGENT:
        request.max_content_length = UPLOAD_MAX_BYTES


@bp.record_once
def _install_upload_limit(state):
    # First of the app's before_request functions, so that it runs before CSRFProtect reads the form.
    state.app.before_request_funcs.setdefault(None, []).insert(0, _admit_large_upload)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """Too large a file: the page again with the reason next to the field, for the agent; else the 413 page."""
    if request.endpoint != "caisse.import_registre" or not current_user.is_authenticated \
            or current_user.compte.role != AGENT:
        return render_error(413)
    form = RegistreForm(formdata=None)
    form.fichier.errors = [TOO_LARGE]
    return _page(form, status=_refusal_status(413))


def _refusal_status(status: int) -> int:
    """htmx swaps only 2xx and 422 (base.html): an htmx request gets 422, so that it shows the reason."""
    return 422 if wants_fragment() else status


def registry_counts() -> dict:
    """Households and members in all, by caisse and colour; rights and exonerations open today."""
    today = today_in_monaco()
    households = {(caisse, couleur): count for caisse, couleur, count in db.session.execute(
        select(Foyer.caisse, Foyer.couleur_carte, func.count()).group_by(Foyer.caisse, Foyer.couleur_carte))}
    members = {(caisse, couleur): count for caisse, couleur, count in db.session.execute(
        select(Foyer.caisse, Foyer.couleur_carte, func.count(Beneficiaire.id))
        .join(Beneficiaire, Beneficiaire.foyer_id == Foyer.id).group_by(Foyer.caisse, Foyer.couleur_carte))}
    open_rights = db.session.scalar(select(func.count()).select_from(Beneficiaire).where(
        Beneficiaire.droits_debut <= today, or_(Beneficiaire.droits_fin.is_(None), Beneficiaire.droits_fin >= today)))
    open_etm = db.session.scalar(select(func.count()).select_from(Exoneration).where(
        and_(Exoneration.date_debut <= today, or_(Exoneration.date_fin.is_(None), Exoneration.date_fin >= today))))
    rows = []
    for caisse in CAISSES:
        rows.append({"caisse": caisse, "foyers": {c: households.get((caisse, c), 0) for c in COULEURS},
                     "foyers_total": sum(households.get((caisse, c), 0) for c in COULEURS),
                     "membres_total": sum(members.get((caisse, c), 0) for c in COULEURS)})
    return {"foyers": sum(households.values()), "membres": sum(members.values()), "droits_ouverts": open_rights,
            "exonerations_en_cours": open_etm, "par_caisse": rows,
            "par_couleur": {c: sum(households.get((caisse, c), 0) for caisse in CAISSES) for c in COULEURS}}


def last_import():
    """The last import that passed, from the audit journal: (row, who) or None."""
    row = db.session.execute(
        select(JournalAudit, Compte).outerjoin(Compte, Compte.id == JournalAudit.compte_id)
        .where(JournalAudit.action == ACTION, JournalAudit.resultat == "succes")
        .order_by(JournalAudit.numero.desc()).limit(1)).first()
    if row is None:
        return None
    entry, compte = row
    return entry, (f"{compte.prenom} {compte.nom}" if compte else "ligne de commande (flask registre import)")


def _page(form, report=None, status: int = 200):
    return render_region("caisse/registre.html", "caisse/_registre_import.html", status, form=form, report=report,
                         counts=registry_counts(), last=last_import(), columns=COLUMNS,
                         max_words=UPLOAD_MAX_WORDS, nombre=nombre)


def nombre(value: int) -> str:
    """An integer the French way: « 100 000 » (non-breaking spaces)."""
    return f"{value:,}".replace(",", "\u00a0")


@bp.get("/registre")
@staff_required(AGENT)
def registre():
    """« Registre »: the counts, the last import, the upload form and the report of the import just made."""
    stored = session.pop(REPORT_KEY, None)
    return _page(RegistreForm(formdata=None), report=_report_from(stored) if stored else None)


@bp.get("/registre/exemple.csv")
@staff_required(AGENT)
def registre_exemple():
    """The sample file of the format (app/registre/exemple-registre.csv), to download."""
    return send_file(SAMPLE, mimetype="text/csv; charset=utf-8", as_attachment=True,
                     download_name="exemple-registre.csv", max_age=0)


@bp.post("/registre/import")
@staff_required(AGENT)
def import_registre():
    """Check the whole file, then write it and its audit row in one transaction; one refused row and
    nothing is written (422, audited as refused after the rollback)."""
    form = RegistreForm()
    if not form.validate():
        return _page(form, status=422)
    upload = form.fichier.data
    name = _display_name(upload.filename)
    data = upload.read()
    try:
        report = importer.import_registre(db.session, data, name)
    except IntegrityError:
        db.session.rollback()
        form.fichier.errors = [CONFLICT]
        return _page(form, status=_refusal_status(409))
    if report.refused:
        db.session.rollback()
        record(ACTION, "refus", compte=current_user.compte, objet_type="registre", details=report.summary())
        db.session.commit()
        return _page(form, report=report, status=422)
    record(ACTION, "succes", compte=current_user.compte, objet_type="registre", details=report.summary())
    db.session.commit()
    session[REPORT_KEY] = _report_to_session(report)
    flash(f"Registre importé : {report.lignes} ligne{'s' if report.lignes > 1 else ''} de « {name} ».", "success")
    if wants_fragment():  # a full load, to show the new counts too; no fragment, which would not reload
        return hx_redirect(url_for("caisse.registre"))
    return redirect(url_for("caisse.registre") + "#registre-rapport", code=303)


def _display_name(filename: str | None) -> str:
    """The file's own name (no folder, no control character), cut to 80 characters, for the report."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable())[:80] or "fichier"


def _report_to_session(report: importer.RegistreReport) -> dict:
    return {"fichier": report.fichier, "sha256": report.sha256, "lignes": report.lignes,
            "foyers": [report.foyers.crees, report.foyers.modifies, report.foyers.inchanges],
            "membres": [report.membres.crees, report.membres.modifies, report.membres.inchanges],
            "etm": report.exonerations_remplacees}


def _report_from(stored: dict) -> importer.RegistreReport | None:
    try:
        return importer.RegistreReport(
            fichier=str(stored["fichier"]), sha256=str(stored["sha256"]), lignes=int(stored["lignes"]),
            foyers=importer.Counts(*map(int, stored["foyers"])), membres=importer.Counts(*map(int, stored["membres"])),
            exonerations_remplacees=int(stored["etm"]))
    except (KeyError, TypeError, ValueError):
        return None


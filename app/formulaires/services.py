"""Named actions on a form: the praticien's draft, the patient's identification, the saving of what
was typed, the checks before « Transmettre », the transmission, and the documents of a practice.

Each action changes the stored draft (nothing typed is lost on a reload, a second tab or a new
sign-in: SECURITY.md 26); the route commits. Every lookup and every transmission is audited in the
same transaction as its effect, without any medical word.
"""

from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.throttling import begin_attempt, reset_failures
from app.domain.calendar import today_in_monaco, within
from app.domain.formulaires import (
    BY_BIRTH_DATE,
    BY_CODE_FSE,
    ETM,
    ETM_ASKED,
    INVALIDITE,
    IT,
    TITLES,
    ItDates,
    it_date_problems,
    new_reference,
    stop_date_problem,
)
from app.domain.text import fold
from app.domain.throttle import wait_message
from app.extensions import db
from app.formulaires import medical
from app.formulaires.forms import REQUIRED
from app.models import Beneficiaire, Foyer, Formulaire, NatureEtm
from app.models.types import utcnow

NOT_FOUND = {
    IT: "Matricule ou code FSE incorrect : vérifiez la carte d'immatriculation.",
    ETM: "Matricule, code FSE ou date de naissance incorrect : vérifiez la carte d'immatriculation.",
    INVALIDITE: "Matricule, code FSE ou date de naissance incorrect : vérifiez la carte d'immatriculation.",
}
REQUIRED_MESSAGE = "Zone obligatoire : renseignez-la pour transmettre."

# Form field → model column, for the fields stored as they are.
PLAIN_FIELDS = {
    IT: ("telephone", "adresse", "date_initiale", "date_debut", "date_fin", "sorties", "sorties_horaires",
         "employeur", "accident_travail", "date_accident"),
    ETM: ("telephone", "adresse", "duree_mois"),
    INVALIDITE: ("telephone", "adresse", "date_arret"),
}


class FormError(ValueError):
    """Input refused, with the field it belongs to and a French message."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status


def current_draft(principal, kind: str) -> Formulaire:
    """The praticien's draft of this kind, created on first use (one per kind: UNIQUE index)."""
    draft = db.session.scalar(select(Formulaire).where(
        Formulaire.compte_id == principal.compte.id, Formulaire.type == kind, Formulaire.statut == "brouillon"))
    if draft is None:
        draft = Formulaire(praticien_id=principal.praticien_id, compte_id=principal.compte.id, type=kind,
                           jeton=secrets.token_urlsafe(24))
        try:
            with db.session.begin_nested():  # a double tap on « Remplir »: the other request made it
                db.session.add(draft)
        except IntegrityError:
            return current_draft(principal, kind)
    return draft


def erase(draft: Formulaire, principal) -> Formulaire:
    """« Effacer le formulaire » (also the way to change patient): the draft and all it holds —
    patient, coordinates, dates, medical elements — are deleted; a new one, with a new token, follows."""
    kind = draft.type
    db.session.delete(draft)
    db.session.flush()
    return current_draft(principal, kind)


def drafts_in_progress(compte_id: int) -> dict[str, Formulaire]:
    """The praticien's drafts that hold something typed, by kind (« Reprendre le brouillon »)."""
    drafts = db.session.scalars(select(Formulaire).where(
        Formulaire.compte_id == compte_id, Formulaire.statut == "brouillon", Formulaire.version > 1))
    return {draft.type: draft for draft in drafts}


def etm_natures() -> list[tuple[str, str]]:
    """The natures of exoneration a request may ask for (app/domain/formulaires.ETM_ASKED), among
    those the referentiel holds, by code."""
    codes = db.session.scalars(select(NatureEtm.code).where(NatureEtm.code.in_(ETM_ASKED)).order_by(NatureEtm.code))
    return [(str(code), f"{code} · {ETM_ASKED[code]}") for code in codes]


def draft_values(draft: Formulaire) -> dict:
    """What the draft holds, as the form's data (the medical elements opened for the praticien)."""
    values = {name: getattr(draft, name) for name in PLAIN_FIELDS[draft.type]}
    values.update(medical.unseal(draft.elements_medicaux))
    values["jeton"], values["version"] = draft.jeton, str(draft.version)
    values["beneficiaire"] = str(draft.beneficiaire_id or "")
    if draft.type == IT:
        values["nature_arret"] = "prolongation" if draft.prolongation else "initial"
    if draft.type == ETM:
        values["etm_nature_code"] = str(draft.etm_nature_code) if draft.etm_nature_code is not None else ""
    return values


def save_typed(draft: Formulaire, form) -> None:
    """Store every field of the posted form that is well formed; a field in error keeps its former
    value in the draft (the page shows it as typed, with its message)."""
    kind = draft.type
    ok = lambda name: not getattr(form, name).errors  # noqa: E731 - reads as a predicate
    for name in PLAIN_FIELDS[kind]:
        if ok(name):
            value = getattr(form, name).data
            setattr(draft, name, value.strip() or None if isinstance(value, str) else value)
    if kind == IT:
        draft.prolongation = form.nature_arret.data == "prolongation"
    if kind == ETM and ok("etm_nature_code"):
        code = form.etm_nature_code.data
        draft.etm_nature_code = int(code) if code in {value for value, _ in form.etm_nature_code.choices} and code else None
    before = medical.unseal(draft.elements_medicaux)
    kept = dict(before)
    for name in medical.MEDICAL_FIELDS[kind]:
        if ok(name):
            kept[name] = (getattr(form, name).data or "").strip()
    kept = {name: text for name, text in kept.items() if text}
    if kept != before or draft.elements_medicaux is None:
        # Fernet draws a new IV each time: sealing only a change keeps the version (other tabs) still.
        draft.elements_medicaux = medical.seal(kept)
    choose_member(draft, form.beneficiaire.data)


def unused_values(draft: Formulaire) -> dict[str, str]:
    """Zones filled that the current choices do not use (every zone stays on the page): the
    praticien says which one holds, nothing is dropped behind his back."""
    if draft.type != IT:
        return {}
    problems = {}
    if not draft.prolongation and draft.date_initiale:
        problems["date_initiale"] = "Pour un arrêt initial, effacez cette date ou choisissez « Prolongation »."
    if not draft.accident_travail and draft.date_accident:
        problems["date_accident"] = "Cochez « accident du travail » ou effacez cette date."
    if draft.sorties != "oui" and draft.sorties_horaires:
        problems["sorties_horaires"] = "Choisissez « Autorisées, aux heures indiquées » ou effacez ces heures."
    if draft.sorties != "libres" and medical.unseal(draft.elements_medicaux).get("motif_sorties_libres"):
        problems["motif_sorties_libres"] = ("Choisissez « Autorisées sans restriction d'horaire » ou effacez "
                                            "cette raison.")
    return problems


def identify(draft: Formulaire, principal, matricule: str, code_fse: str, birth: date | None) -> None:
    """Find the patient's household by the card (matricule and code FSE) or, for ETM and invalidité,
    by the matricule and a birth date; a wrong pair gets one neutral message whatever was wrong;
    failures are throttled with the FSE page's lookups (one count per person)."""
    kind = draft.type
    matricule, code_fse = (matricule or "").strip(), (code_fse or "").strip().upper()
    if not (matricule.isdigit() and len(matricule) == 6):
        raise FormError("matricule", "Le matricule compte 6 chiffres.")
    by_card = bool(code_fse) or kind == IT
    if by_card and not (len(code_fse) == 4 and code_fse.isalnum() and code_fse.isascii()):
        raise FormError("code_fse", "Le code FSE compte 4 caractères (lettres et chiffres).")
    if not by_card and birth is None:
        raise FormError("code_fse", "Saisissez le code FSE ou bien la date de naissance du patient.")
    key = f"patient:{principal.compte.id}"
    wait = begin_attempt(key)
    mode = BY_CODE_FSE if by_card else BY_BIRTH_DATE
    # The audit's details are the FSE page's known words (shown in the journal), never the input.
    if wait is not False:
        record("patient.recherche", "refus", compte=principal.compte, details="trop de tentatives")
        db.session.commit()
        raise FormError("matricule", wait_message(wait), status=429)
    foyer = db.session.scalar(select(Foyer).where(Foyer.matricule == matricule))
    found = foyer is not None and (
        secrets.compare_digest(foyer.code_fse, code_fse) if by_card
        else any(b.date_naissance == birth for b in foyer.beneficiaires))
    if not found:
        record("patient.recherche", "echec", compte=principal.compte,
               details="matricule ou code FSE incorrect" if by_card else "matricule ou date de naissance incorrect")
        db.session.commit()
        raise FormError("matricule", NOT_FOUND[kind])
    reset_failures(key)
    if draft.foyer_id != foyer.id or draft.identifie_par != mode or draft.date_naissance_saisie != birth:
        draft.beneficiaire = None
    # The relationships, not only the keys: the checks that follow read them in this request.
    draft.foyer, draft.identifie_par = foyer, mode
    draft.date_naissance_saisie = None if by_card else birth
    offered = offered_members(draft)
    if len(offered) == 1 and rights_open_today(offered[0]):
        draft.beneficiaire = offered[0]
    record("patient.recherche", "succes", compte=principal.compte, objet_type="foyer", objet_id=foyer.id,
           details="formulaire, par code FSE" if by_card else "formulaire, par date de naissance")


def forget_patient(draft: Formulaire) -> None:
    """« Changer de patient »: no household and no member on the draft; the rest is kept."""
    draft.foyer = draft.beneficiaire = draft.identifie_par = draft.date_naissance_saisie = None


def offered_members(draft: Formulaire) -> list[Beneficiaire]:
    """The members the page offers: the whole household when the card was shown, else only those
    born on the date typed (a birth date proves less than the card)."""
    if draft.foyer is None:
        return []
    members = draft.foyer.beneficiaires
    if draft.identifie_par == BY_BIRTH_DATE:
        members = [b for b in members if b.date_naissance == draft.date_naissance_saisie]
    return list(members)


def rights_open_today(member: Beneficiaire) -> bool:
    """A form concerns a beneficiary whose rights are open today (Monaco)."""
    return within(member.droits_debut, member.droits_fin, today_in_monaco())


def choose_member(draft: Formulaire, value: str | None) -> None:
    """The member picked on the page, if he is one of those offered; else the choice is kept."""
    if not value or not value.isdigit():
        return
    member = next((b for b in offered_members(draft) if b.id == int(value)), None)
    if member is None:
        raise FormError("beneficiaire", "Ce bénéficiaire n'est pas celui de la carte identifiée.", status=404)
    if not rights_open_today(member):
        raise FormError("beneficiaire", f"{member.prenom} {member.nom} ne peut pas être choisi(e) : "
                                        "ses droits ne sont pas ouverts aujourd'hui.")
    draft.beneficiaire = member


def transmission_problems(draft: Formulaire, profession: str, today: date, retro_days: int) -> dict[str, str]:
    """Field → French message of everything that stops « Transmettre » (empty when it may go)."""
    kind = draft.type
    problems: dict[str, str] = {}
    if draft.foyer is None:
        problems["matricule"] = "Identifiez d'abord le patient avec sa carte."
    elif draft.beneficiaire is None:
        problems["beneficiaire"] = "Choisissez le bénéficiaire concerné."
    elif not rights_open_today(draft.beneficiaire):
        problems["beneficiaire"] = "Les droits de ce bénéficiaire ne sont pas ouverts aujourd'hui."
    values = draft_values(draft)
    for name in REQUIRED[kind]:
        if values.get(name) in (None, ""):
            problems[name] = REQUIRED_MESSAGE
    if kind == IT:
        if draft.sorties == "oui" and not draft.sorties_horaires:
            problems["sorties_horaires"] = "Indiquez les heures de sortie autorisées."
        if draft.sorties == "libres" and not values.get("motif_sorties_libres"):
            problems["motif_sorties_libres"] = "Indiquez la raison médicale des sorties sans restriction."
        dates = ItDates(draft.date_debut, draft.date_fin, draft.prolongation, draft.date_initiale,
                        draft.accident_travail, draft.date_accident)
        for name, message in it_date_problems(dates, profession, today, retro_days).items():
            problems.setdefault(name, message)
        for name, message in unused_values(draft).items():
            problems.setdefault(name, message)
    if kind == INVALIDITE and (message := stop_date_problem(draft.date_arret, today)):
        problems.setdefault("date_arret", message)
    return problems


def transmit(draft: Formulaire, principal, today: date) -> Formulaire:
    """Send the draft to the caisse: the patient copied, a reference given, the audit row written."""
    member = draft.beneficiaire
    draft.statut = "transmis"
    draft.reference = new_reference(draft.type, today)
    draft.transmis_le = utcnow()
    draft.matricule, draft.caisse = draft.foyer.matricule, draft.foyer.caisse
    draft.patient_nom, draft.patient_prenom = member.nom, member.prenom
    draft.patient_date_naissance = member.date_naissance
    draft.patient_recherche = fold(f"{member.nom} {member.prenom}")
    draft.date_naissance_saisie = None
    db.session.flush()
    record("formulaire.transmission", "succes", compte=principal.compte, objet_type="formulaire",
           objet_id=draft.id, details=TITLES[draft.type])
    return draft


def sent_with_token(praticien_id: int, jeton: str | None) -> Formulaire | None:
    """The document already transmitted with this one-time token (a double tap, a retry)."""
    if not jeton:
        return None
    return db.session.scalar(select(Formulaire).where(
        Formulaire.jeton == jeton, Formulaire.praticien_id == praticien_id, Formulaire.statut != "brouillon"))


def document_of(praticien_id: int, document_id: int) -> Formulaire | None:
    """A transmitted document of this practice; None for another praticien's (a 404)."""
    return db.session.scalar(select(Formulaire).where(
        Formulaire.id == document_id, Formulaire.praticien_id == praticien_id, Formulaire.statut != "brouillon"))

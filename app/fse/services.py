"""Named actions on the FSE being built: identify, choose, price and add acts, bill, transmit, reset.

Each action changes the stored draft (SECURITY.md 26: nothing typed is lost on a reload or a new
sign-in); the route commits. Every patient lookup and every transmission is audited in the same
transaction as its effect.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from decimal import Decimal

from sqlalchemy import bindparam, inspect, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.history import cache as history_cache
from app.audit.services import record
from app.auth.throttling import count_failure, reset_failures, wait_before
from app.domain.calendar import today_in_monaco
from app.domain.professions import PROFESSIONS
from app.domain.pricing import PricingError, price_ccam, price_ngap
from app.domain.professions import AUXILIAIRES_MEDICAUX
from app.domain.tariffs import TariffKind
from app.domain.text import fold
from app.domain.throttle import wait_message
from app.extensions import commit_keeping_state, db, once
from app.fse import catalogue
from app.fse.state import build_state, rights_open, transmission_problems
from app.models import Beneficiaire, Foyer, Fse, LigneFse
from app.models.types import utcnow
from app.referentiel.services import convention_rules, lookup_tariff

MATRICULE = re.compile(r"^\d{6}$")
CODE_FSE = re.compile(r"^[A-Z0-9]{4}$")
CCAM_CODE = re.compile(r"^[A-Z]{4}[0-9]{3}$")
NOT_FOUND = "Matricule ou code FSE incorrect pour cette caisse : vérifiez la carte d'immatriculation."


class FseError(ValueError):
    """Input refused, with the field it belongs to and a French message."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status


def draft_loading(with_beneficiary: bool = False) -> list:
    """How a draft is read: the draft, its household's card and its lines in one statement (then the
    members, `load_household`), never one by one. `with_beneficiary`: the chosen member and his
    exonerations in that statement too, for the basket's fragments, which show no other member."""
    options = [joinedload(Fse.foyer), joinedload(Fse.lignes)]
    if with_beneficiary:
        options.append(joinedload(Fse.beneficiaire).joinedload(Beneficiaire.exonerations))
    return options


@once
def _draft_query(with_beneficiary: bool):
    """The draft's statement, with the chosen member joined or not (`draft_loading`)."""
    return (select(Fse).options(*draft_loading(with_beneficiary))
            .where(Fse.compte_id == bindparam("compte_id"), Fse.statut == "brouillon"))


def current_draft(principal, household: bool | str = True) -> Fse:
    """The draft of the acting person, created on first use (one per person: UNIQUE index).
    `household=True` reads the household's members as well (a second statement, `load_household`);
    `False` leaves them unread (identification replaces the household); `"beneficiaire"` reads only
    the chosen one (the basket's fragments; `load_household` reads the others when a whole page is
    drawn after all)."""
    draft = db.session.execute(_draft_query(household == "beneficiaire"),
                               {"compte_id": principal.compte.id}).unique().scalar_one_or_none()
    if draft is None:
        draft = Fse(praticien_id=principal.praticien_id, compte_id=principal.compte.id,
                    jeton=secrets.token_urlsafe(24), date_soins=today_in_monaco())
        db.session.add(draft)
        db.session.flush()
        db.session.info.setdefault("brouillons_crees", set()).add(draft.id)
    elif household is True:
        load_household(draft)
    return draft


def just_created(draft: Fse) -> bool:
    """Whether `current_draft` created this draft in this request (so it has to be committed)."""
    return draft.id in db.session.info.get("brouillons_crees", ())


@once
def _members_query():
    """A household's members in their order, with their exonerations."""
    return (select(Beneficiaire).options(joinedload(Beneficiaire.exonerations))
            .where(Beneficiaire.foyer_id == bindparam("foyer_id")).order_by(Beneficiaire.rang))


def load_household(draft: Fse) -> None:
    """Read the members of the draft's household (with their exonerations) when they are not yet
    (a draft read with `household="beneficiaire"` or `False`, or expired by a commit): one statement,
    instead of one per member. The statement is kept by the process (`once`) and the list set as the
    relationship's loaded value, as SQLAlchemy's own loader would, without rebuilding its query."""
    if draft.foyer_id is not None and "beneficiaires" in inspect(draft.foyer).unloaded:
        members = db.session.execute(_members_query(), {"foyer_id": draft.foyer_id}).unique().scalars().all()
        set_committed_value(draft.foyer, "beneficiaires", list(members))


@once
def _card_query():
    return (select(Foyer).options(joinedload(Foyer.beneficiaires).joinedload(Beneficiaire.exonerations))
            .where(Foyer.matricule == bindparam("matricule")))


def identify(draft: Fse, principal, matricule: str, code_fse: str, caisse: str) -> Foyer:
    """Find the household of a card; a wrong pair gets one neutral message; failures are throttled."""
    matricule, code_fse = matricule.strip(), code_fse.strip().upper()
    if not MATRICULE.match(matricule):
        raise FseError("matricule", "Le matricule compte 6 chiffres.")
    if not CODE_FSE.match(code_fse):
        raise FseError("code_fse", "Le code FSE compte 4 caractères (lettres et chiffres).")
    key = f"patient:{principal.compte.id}"
    wait, failures = wait_before(key)
    if wait is not False:
        record("patient.recherche", "refus", compte=principal.compte, details="trop de tentatives")
        commit_keeping_state()
        raise FseError("matricule", wait_message(wait), status=429)
    # The household with its members and their exonerations, in one statement.
    foyer = db.session.execute(_card_query(), {"matricule": matricule}).unique().scalar_one_or_none()
    if foyer is None or not secrets.compare_digest(foyer.code_fse, code_fse) or foyer.caisse != caisse:
        count_failure(key)
        record("patient.recherche", "echec", compte=principal.compte, details="matricule ou code FSE incorrect")
        commit_keeping_state()
        raise FseError("matricule", NOT_FOUND)
    if failures:
        reset_failures(key)
    if draft.foyer_id != foyer.id:
        # Another household is another patient: he starts without the previous one's dépassement or
        # HNP (a verte card would show no field to clear them); the basket of acts is kept.
        draft.foyer, draft.beneficiaire = foyer, None
        draft.hnp = False
        clear_depassement(draft)
    record("patient.recherche", "succes", compte=principal.compte, objet_type="foyer", objet_id=foyer.id)
    return foyer


def forget_household(draft: Fse) -> None:
    """A refused lookup: no household on the draft, so none under the newly typed matricule; the
    basket is kept for the next patient, without the dépassement or HNP that no field shows now."""
    draft.foyer = draft.beneficiaire = None
    draft.hnp = False
    clear_depassement(draft)


def clear_depassement(draft: Fse) -> None:
    """No billed amount and no pondération: the billed fee is the base."""
    draft.montant_facture_saisi = draft.ponderation = None


def drop_what_is_not_offered(draft: Fse, profession: str) -> None:
    """No state stays in force that the page offers no control to change: a dépassement on a card
    that allows none or without any act, an HNP/RDD box that is no longer offered."""
    if not draft.lignes:
        clear_depassement(draft)
    state = build_state(draft, profession, household=False)  # the card and the chosen member decide
    if state.colour is not None and not state.colour.depassement:
        clear_depassement(draft)
    if draft.hnp and not state.hnp_offered:
        draft.hnp = False


def choose_beneficiary(draft: Fse, beneficiaire_id: int) -> None:
    """Pick a member of the identified household whose rights are open on the date of care."""
    member = next((b for b in (draft.foyer.beneficiaires if draft.foyer else []) if b.id == beneficiaire_id), None)
    if member is None:
        raise FseError("beneficiaire", "Ce bénéficiaire n'appartient pas au foyer identifié.", status=404)
    if not rights_open(member, draft.date_soins):
        raise FseError("beneficiaire", f"{member.prenom} {member.nom} ne peut pas être choisi(e) : "
                                       "ses droits ne sont pas ouverts à la date des soins.")
    draft.beneficiaire = member


def update_conditions(draft: Fse, profession: str, values: dict) -> None:
    """Date of care, nature, ETM, series, prescriber, entente; the basket is re-priced for the date."""
    # Only the fields the page shows for this profession are kept (a crafted or stale post cannot
    # leave a series or an entente that no field on the page could change).
    if profession not in AUXILIAIRES_MEDICAUX:
        values = {**values, "serie": False, "prescripteur": None, "date_prescription": None}
    if profession != "dentiste":
        values = {**values, "entente_numero": None, "entente_date": None}
    changed_date = values["date_soins"] != draft.date_soins
    for name, value in values.items():
        setattr(draft, name, value)
    if draft.nature != "at_mp":
        draft.date_accident = None
    if changed_date:
        reprice(draft, profession)
    drop_what_is_not_offered(draft, profession)  # a new date may close the rights: no HNP then


def _of(profession: str) -> str:
    """The profession in a message read by the praticien and by his assistants alike."""
    return PROFESSIONS.get(profession, profession).lower()


def _ngap_line(profession: str, on: date, letter: str, coefficient: Decimal, divisor: int, majorations: list[str]):
    rules = convention_rules(on)
    letter_row = lookup_tariff(TariffKind.NGAP, letter, profession, on)
    if letter_row is None:
        raise FseError("lettre", f"La lettre clé {letter} n'a pas de tarif pour la profession {_of(profession)} au "
                                 f"{on.strftime('%d/%m/%Y')} : elle ne peut pas être ajoutée.")
    maj_rows = []
    for code in majorations:
        row = lookup_tariff(TariffKind.MAJ, code, profession, on)
        if row is None:
            raise FseError("majorations", f"La majoration {code} n'a pas de tarif pour la profession "
                                          f"{_of(profession)} au "
                                          f"{on.strftime('%d/%m/%Y')}.")
        maj_rows.append(row)
    try:
        return price_ngap(letter_row, coefficient, divisor, maj_rows, rules.seuil_etm_coefficient_ngap)
    except PricingError as error:
        raise FseError(error.field, str(error)) from None


def _ccam_line(profession: str, on: date, code: str, activite: int, phase: int, modifiers: list[str],
               association: int):
    rules = convention_rules(on)
    act = catalogue.ccam_index().acts.get(code) if CCAM_CODE.match(code) else None
    if act is None:
        raise FseError("code", f"« {code} » n'est pas un code CCAM : choisissez l'acte dans la liste proposée.")
    row = lookup_tariff(TariffKind.CCAM, code, profession, on)
    if row is None:
        raise FseError("code", f"L'acte {code} n'a pas de tarif pour la profession {_of(profession)} au "
                               f"{on.strftime('%d/%m/%Y')} : il ne peut pas être ajouté.")
    mod_rows = []
    for letter in modifiers:
        mod = lookup_tariff(TariffKind.MOD, letter, profession, on)
        if mod is None:
            raise FseError("modificateurs", f"Le modificateur {letter} n'est pas permis pour la profession "
                                            f"{_of(profession)}.")
        mod_rows.append(mod)
    try:
        return price_ccam(row, *act, mod_rows, association, activite, phase,
                          rules.seuil_etm_ccam)
    except PricingError as error:
        raise FseError(error.field, str(error)) from None


LINE_COLUMNS = {"coefficient": None, "diviseur": None, "majorations": "", "activite": None, "phase": None,
                "modificateurs": "", "association": None}


def _append(draft: Fse, priced, **columns) -> LigneFse:
    rang = max((line.rang for line in draft.lignes), default=0) + 1
    # Every column given, NGAP or CCAM: the lines of one flush share their columns and go in one
    # INSERT (a pre-coded basket's acts, SQLAlchemy's insertmanyvalues).
    columns = {**LINE_COLUMNS, **columns}
    line = LigneFse(rang=rang, type=priced.kind, code=priced.code, libelle=priced.libelle, detail=priced.detail,
                    base=priced.base, seuil_etm=priced.above_etm_threshold, entente=priced.needs_entente, **columns)
    draft.lignes.append(line)
    return line


def add_ngap(draft: Fse, profession: str, letter: str, coefficient: Decimal, divisor: int,
             majorations: list[str]) -> LigneFse:
    priced = _ngap_line(profession, draft.date_soins, letter, coefficient, divisor, majorations)
    return _append(draft, priced, coefficient=coefficient, diviseur=divisor, majorations=",".join(majorations))


def add_ccam(draft: Fse, profession: str, code: str, activite: int, phase: int, modifiers: list[str],
             association: int) -> LigneFse:
    priced = _ccam_line(profession, draft.date_soins, code, activite, phase, modifiers, association)
    return _append(draft, priced, activite=activite, phase=phase, modificateurs="".join(modifiers),
                   association=association)


def reprice(draft: Fse, profession: str) -> None:
    """Price every line again at the date of care; a line without a tariff that day refuses the date."""
    for line in draft.lignes:
        if line.type == "NGAP":
            priced = _ngap_line(profession, draft.date_soins, line.code, line.coefficient, line.diviseur,
                                [m for m in line.majorations.split(",") if m])
        else:
            priced = _ccam_line(profession, draft.date_soins, line.code, line.activite, line.phase,
                                list(line.modificateurs), line.association)
        line.base, line.seuil_etm = priced.base, priced.above_etm_threshold


def remove_line(draft: Fse, line_id: int) -> None:
    line = next((line for line in draft.lignes if line.id == line_id), None)
    if line is None:
        raise FseError("panier", "Cette ligne n'est plus dans le panier.", status=404)
    draft.lignes.remove(line)
    if not draft.lignes:
        clear_depassement(draft)  # a dépassement was typed for acts that are gone


def set_billing(draft: Fse, montant: Decimal | None, ponderation: Decimal | None, hnp: bool) -> None:
    # Only what changed: an unchanged draft (the same billing fields posted again) stays clean, and its
    # commit has nothing to flush.
    for name, value in (("montant_facture_saisi", montant), ("ponderation", ponderation), ("hnp", hnp)):
        if getattr(draft, name) != value:
            setattr(draft, name, value)


def reset(draft: Fse) -> None:
    """« Réinitialiser »: an empty FSE for today, keeping nothing of the previous patient."""
    for name in ("foyer", "beneficiaire", "date_accident", "prescripteur", "date_prescription",
                 "entente_numero", "entente_date", "montant_facture_saisi", "ponderation"):
        setattr(draft, name, None)
    draft.lignes.clear()
    draft.nature, draft.etm_appliquee, draft.serie, draft.hnp = "maladie", False, False, False
    draft.date_soins = today_in_monaco()


def accuse_number(caisse: str, day: date) -> str:
    """An acknowledgment number: caisse, day, 10 random characters (UNIQUE in the database)."""
    return f"{caisse}-{day.strftime('%Y%m%d')}-{secrets.token_hex(5).upper()}"


def transmission_values(draft: Fse, state, compte_id: int, now) -> dict:
    """What « Transmettre » writes on the FSE: the patient and the totals copied as sent, the
    accusé de réception and who transmitted it when."""
    member = draft.beneficiaire
    return dict(
        statut="transmise", matricule=draft.foyer.matricule, caisse=draft.foyer.caisse,
        couleur_carte=draft.foyer.couleur_carte, patient_nom=member.nom, patient_prenom=member.prenom,
        patient_date_naissance=member.date_naissance, patient_recherche=fold(f"{member.nom} {member.prenom}"),
        total_base=state.totals.base, total_facture=state.totals.facture, depassement=state.totals.depassement,
        part_caisse=state.totals.part_caisse, part_patient=state.totals.part_patient,
        accuse_reception=accuse_number(draft.foyer.caisse, today_in_monaco(now)), transmise_le=now,
        transmise_par_id=compte_id, version=draft.version + 1,
    )


CHANGED_ELSEWHERE = ("Cette FSE a été modifiée depuis un autre onglet ou une autre tablette (patient, actes ou "
                     "facturation) : vérifiez-la avant de la valider.")


def changed_elsewhere(draft: Fse, seen_version: int | None) -> bool:
    """True when the page that posted showed an older state of the draft than the stored one
    (SECURITY.md 27). Every change of the draft or of its basket moves its version
    (app/models/fse.py); a post without a version (not from the portal's pages) is not checked."""
    return seen_version is not None and seen_version != draft.version


def transmit(principal, jeton: str, profession: str, version: int | None = None) -> Fse:
    """« Transmettre »: once per token. A retry, a double tap or a second tab get the first result."""
    done = db.session.scalar(select(Fse).where(Fse.jeton == jeton, Fse.praticien_id == principal.praticien_id))
    if done is not None and done.statut != "brouillon":
        return done
    draft = current_draft(principal)
    if done is None or done.id != draft.id:
        # A retry racing its first attempt (the first answer lost, the retry on another host) may find
        # the draft gone because the first has just transmitted it: the first result, not « changed ».
        db.session.rollback()
        done = db.session.scalar(select(Fse).where(Fse.jeton == jeton, Fse.praticien_id == principal.praticien_id))
        if done is not None and done.statut != "brouillon":
            return done
        raise FseError("jeton", "Cette FSE a changé entre-temps : vérifiez le récapitulatif et validez à nouveau.",
                       status=409)
    if changed_elsewhere(draft, version):
        raise FseError("jeton", CHANGED_ELSEWHERE, status=409)
    state = build_state(draft, profession)
    problems = transmission_problems(state)
    if problems:
        raise FseError("transmission", " ".join(problems))
    values = transmission_values(draft, state, principal.compte.id, utcnow())
    # Only the draft still holding this token and still a draft changes: a concurrent second
    # submission finds no row to update and gets the first one's result.
    result = db.session.execute(update(Fse).where(Fse.id == draft.id, Fse.statut == "brouillon", Fse.jeton == jeton)
                                .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        done = db.session.scalar(select(Fse).where(Fse.jeton == jeton))
        if done is not None and done.statut == "transmise":
            return done
        raise FseError("jeton", "Transmission déjà en cours : rechargez la page.", status=409)
    history_cache.touch(principal.praticien_id)
    record("fse.transmission", "succes", compte=principal.compte, objet_type="fse", objet_id=draft.id)
    db.session.expire(draft)
    return draft

"""What the FSE page shows, computed from the draft: household, basket, totals, HNP box, problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from app.domain.billing import Depassement, Totals, compute_totals, etm_reason, hnp_offer
from app.domain.calendar import age_on, today_in_monaco, within
from app.domain.convention import ColourRule, ConventionRules
from app.domain.deadlines import care_date_problem
from app.domain.pricing import PricedLine, PricingError
from app.domain.professions import AUXILIAIRES_MEDICAUX, hnp_label, hnp_meaning
from app.domain.formulaires import etm_label
from app.models import Beneficiaire, Fse
from app.referentiel.services import convention_rules


@dataclass(frozen=True)
class Member:
    """A member of the household as shown in the patient band."""

    id: int
    nom: str
    prenom: str
    date_naissance: date
    age: int
    qualite: str
    droits_ouverts: bool
    motif_fermeture: str | None
    exonerations: list[tuple[str, date, date | None]]


@dataclass
class FseState:
    """Everything the page needs; built fresh at each request from the stored draft."""

    fse: Fse
    profession: str
    today: date
    members: list[Member] = field(default_factory=list)
    beneficiaire: Member | None = None
    colour: ColourRule | None = None
    lines: list[PricedLine] = field(default_factory=list)
    totals: Totals | None = None
    billing_error: tuple[str, str] | None = None
    hnp_offered: bool = False
    hnp_reason: str = ""
    date_problem: str | None = None

    @property
    def is_dentist(self) -> bool:
        return self.profession == "dentiste"

    @property
    def is_auxiliaire(self) -> bool:
        return self.profession in AUXILIAIRES_MEDICAUX

    @property
    def hnp_label(self) -> str:
        return hnp_label(self.profession)

    @property
    def hnp_meaning(self) -> str:
        return hnp_meaning(self.profession)

    @property
    def needs_entente(self) -> bool:
        return any(line.entente for line in self.fse.lignes)


def rights_open(member: Beneficiaire, day: date) -> bool:
    """A beneficiary's rights are open on the day of care between their start and end, included."""
    return within(member.droits_debut, member.droits_fin, day)


def _member(b: Beneficiaire, day: date) -> Member:
    open_ = rights_open(b, day)
    reason = None
    if not open_:
        reason = (f"Droits fermés depuis le {b.droits_fin.strftime('%d/%m/%Y')}" if b.droits_fin and b.droits_fin < day
                  else f"Droits ouverts à partir du {b.droits_debut.strftime('%d/%m/%Y')}")
    exonerations = [(etm_label(e.nature.code, e.nature.libelle), e.date_debut, e.date_fin) for e in b.exonerations
                    if e.date_debut <= day and (e.date_fin is None or e.date_fin >= day)]
    return Member(b.id, b.nom, b.prenom, b.date_naissance, age_on(b.date_naissance, day), b.qualite, open_, reason,
                  exonerations)


def line_as_priced(line) -> PricedLine:
    return PricedLine(line.type, line.code, line.libelle, line.detail, line.base, line.seuil_etm, line.entente)


def build_state(fse: Fse, profession: str, rules: ConventionRules | None = None, household: bool = True) -> FseState:
    """Compute the page's state from the draft (or a transmitted FSE). `household=False`: `members`
    holds only the chosen beneficiary (a fragment that draws no household band)."""
    rules = rules or convention_rules(fse.date_soins)
    state = FseState(fse=fse, profession=profession, today=today_in_monaco())
    day = fse.date_soins
    state.date_problem = care_date_problem(day, state.today, profession, fse.serie) if fse.statut == "brouillon" else None
    if fse.foyer is not None:
        if household:
            state.members = [_member(b, day) for b in fse.foyer.beneficiaires]
        else:  # a basket fragment draws no member but the chosen one: the others are not read
            state.members = [_member(fse.beneficiaire, day)] if fse.beneficiaire is not None else []
        state.colour = rules.colour(fse.foyer.couleur_carte)
    if fse.beneficiaire is not None:
        state.beneficiaire = next((m for m in state.members if m.id == fse.beneficiaire_id), None)
    state.lines = [line_as_priced(line) for line in fse.lignes]
    if state.colour is None:
        return state
    depassement = Depassement(montant=fse.montant_facture_saisi, ponderation=fse.ponderation)
    reason = etm_reason(bool(state.beneficiaire and state.beneficiaire.exonerations), fse.nature, fse.etm_appliquee)
    try:
        state.totals = compute_totals(state.lines, rules, fse.foyer.couleur_carte, depassement, reason)
    except PricingError as error:
        state.billing_error = (error.field, str(error))
        state.totals = compute_totals(state.lines, rules, fse.foyer.couleur_carte, None, reason)
    open_rights = bool(state.beneficiaire and state.beneficiaire.droits_ouverts)
    state.hnp_offered, state.hnp_reason = hnp_offer(state.colour, open_rights, state.totals.depassement)
    return state


def transmission_problems(state: FseState) -> list[str]:
    """What still prevents « Transmettre », in French; empty when the FSE can go."""
    fse = state.fse
    problems = []
    if state.beneficiaire is None:
        problems.append("Choisissez le bénéficiaire des soins.")
    elif not state.beneficiaire.droits_ouverts:
        problems.append("Les droits du bénéficiaire sont fermés à la date des soins.")
    if not fse.lignes:
        problems.append("Ajoutez au moins un acte au panier.")
    if state.date_problem:
        problems.append(state.date_problem)
    if fse.nature == "at_mp" and fse.date_accident is None:
        problems.append("Indiquez la date de l'accident du travail ou de la maladie professionnelle.")
    if state.is_auxiliaire and (not fse.prescripteur or fse.date_prescription is None):
        problems.append("Indiquez le prescripteur et la date de la prescription.")
    if state.needs_entente and (not fse.entente_numero or fse.entente_date is None):
        problems.append("Prothèse ou orthodontie : indiquez le numéro et la date de l'entente préalable.")
    if state.billing_error:
        problems.append(state.billing_error[1])
    if fse.hnp and not state.hnp_offered:
        problems.append(f"{state.hnp_label} non permis pour cette FSE.")
    return problems

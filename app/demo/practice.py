"""A year of practice for the demo accounts: transmitted FSE, HNP/RDD paid in ordipostes, a few
deleted or rejected FSE, pre-coded baskets, and transmitted forms (app/demo/formulaires.py).
Deterministic for a seed and a day; every amount is priced by the real domain code
(app/demo/activity.py), never typed in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import NamedTuple
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.demo.activity import transmitted_fse
from app.demo.formulaires import seed_forms
from app.demo.journal import seed_journal
from app.domain.calendar import MONACO, within
from app.domain.lifecycle import REJETEE, SUPPRIMEE, can_transition
from app.domain.text import fold
from app.fse import catalogue
from app.hnp.services import create_ordiposte
from app.models import Beneficiaire, Compte, Foyer, Fse, FsePrecodee, LignePrecodee
from app.referentiel.services import convention_rules

Act = tuple[str, str, str]  # kind, code, parametres as entered (app.fse.catalogue.entry_parameters)


@dataclass(frozen=True)
class Menu:
    """One kind of visit a praticien bills, how often, and whether HNP/RDD may go with it."""

    weight: int
    acts: tuple[Act, ...]


@dataclass(frozen=True)
class PracticePlan:
    identifiant: str
    fse_count: int
    menus: tuple[Menu, ...]
    hnp_share: float  # of the FSE where the Convention allows it
    depassement_share: float  # of the FSE on rose and bulle cards
    assistant_share: float = 0.0
    prescribed: bool = False  # auxiliaire médical: prescriber and prescription date
    baskets: tuple[tuple[str, tuple[Act, ...]], ...] = ()


PLANS = (
    PracticePlan("medecin.demo", 1500, (
        Menu(60, (("NGAP", "C", "1|1|"),)),
        Menu(12, (("NGAP", "V", "1|1|MD"),)),
        Menu(8, (("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1"))),
        Menu(4, (("NGAP", "C", "1|1|"), ("CCAM", "JKHD001", "1|0||1"))),
        Menu(3, (("CCAM", "QZFA036", "1|0||1"),)),
        Menu(2, (("NGAP", "C", "1|1|"), ("CCAM", "ZBQK002", "1|0||1"))),
    ), hnp_share=0.10, depassement_share=0.35, assistant_share=0.35, baskets=(
        ("Consultation", (("NGAP", "C", "1|1|"),)),
        ("Visite à domicile + MD", (("NGAP", "V", "1|1|MD"),)),
        ("Consultation + ECG", (("NGAP", "C", "1|1|"), ("CCAM", "DEQP003", "1|0||1"))),
    )),
    PracticePlan("dentiste.demo", 400, (
        Menu(30, (("NGAP", "C", "1|1|"),)),
        Menu(20, (("CCAM", "HBJD001", "1|0||1"), ("CCAM", "HBQK389", "1|0||2"))),
        Menu(18, (("CCAM", "HBMD053", "1|0||1"),)),
        Menu(8, (("NGAP", "C", "1|1|"), ("CCAM", "HBQK002", "1|0||1"))),
        Menu(6, (("CCAM", "HBMD058", "1|0||1"),)),
    ), hnp_share=0.25, depassement_share=0.30, baskets=(
        ("Détartrage + radio", (("CCAM", "HBJD001", "1|0||1"), ("CCAM", "HBQK389", "1|0||2"))),
        ("Consultation + panoramique", (("NGAP", "C", "1|1|"), ("CCAM", "HBQK002", "1|0||1"))),
    )),
    PracticePlan("infirmier.demo", 40, (
        Menu(6, (("NGAP", "AMI", "1|1|IFD"),)),
        Menu(4, (("NGAP", "AMI", "2|1|IFD"),)),
        Menu(2, (("NGAP", "AIS", "3|1|IFD"),)),
    ), hnp_share=0.05, depassement_share=0.0, prescribed=True, baskets=(
        ("Injection à domicile", (("NGAP", "AMI", "1|1|IFD"),)),
        ("Pansement complexe", (("NGAP", "AMI", "2|1|IFD"),)),
    )),
    PracticePlan("kine.demo", 40, (
        Menu(8, (("NGAP", "AMK", "7.5|1|"),)),
        Menu(3, (("NGAP", "AMK", "8|1|IFD"),)),
    ), hnp_share=0.05, depassement_share=0.0, prescribed=True, baskets=(
        ("Rééducation (AMK 7,5)", (("NGAP", "AMK", "7.5|1|"),)),
        ("Rééducation à domicile", (("NGAP", "AMK", "8|1|IFD"),)),
    )),
)
PRESCRIBERS = ("Dr Claire Lorenzi", "Dr Paul Settimo", "Dr Anne Marsan")
PONDERATIONS = {"rose": (Decimal("1.10"), Decimal("1.15"), Decimal("1.20")),
                "bulle": (Decimal("1.20"), Decimal("1.50"), Decimal("2.00"))}
REJECTIONS = ("Droits du bénéficiaire non ouverts à la date des soins selon le fichier de la caisse.",
              "FSE en double : les mêmes actes ont déjà été facturés pour ce patient ce jour-là.")
PATIENT_POOL = 2500
PAYMENT_PERIOD_MONTHS = 2
PAYMENT_DELAY = timedelta(days=15)


class Seeded(NamedTuple):
    """What a run of seed_practice wrote."""

    fse: int
    formulaires: int


def seed_practice(session: Session, today: date, now: datetime, seed: int = 2026) -> Seeded:
    """Write the year of activity of every demo praticien that has none yet (FSE and forms are
    checked apart, so that an older demo database gets its forms); returns what was written."""
    rng = random.Random(seed)
    rules = convention_rules()
    patients = _patient_pool(session, rng)
    written: list[Fse] = []
    for plan in PLANS:
        compte = session.scalar(select(Compte).where(Compte.identifiant == plan.identifiant))
        if compte is None or session.scalar(select(Fse.id).where(Fse.praticien_id == compte.praticien_id,
                                                                 Fse.statut != "brouillon").limit(1)):
            continue
        assistants = list(session.scalars(select(Compte).where(Compte.praticien_id == compte.praticien_id,
                                                               Compte.role == "assistant")))
        fses = [_one_fse(session, rng, plan, compte, assistants, patients, day, at, rules)
                for day, at in _sending_times(rng, plan.fse_count, today, now)]
        session.flush()
        _delete_and_reject(rng, fses, now)
        _pay_hnp(fses, today)
        _baskets(session, compte, plan, today)
        written += fses
    session.flush()
    documents = seed_forms(session, today, now, seed)
    if written or documents:
        comptes = {c.id: c for c in session.scalars(select(Compte).where(
            Compte.id.in_({f.transmise_par_id for f in written} | {d.compte_id for d in documents})))}
        seed_journal(rng, written, comptes, documents)
    return Seeded(len(written), len(documents))


def _patient_pool(session: Session, rng: random.Random) -> list[Beneficiaire]:
    """The five documented cards' members and a seeded sample of the registry."""
    ids = list(session.scalars(select(Beneficiaire.id).order_by(Beneficiaire.id)))
    chosen = ids[:10] + rng.sample(ids[10:], min(PATIENT_POOL, max(0, len(ids) - 10)))
    return list(session.scalars(select(Beneficiaire).where(Beneficiaire.id.in_(chosen))
                                .options(selectinload(Beneficiaire.foyer).selectinload(Foyer.beneficiaires))
                                .order_by(Beneficiaire.id)))


def _sending_times(rng: random.Random, count: int, today: date, now: datetime) -> list[tuple[date, datetime]]:
    """(date of care, transmission instant) spread over the working days of the last 12 months,
    oldest first; the last few today, before now, so that « Supprimer » can be tried."""
    start = today - timedelta(days=364)
    days = [start + timedelta(days=i) for i in range(365) if (start + timedelta(days=i)).weekday() < 6]
    result = []
    for _ in range(count - 2):
        care = rng.choice(days[:-1])
        sent_day = min(care + timedelta(days=rng.choice((0, 0, 0, 0, 0, 0, 1, 2, 3))), today - timedelta(days=1))
        clock = time(8 + rng.randrange(11), rng.randrange(60), rng.randrange(60))
        result.append((care, datetime.combine(sent_day, clock, MONACO).astimezone(UTC)))
    midnight = datetime.combine(today, time(0), MONACO).astimezone(UTC)
    for minutes in (45, 12):  # two FSE transmitted today, shortly before the seeding, never yesterday
        result.append((today, max(now - timedelta(minutes=minutes), min(midnight + timedelta(seconds=minutes), now))))
    result.sort(key=lambda pair: pair[1])
    return result


def _one_fse(session, rng, plan, compte, assistants, patients, day, at, rules) -> Fse:
    member = _patient(rng, patients, day)
    acts = rng.choices([m.acts for m in plan.menus], [m.weight for m in plan.menus])[0]
    colour = member.foyer.couleur_carte
    ponderation = None
    if colour in PONDERATIONS and rng.random() < plan.depassement_share:
        ponderation = rng.choice(PONDERATIONS[colour])
    hnp = colour == "verte" and ponderation is None and rng.random() < plan.hnp_share
    acting = compte
    if assistants and rng.random() < plan.assistant_share:
        valid = [a for a in assistants if within(a.valide_du, a.valide_au, at.astimezone(MONACO).date())]
        acting = rng.choice(valid) if valid else compte
    conditions = None
    if plan.prescribed:
        conditions = {"prescripteur": rng.choice(PRESCRIBERS), "date_prescription": day - timedelta(days=rng.randrange(2, 20))}
    return transmitted_fse(session, acting, member, day, acts, at, hnp=hnp, ponderation=ponderation,
                           conditions=conditions, rules=rules)


def _patient(rng: random.Random, patients: list[Beneficiaire], day: date) -> Beneficiaire:
    """A patient whose rights are open on the day of care (the fixed cards come up more often)."""
    while True:
        member = rng.choice(patients[:10]) if rng.random() < 0.08 else rng.choice(patients)
        if within(member.droits_debut, member.droits_fin, day):
            return member


def _delete_and_reject(rng: random.Random, fses: list[Fse], now: datetime) -> None:
    """About 1 % deleted by the practice the day they were sent; two rejected by the caisse."""
    older = [f for f in fses[:-2] if not f.hnp]
    for fse in rng.sample(older, max(1, len(older) // 100)):
        assert can_transition(fse.statut, SUPPRIMEE)
        fse.statut, fse.statut_change_le = SUPPRIMEE, fse.transmise_le + timedelta(minutes=rng.randrange(2, 90))
        fse.statut_change_par_id = fse.transmise_par_id
    candidates = [f for f in older if f.statut != SUPPRIMEE]
    for fse, reason in zip(rng.sample(candidates, min(2, len(candidates))), REJECTIONS, strict=False):
        assert can_transition(fse.statut, REJETEE)
        fse.statut, fse.motif_rejet = REJETEE, reason
        fse.statut_change_le = min(fse.transmise_le + timedelta(days=3), now)


def _pay_hnp(fses: list[Fse], today: date) -> None:
    """The caisse pays the HNP/RDD FSE of each two-month period, per caisse, 15 days after it ends."""
    groups: dict[tuple[str, date], list[Fse]] = {}
    for fse in fses:
        if fse.hnp and fse.statut == "transmise":
            sent = fse.transmise_le.astimezone(MONACO).date()
            period_end = _period_end(sent)
            if period_end + PAYMENT_DELAY <= today:
                groups.setdefault((fse.caisse, period_end), []).append(fse)
    for (_, period_end), paid in sorted(groups.items(), key=lambda item: (item[0][1], item[0][0])):
        create_ordiposte(paid, period_end + PAYMENT_DELAY, audit=False)


def _period_end(day: date) -> date:
    """The last day of the two-month period (January–February, March–April, …) holding the day."""
    month = day.month + (PAYMENT_PERIOD_MONTHS - 1 - (day.month - 1) % PAYMENT_PERIOD_MONTHS)
    following = date(day.year + (month == 12), month % 12 + 1, 1)
    return following - timedelta(days=1)


def _baskets(session: Session, compte: Compte, plan: PracticePlan, today: date) -> None:
    """The plan's pre-coded baskets, each act labelled as the FSE page labels it (priced today)."""
    profession = compte.praticien.profession
    for nom, acts in plan.baskets:
        priced = Fse(date_soins=today)  # never added to the session: it only labels the acts
        basket = FsePrecodee(praticien_id=compte.praticien_id, nom=nom, nom_cle=fold(nom))
        for rang, (kind, code, parametres) in enumerate(acts, start=1):
            line = catalogue.add_entry(priced, profession, kind, code, parametres)
            basket.lignes.append(LignePrecodee(rang=rang, type=kind, code=code, parametres=parametres,
                                               libelle=line.detail[:160]))
        session.add(basket)

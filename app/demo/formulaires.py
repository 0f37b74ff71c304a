"""The demo's transmitted forms: a few prescriptions d'IT, demandes d'ETM and demandes d'admission
en invalidité of medecin.demo over the last months, and two IT of dentiste.demo.

Each is what « Transmettre » leaves behind: the patient copied from the registry, a reference made by
the domain's `new_reference`, the medical elements sealed by `app.formulaires.medical.seal` (never in
clear), and dates that the page's own rules accept on the day the document was sent (an IT that the
domain would refuse is never written). Deterministic for a seed and a day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain.calendar import MONACO, age_on, within
from app.domain.formulaires import (BY_BIRTH_DATE, BY_CODE_FSE, ETM, INVALIDITE, IT, REFERENCE_ALPHABET, ItDates,
                                    it_date_problems, may_fill, new_reference, stop_date_problem)
from app.domain.text import fold
from app.formulaires import medical
from app.models import Beneficiaire, Compte, Formulaire

MEMBERS_DRAWN_FROM = 3000
# What the médecin conseil wrote to the praticien with his decision.
DECISION_COMMENTS = {
    "accorde": "Exonération accordée pour la durée demandée ; renouvellement sur nouvelle demande.",
    "refuse": "Les éléments transmis ne relèvent pas d'une affection hors liste : demande non accordée. "
              "Une nouvelle demande peut être adressée avec un bilan complémentaire.",
}
STREETS = ("boulevard des Moulins", "avenue de la Costa", "rue Grimaldi", "boulevard Princesse Charlotte",
           "avenue Princesse Grace", "rue Comte Félix Gastaldi", "boulevard du Jardin Exotique", "avenue Hector Otto")


@dataclass(frozen=True)
class DemoForm:
    """One document of the plan: its kind, how long ago it was sent, its patient (a documented card's
    member as (matricule, rang), else one drawn from the registry of that age), its non-medical
    columns and its medical elements. An IT lasts `days` from `start` days after the sending day
    (negative: before); `prolongs` is the index, in the same plan, of the IT it prolongs."""

    kind: str
    days_ago: int
    medical: dict[str, str]
    patient: tuple[str, int] | None = None
    ages: tuple[int, int] = (20, 60)
    columns: dict = field(default_factory=dict)
    statut: str = "transmis"
    days: int = 0
    start: int = 0
    accident: bool = False
    prolongs: int | None = None


PLANS: dict[str, tuple[DemoForm, ...]] = {
    "medecin.demo": (
        DemoForm(IT, 150, {"motif": "Lombalgie aiguë hyperalgique",
                           "elements_medicaux": "Contracture paravertébrale lombaire, douleur à la mobilisation, "
                                                "Lasègue négatif. Antalgiques de palier 2 et myorelaxant."},
                 patient=("100001", 1), days=7,
                 columns={"sorties": "oui", "sorties_horaires": "de 10 h à 12 h et de 16 h à 18 h",
                          "employeur": "Société des Bains de Mer"}),
        DemoForm(IT, 96, {"motif": "Syndrome grippal",
                          "elements_medicaux": "Fièvre à 39,2 °C depuis 48 heures, myalgies diffuses, asthénie "
                                               "marquée. Traitement symptomatique, repos."},
                 days=5, start=-1, columns={"sorties": "non"}),
        DemoForm(IT, 61, {"motif": "Entorse de la cheville droite",
                          "elements_medicaux": "Entorse du ligament latéral externe de gravité moyenne, œdème "
                                               "et ecchymose. Radiographie sans fracture. Strapping, décharge "
                                               "partielle."},
                 days=14, accident=True,
                 columns={"sorties": "oui", "sorties_horaires": "de 9 h à 11 h", "employeur": "Monaco Marine"}),
        DemoForm(IT, 33, {"motif": "Épisode dépressif caractérisé",
                          "elements_medicaux": "Humeur triste, anhédonie, troubles du sommeil depuis un mois. "
                                               "Antidépresseur instauré, suivi rapproché.",
                          "motif_sorties_libres": "Sorties recommandées dans le cadre de la prise en charge "
                                                  "(marche quotidienne, maintien du lien social)."},
                 patient=("100002", 1), days=21,
                 columns={"sorties": "libres", "employeur": "Banque Populaire Méditerranée"}),
        DemoForm(IT, 0, {"motif": "Épisode dépressif caractérisé, amélioration partielle",
                         "elements_medicaux": "Sommeil amélioré, asthénie persistante, reprise prématurée. "
                                              "Poursuite du traitement, consultation dans quinze jours.",
                         "motif_sorties_libres": "Sorties recommandées dans le cadre de la prise en charge."},
                 patient=("100002", 1), days=14, prolongs=3,
                 columns={"sorties": "libres", "employeur": "Banque Populaire Méditerranée"}),
        DemoForm(IT, 2, {"motif": "Gastro-entérite aiguë",
                         "elements_medicaux": "Diarrhée et vomissements depuis 24 heures, déshydratation "
                                              "modérée. Réhydratation orale, régime adapté."},
                 days=3, start=-1, columns={"sorties": "oui", "sorties_horaires": "de 10 h à 12 h"}),
        DemoForm(ETM, 120, {"affection": "Diabète de type 2 insulino-requérant",
                            "arguments": "HbA1c à 9,1 % malgré une bithérapie orale bien conduite ; mise sous "
                                         "insuline basale. Surveillance ophtalmologique, podologique et "
                                         "biologique trimestrielle nécessaire."},
                 ages=(40, 80), statut="accorde", columns={"etm_nature_code": 41, "duree_mois": 60}),
        DemoForm(ETM, 70, {"affection": "Ostéoporose fracturaire sévère",
                           "arguments": "Fracture vertébrale L1 après une chute de sa hauteur, T-score à -3,2. "
                                        "Traitement anti-ostéoporotique et rééducation de longue durée."},
                 patient=("100003", 2), statut="refuse", columns={"etm_nature_code": 43, "duree_mois": 24}),
        DemoForm(ETM, 20, {"affection": "Insuffisance cardiaque chronique, FEVG à 35 %",
                           "arguments": "Décompensation cardiaque ayant nécessité une hospitalisation. IEC, "
                                        "bêtabloquant et diurétique ; surveillance biologique mensuelle."},
                 ages=(50, 85), columns={"etm_nature_code": 41, "duree_mois": 60}),
        DemoForm(INVALIDITE, 140, {
            "diagnostics": "Lombosciatique chronique sur hernie discale L5-S1 opérée, récidive.",
            "incapacite": "Station debout et port de charges impossibles au-delà de vingt minutes ; "
                          "périmètre de marche limité à 300 mètres.",
            "traitement": "Antalgiques de palier 2, kinésithérapie, infiltrations ; reprise chirurgicale récusée.",
            "pronostic": "Défavorable pour le métier de manutentionnaire ; reclassement sur un poste "
                         "sédentaire à envisager."},
            ages=(35, 58), columns={"arret_jours": 210}),
        DemoForm(INVALIDITE, 45, {
            "diagnostics": "Polyarthrite rhumatoïde érosive.",
            "incapacite": "Déformation des mains limitant les gestes fins, dérouillage matinal de deux "
                          "heures, fatigue chronique.",
            "traitement": "Méthotrexate et biothérapie anti-TNF, ergothérapie.",
            "pronostic": "Évolution lentement progressive malgré le traitement ; capacité de travail "
                         "réduite des deux tiers au moins."},
            ages=(35, 58), columns={"arret_jours": 300}),
    ),
    "dentiste.demo": (
        DemoForm(IT, 80, {"motif": "Avulsion chirurgicale des dents de sagesse",
                          "elements_medicaux": "Extraction de 38 et 48 incluses sous anesthésie locale ; "
                                               "œdème et trismus post-opératoires attendus."},
                 days=3, columns={"sorties": "oui", "sorties_horaires": "de 14 h à 16 h",
                                  "employeur": "Hôtel Hermitage"}),
        DemoForm(IT, 25, {"motif": "Cellulite d'origine dentaire",
                          "elements_medicaux": "Cellulite génienne séreuse à point de départ 46, "
                                               "antibiothérapie instaurée, drainage."},
                 days=4, start=-1, columns={"sorties": "non"}),
    ),
}


def seed_forms(session: Session, today: date, now: datetime, seed: int = 2026) -> list[Formulaire]:
    """Write the plan's documents of every demo praticien that has none yet; returns those written."""
    rng = random.Random(f"formulaires-{seed}")
    retro_days = current_app.config["FSE_IT_RETRO_JOURS"]
    # The documented cards' members come first; a few thousand others are plenty to draw from.
    members = list(session.scalars(select(Beneficiaire).options(selectinload(Beneficiaire.foyer))
                                   .order_by(Beneficiaire.id).limit(MEMBERS_DRAWN_FROM)))
    written: list[Formulaire] = []
    # The médecin conseil who decided the plan's decided requests (seed_demo creates him first).
    conseil = session.scalar(select(Compte).where(Compte.role == "medecin_conseil").order_by(Compte.id).limit(1))
    for identifiant, plan in PLANS.items():
        compte = session.scalar(select(Compte).where(Compte.identifiant == identifiant))
        if compte is None or session.scalar(select(Formulaire.id).where(
                Formulaire.praticien_id == compte.praticien_id, Formulaire.statut != "brouillon").limit(1)):
            continue
        profession = compte.praticien.profession
        used: set[int] = set()
        documents: list[Formulaire | None] = []
        for item in plan:
            if not may_fill(profession, item.kind):
                raise ValueError(f"{identifiant} ne remplit pas de formulaire « {item.kind} »")
            initial = documents[item.prolongs] if item.prolongs is not None else None
            sent_day = _sent_day(today, item, initial)
            member = _member(rng, members, item, sent_day, used, initial)
            if member is None:
                documents.append(None)  # a registry too small for the plan: left out
                continue
            document = _document(rng, compte, item, member, sent_day, initial, profession, retro_days, now)
            if item.statut != "transmis":
                if conseil is None:
                    raise ValueError("une demande décidée a besoin d'un médecin conseil (seed_demo le crée)")
                document.decision_par_id = conseil.id
                document.decision_le = min(document.transmis_le + timedelta(days=9, hours=3), now)
                document.decision_commentaire = DECISION_COMMENTS[item.statut]
            session.add(document)
            documents.append(document)
            written.append(document)
    session.flush()
    return written


def _sent_day(today: date, item: DemoForm, initial: Formulaire | None) -> date:
    """The day the document left: `days_ago`, moved off Sundays; a prolongation on the initial's last day."""
    day = initial.date_fin if initial is not None else today - timedelta(days=item.days_ago)
    day = min(day, today)
    return day - timedelta(days=1) if day.weekday() == 6 and day < today else day


def _member(rng: random.Random, members: list[Beneficiaire], item: DemoForm, day: date, used: set[int],
            initial: Formulaire | None) -> Beneficiaire | None:
    """The documented member, the initial's patient, or one drawn of the plan's ages with open rights."""
    if initial is not None:
        return next(m for m in members if m.id == initial.beneficiaire_id)
    if item.patient is not None:
        matricule, rang = item.patient
        chosen = next((m for m in members if m.foyer.matricule == matricule and m.rang == rang), None)
        if chosen is not None and within(chosen.droits_debut, chosen.droits_fin, day):
            used.add(chosen.id)
            return chosen
    low, high = item.ages

    def fits(m: Beneficiaire) -> bool:
        return m.id not in used and low <= age_on(m.date_naissance, day) <= high and \
            within(m.droits_debut, m.droits_fin, day)

    # The documented cards (the first members) stay for the plan's named patients, unless the
    # registry holds nobody else.
    candidates = [m for m in members[10:] if fits(m)] or [m for m in members[:10] if fits(m)]
    if not candidates:
        return None
    chosen = rng.choice(candidates)
    used.add(chosen.id)
    return chosen


def _document(rng, compte, item: DemoForm, member: Beneficiaire, day: date, initial, profession: str,
              retro_days: int, now: datetime) -> Formulaire:
    """The transmitted Formulaire, its columns as « Transmettre » leaves them."""
    clock = time(8 + rng.randrange(11), rng.randrange(60), rng.randrange(60))
    sent = min(datetime.combine(day, clock, MONACO).astimezone(UTC), now - timedelta(minutes=20))
    by_card = item.kind == IT or rng.random() < 0.5
    foyer = member.foyer
    document = Formulaire(
        praticien_id=compte.praticien_id, compte_id=compte.id, type=item.kind, statut=item.statut,
        jeton=f"{rng.getrandbits(128):032x}", version=1,
        reference=new_reference(item.kind, day, "".join(rng.choice(REFERENCE_ALPHABET) for _ in range(6))),
        foyer_id=foyer.id, beneficiaire_id=member.id, identifie_par=BY_CODE_FSE if by_card else BY_BIRTH_DATE,
        telephone=f"+377 6 {rng.randrange(10, 100)} {rng.randrange(10, 100)} {rng.randrange(10, 100)} "
                  f"{rng.randrange(10, 100)}",
        adresse=f"{rng.randrange(1, 40)}, {rng.choice(STREETS)}, 98000 Monaco",
        elements_medicaux=medical.seal(item.medical),
        matricule=foyer.matricule, caisse=foyer.caisse, patient_nom=member.nom, patient_prenom=member.prenom,
        patient_date_naissance=member.date_naissance, patient_recherche=fold(f"{member.nom} {member.prenom}"),
        transmis_le=sent, cree_le=sent - timedelta(minutes=4 + rng.randrange(20)), modifie_le=sent)
    columns = dict(item.columns)
    if item.kind == IT:
        if initial is not None:
            document.prolongation, document.date_initiale = True, initial.date_initiale or initial.date_debut
            document.date_debut = initial.date_fin + timedelta(days=1)
        else:
            document.date_debut = day + timedelta(days=item.start)
        document.date_fin = document.date_debut + timedelta(days=item.days - 1)
        if item.accident:
            document.accident_travail, document.date_accident = True, document.date_debut
        dates = ItDates(document.date_debut, document.date_fin, document.prolongation, document.date_initiale,
                        document.accident_travail, document.date_accident)
        if problems := it_date_problems(dates, profession, day, retro_days):
            raise ValueError(f"IT de démonstration refusée par les règles : {problems}")
    if item.kind == INVALIDITE:
        document.date_arret = day - timedelta(days=columns.pop("arret_jours"))
        if problem := stop_date_problem(document.date_arret, day):
            raise ValueError(problem)
    for name, value in columns.items():
        setattr(document, name, value)
    return document

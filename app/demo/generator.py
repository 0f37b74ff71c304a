"""A deterministic demo registry: the documented fixed cards, then seeded random households.

Pure: no database. The same seed, count and date always give the same registry.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

# Natures of exoneration used by the demo (codes of etm_natures.csv).
ETM_ALD_LISTE = 41
ETM_HORS_LISTE = 43
ETM_POLYPATHOLOGIE = 45
ETM_ACCIDENT_TRAVAIL = 11
ETM_INVALIDITE = 13

MONEGASQUE_SURNAMES = [
    "Bellando", "Boisson", "Campora", "Cellario", "Crovetto", "Curti", "Devissi", "Fautrier",
    "Gastaud", "Giordano", "Gramaglia", "Lorenzi", "Marsan", "Médecin", "Notari", "Orecchia",
    "Palmaro", "Passeron", "Pastor", "Projetti", "Raimbert", "Ravarino", "Rey", "Sangiorgio",
    "Settimo", "Vatrican", "Verdino", "Barral", "Bosio", "Cioco", "Blanchy", "Bertrand",
]
FRENCH_SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertin", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger",
]
ITALIAN_SURNAMES = ["Rossi", "Ferrari", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco"]
FEMALE_NAMES = [
    "Marie", "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Laura",
    "Claire", "Anne", "Isabelle", "Nathalie", "Sophie", "Valérie", "Caroline", "Hélène",
    "Charlotte", "Louise", "Alice", "Lucie", "Juliette", "Élodie", "Stéphanie", "Martine",
    "Françoise", "Monique", "Giulia", "Francesca", "Mélanie", "Océane", "Zoé", "Jade",
]
MALE_NAMES = [
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Nicolas", "Thomas", "Julien", "Antoine",
    "Louis", "Hugo", "Lucas", "Léo", "Gabriel", "Arthur", "Raphaël", "Paul", "Jacques",
    "François", "Laurent", "Stéphane", "Olivier", "Christophe", "Sébastien", "Marc", "Luc",
    "Matteo", "Lorenzo", "Rainier", "Albert", "Théo", "Nathan", "Maxime", "Baptiste",
]

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O, read as 1 and 0 on a card
CODE_DIGITS = "23456789"  # no 0 or 1

HOUSEHOLD_SIZES = [1, 2, 3, 4, 5, 6]
HOUSEHOLD_SIZE_WEIGHTS = [30, 26, 18, 16, 7, 3]
COLOURS = ["verte", "rose", "bulle"]
COLOUR_WEIGHTS = [65, 10, 25]
CAISSES = ["CCSS", "CAMTI"]
CAISSE_WEIGHTS = [80, 20]


@dataclass(frozen=True)
class ExonerationData:
    nature_code: int
    date_debut: date
    date_fin: date | None


@dataclass(frozen=True)
class MembreData:
    rang: int
    qualite: str  # assure, conjoint, enfant
    nom: str
    prenom: str
    date_naissance: date
    droits_debut: date
    droits_fin: date | None
    exonerations: tuple[ExonerationData, ...] = ()


@dataclass(frozen=True)
class FoyerData:
    matricule: str
    code_fse: str
    caisse: str
    couleur_carte: str
    membres: tuple[MembreData, ...] = field(default_factory=tuple)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def end_of_previous_month(today: date) -> date:
    """The last day of the month before today's."""
    return today.replace(day=1) - timedelta(days=1)


def fixed_cards(today: date) -> list[FoyerData]:
    """The five documented demo cards (README), their dates relative to today where they must be."""
    since = date(2020, 1, 1)
    closed_on = end_of_previous_month(today) - timedelta(days=14)  # closed since last month
    hugo_born = _years_before(today, 3) - timedelta(days=40)
    return [
        FoyerData("100001", "K7P2", "CCSS", "verte", (
            MembreData(1, "assure", "Bellando", "Marc", date(1984, 5, 12), since, None),
            MembreData(2, "conjoint", "Bellando", "Julie", date(1986, 9, 3), since, None),
            MembreData(3, "enfant", "Bellando", "Léa", date(2015, 2, 20), since, None),
            MembreData(4, "enfant", "Bellando", "Hugo", hugo_born, hugo_born, None),  # rights from his birth
        )),
        FoyerData("100002", "R4M8", "CCSS", "rose", (
            MembreData(1, "assure", "Crovetto", "Sophie", date(1979, 11, 30), since, None),
        )),
        FoyerData("100003", "B9X3", "CAMTI", "bulle", (
            MembreData(1, "assure", "Notari", "Philippe", date(1962, 3, 8), since, None),
            MembreData(2, "conjoint", "Notari", "Hélène", date(1965, 7, 17), since, None),
        )),
        FoyerData("100004", "E2T6", "CCSS", "verte", (
            MembreData(1, "assure", "Gastaud", "Alain", date(1958, 1, 25), since, None, (
                ExonerationData(ETM_ALD_LISTE, date(2024, 3, 1), date(today.year + 2, 2, 28)),
            )),
        )),
        FoyerData("100005", "F5C1", "CCSS", "verte", (
            MembreData(1, "assure", "Palmaro", "Louis", date(1990, 6, 14), since, closed_on),
        )),
    ]


def _code_fse(rng: random.Random) -> str:
    return "".join(rng.choice(pool) for pool in (CODE_LETTERS, CODE_DIGITS, CODE_LETTERS, CODE_DIGITS))


def _surname(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.28:
        return rng.choice(MONEGASQUE_SURNAMES)
    if roll < 0.36:
        return rng.choice(ITALIAN_SURNAMES)
    return rng.choice(FRENCH_SURNAMES)


def _birth_date(rng: random.Random, today: date, min_age: int, max_age: int) -> date:
    oldest = _years_before(today, max_age + 1) + timedelta(days=1)
    youngest = _years_before(today, min_age)
    return oldest + timedelta(days=rng.randrange((youngest - oldest).days + 1))


def _exonerations(rng: random.Random, birth: date, today: date) -> tuple[ExonerationData, ...]:
    age = (today - birth).days // 365
    roll = rng.random()
    if age >= 50 and roll < 0.10:  # long illness, mostly current
        nature = rng.choice([ETM_ALD_LISTE, ETM_ALD_LISTE, ETM_HORS_LISTE, ETM_POLYPATHOLOGIE])
        start = today - timedelta(days=rng.randrange(30, 3650))
        end = None if rng.random() < 0.4 else today + timedelta(days=rng.randrange(-400, 1800))
        return (ExonerationData(nature, start, max(end, start) if end else None),)
    if 20 <= age < 65 and roll < 0.02:  # a work accident, often over
        start = today - timedelta(days=rng.randrange(10, 700))
        return (ExonerationData(ETM_ACCIDENT_TRAVAIL, start, start + timedelta(days=rng.randrange(30, 240))),)
    if 40 <= age < 62 and roll < 0.025:
        return (ExonerationData(ETM_INVALIDITE, today - timedelta(days=rng.randrange(100, 3000)), None),)
    return ()


def _household(rng: random.Random, matricule: str, today: date) -> FoyerData:
    size = rng.choices(HOUSEHOLD_SIZES, HOUSEHOLD_SIZE_WEIGHTS)[0]
    surname = _surname(rng)
    insured_female = rng.random() < 0.5
    insured_birth = _birth_date(rng, today, 20 if size == 1 else 24, 88 if size <= 2 else 60)
    rights_start = max(_years_before(insured_birth, -18), date(1995, 1, 1))
    household_closed = rng.random() < 0.03
    closed_on = today - timedelta(days=rng.randrange(20, 900)) if household_closed else None
    if closed_on is not None and closed_on < rights_start:
        closed_on = rights_start

    members = [MembreData(1, "assure", surname, rng.choice(FEMALE_NAMES if insured_female else MALE_NAMES),
                          insured_birth, rights_start, closed_on,
                          _exonerations(rng, insured_birth, today))]
    with_spouse = size >= 2 and rng.random() < 0.85
    if with_spouse:
        spouse_birth = max(min(insured_birth + timedelta(days=rng.randrange(-2500, 2500)),
                               _years_before(today, 19)), _years_before(today, 90))
        members.append(MembreData(2, "conjoint", surname if rng.random() < 0.7 else _surname(rng),
                                  rng.choice(MALE_NAMES if insured_female else FEMALE_NAMES),
                                  spouse_birth, rights_start, closed_on,
                                  _exonerations(rng, spouse_birth, today)))
    parent_age = (today - insured_birth).days // 365
    for _ in range(size - len(members)):
        max_child_age = max(0, min(25, parent_age - 19))
        birth = _birth_date(rng, today, 0, max_child_age)
        # A child's rights end at 21 unless still in education (about half of them, to 25).
        limit = _years_before(birth, -21) if rng.random() < 0.5 else _years_before(birth, -26)
        child_end = closed_on or (limit if limit <= today else None)
        child_start = max(birth, rights_start)
        members.append(MembreData(len(members) + 1, "enfant", surname,
                                  rng.choice(FEMALE_NAMES + MALE_NAMES), birth, child_start,
                                  max(child_end, child_start) if child_end else None))
    return FoyerData(matricule, _code_fse(rng), rng.choices(CAISSES, CAISSE_WEIGHTS)[0],
                     rng.choices(COLOURS, COLOUR_WEIGHTS)[0], tuple(members))


def generate_registry(count: int, today: date, seed: int = 2026) -> list[FoyerData]:
    """The fixed cards, then `count` seeded random households with unique 6-digit matricules."""
    rng = random.Random(seed)
    matricules = rng.sample(range(200000, 1000000), count)
    return fixed_cards(today) + [_household(rng, str(m), today) for m in matricules]

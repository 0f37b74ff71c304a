"""The audit trail of the demo's year of practice: sign-ins, patient lookups, transmissions,
deletions and payments at the instants the FSE and the forms carry, from the practice's tablets.

Written in time order after the FSE and the forms, so the chain's order (numero) follows the instants
and the « Journal d'activité » reads like a real practice's (forms added to a database whose FSE were
seeded earlier come after them in the chain, at their own instants). Addresses are from the documentation range
(RFC 5737), so they can never be mistaken for a real client.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, timedelta

from app.audit.services import record
from app.domain.calendar import MONACO
from app.domain.formulaires import BY_CODE_FSE, TITLES
from app.domain.lifecycle import SUPPRIMEE
from app.models import Compte, Formulaire, Fse

TABLETS = (
    ("192.0.2.31", "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/131.0.0.0 Safari/537.36"),
    ("192.0.2.32", "Mozilla/5.0 (iPad; CPU OS 16_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                   "Version/16.6 Mobile/15E148 Safari/604.1"),
)
WRONG_CODE_SHARE = 0.03


def seed_journal(rng: random.Random, fses: Iterable[Fse], comptes: dict[int, Compte],
                 formulaires: Iterable[Formulaire] = ()) -> int:
    """Record the events behind the given FSE and forms; returns the number of rows written."""
    events = []
    first_of_day: dict[tuple[int, object], datetime] = {}
    for document in formulaires:
        # What identify() and transmit() record: the lookup's known words, the form's title, never
        # a medical word.
        key = (document.compte_id, document.transmis_le.astimezone(MONACO).date())
        first_of_day[key] = min(first_of_day.get(key, document.transmis_le), document.transmis_le)
        by_card = document.identifie_par == BY_CODE_FSE
        events.append((document.transmis_le - timedelta(minutes=4), "patient.recherche", document.compte_id,
                       {"objet_type": "foyer", "objet_id": document.foyer_id,
                        "details": "formulaire, par code FSE" if by_card else "formulaire, par date de naissance"}))
        events.append((document.transmis_le, "formulaire.transmission", document.compte_id,
                       {"objet_type": "formulaire", "objet_id": document.id, "details": TITLES[document.type]}))
    for fse in fses:
        acting = fse.transmise_par_id
        key = (acting, fse.transmise_le.astimezone(MONACO).date())
        first_of_day[key] = min(first_of_day.get(key, fse.transmise_le), fse.transmise_le)
        events.append((fse.transmise_le - timedelta(minutes=3), "patient.recherche", acting,
                       {"objet_type": "foyer", "objet_id": fse.foyer_id}))
        events.append((fse.transmise_le, "fse.transmission", acting, {"objet_type": "fse", "objet_id": fse.id}))
        if fse.statut == SUPPRIMEE:
            events.append((fse.statut_change_le, "fse.suppression", fse.statut_change_par_id,
                           {"objet_type": "fse", "objet_id": fse.id}))
    for (acting, _), at in first_of_day.items():
        sign_in = at - timedelta(minutes=rng.randrange(5, 40))
        events.append((sign_in - timedelta(seconds=20), "connexion.mot_de_passe", acting, {}))
        if rng.random() < WRONG_CODE_SHARE:
            events.append((sign_in - timedelta(seconds=10), "connexion.code", acting, {"resultat": "echec"}))
        events.append((sign_in, "connexion", acting, {}))
    events.sort(key=lambda event: (event[0], event[1]))
    for at, action, acting, fields in events:
        compte = comptes[acting]
        resultat = fields.pop("resultat", "succes")
        record(action, resultat, compte=compte, horodatage=at, origine=TABLETS[compte.role == "praticien"],
               **fields)
    return len(events)

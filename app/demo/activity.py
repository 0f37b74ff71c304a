"""Transmitted FSE built outside the FSE page, for the demo data and the tests: the same pricing,
totals and transmission values as « Transmettre », at a given instant."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from app.fse import catalogue, services
from app.fse.state import build_state
from app.models import Beneficiaire, Compte, Fse


def transmitted_fse(session: Session, compte: Compte, member: Beneficiaire, date_soins: date,
                    acts: Sequence[tuple[str, str, str]], transmise_le: datetime, *, nature: str = "maladie",
                    hnp: bool = False, ponderation: Decimal | None = None, transmis_par: Compte | None = None,
                    conditions: dict | None = None, rules=None) -> Fse:
    """An FSE of `compte`'s praticien for `member`, its acts (kind, code, parametres as entered) priced
    at the date of care, transmitted at `transmise_le` by `transmis_par` (default: `compte`).

    Raises FseError when an act has no tariff that day, and ValueError when the pondération is over
    the card's ceiling or HNP is not allowed: such an FSE is never written. The caller flushes.
    """
    praticien = compte.praticien
    # Built in memory and added to the session only once sealed: the person may have a draft of his
    # own on the FSE page (one draft per person), which this must not disturb.
    fse = Fse(praticien_id=praticien.id, compte_id=compte.id, jeton=secrets.token_urlsafe(24), statut="brouillon",
              date_soins=date_soins, foyer=member.foyer, foyer_id=member.foyer_id, beneficiaire=member,
              beneficiaire_id=member.id, nature=nature, date_accident=date_soins if nature == "at_mp" else None,
              hnp=hnp, ponderation=ponderation, etm_appliquee=False, serie=False, version=1)
    for name, value in (conditions or {}).items():  # prescriber, prescription date, series, entente
        setattr(fse, name, value)
    for kind, code, parametres in acts:
        catalogue.add_entry(fse, praticien.profession, kind, code, parametres)
    state = build_state(fse, praticien.profession, rules)
    if state.billing_error:
        raise ValueError(state.billing_error[1])
    if hnp and not state.hnp_offered:
        raise ValueError(f"HNP non permis : {state.hnp_reason}")
    values = services.transmission_values(fse, state, (transmis_par or compte).id, transmise_le)
    values.pop("version")
    for name, value in values.items():
        setattr(fse, name, value)
    session.add(fse)
    praticien.jeton_historique = secrets.token_hex(16)  # his history changed (app/history/cache.py)
    return fse

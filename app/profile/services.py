"""Named actions on assistants: add, change the end date, remove (each audited, sessions ended)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from app.audit.services import recent_sign_ins, record
from app.auth.devices import activate_device, drop_pending
from app.auth.sessions import close_sessions_of
from app.domain.access import assistant_valid_on
from app.domain.calendar import today_in_monaco
from app.domain.passwords import identifiant_base, one_time_password
from app.extensions import db
from app.models import Compte
from app.models.types import utcnow
from app.security.passwords import hash_password


def assistants_of(praticien_id: int) -> list[Compte]:
    """The praticien's assistants that were not removed, by name."""
    return list(db.session.scalars(
        select(Compte).where(Compte.praticien_id == praticien_id, Compte.role == "assistant",
                             Compte.supprime_le.is_(None)).order_by(Compte.nom, Compte.prenom)
    ))


def assistant_of(praticien_id: int, assistant_id: int) -> Compte | None:
    """One assistant of this praticien, or None (another praticien's assistant is not found: 404)."""
    compte = db.session.get(Compte, assistant_id)
    if compte is None or compte.praticien_id != praticien_id or compte.role != "assistant" or compte.supprime_le:
        return None
    return compte


def free_identifiant(prenom: str, nom: str) -> str:
    """« prenom.nom » in lower-case ASCII, with a number after it when an account has it already."""
    base = identifiant_base(prenom, nom)[:56]
    taken = set(db.session.scalars(select(func.lower(Compte.identifiant)).where(Compte.identifiant.like(f"{base}%"))))
    if base not in taken:
        return base
    return next(f"{base}{n}" for n in range(2, 10000) if f"{base}{n}" not in taken)


def add_assistant(praticien_compte: Compte, nom: str, prenom: str, valide_du: date, valide_au: date | None,
                  secret: str, step: int) -> tuple[Compte, str] | None:
    """Create the assistant with a personal identifiant, a one-time password and his own device;
    None when a concurrent submission of the same code already used the pending secret."""
    if drop_pending(praticien_compte, "assistant") != 1:
        return None
    password = one_time_password()
    assistant = Compte(
        identifiant=free_identifiant(prenom, nom), password_hash=hash_password(password), role="assistant",
        praticien_id=praticien_compte.praticien_id, nom=nom.strip(), prenom=prenom.strip(),
        valide_du=valide_du, valide_au=valide_au, mot_de_passe_provisoire=True,
    )
    db.session.add(assistant)
    db.session.flush()
    activate_device(assistant, secret, step)
    record("assistant.ajout", "succes", compte=praticien_compte, objet_type="compte", objet_id=assistant.id,
           details=f"du {valide_du.isoformat()} au {valide_au.isoformat() if valide_au else '(sans fin)'}")
    return assistant, password


def change_end_date(praticien_compte: Compte, assistant: Compte, valide_au: date | None) -> None:
    """Set or change the end date; an end already past closes the assistant's sessions now."""
    assistant.valide_au = valide_au
    if not assistant_valid_on(assistant.valide_du, valide_au, today_in_monaco()):
        close_sessions_of(assistant.id, "acces_termine")
    record("assistant.modification", "succes", compte=praticien_compte, objet_type="compte", objet_id=assistant.id,
           details=f"fin de validité : {valide_au.isoformat() if valide_au else '(sans fin)'}")


def remove_assistant(praticien_compte: Compte, assistant: Compte) -> None:
    """Remove the assistant: he can no longer sign in, and his open sessions end at once."""
    assistant.supprime_le = utcnow()
    close_sessions_of(assistant.id, "assistant_supprime")
    record("assistant.suppression", "succes", compte=praticien_compte, objet_type="compte", objet_id=assistant.id)


SIGN_IN_STEPS = {
    "connexion": "connexion",
    "connexion.mot_de_passe": "mot de passe",
    "connexion.code": "code",
    "connexion.limitee": "trop de tentatives",
}


@dataclass(frozen=True)
class SignInRow:
    """One line of « Connexions récentes »."""

    horodatage: datetime
    personne: str
    etape: str
    resultat: str
    ip: str | None


def sign_in_rows(praticien_id: int, limit: int = 20) -> list[SignInRow]:
    """The recent sign-ins of the praticien's account and his assistants', with their names."""
    rows = recent_sign_ins(praticien_id, limit)
    ids = {row.compte_id for row in rows if row.compte_id}
    names = {c.id: c.nom_complet for c in db.session.scalars(select(Compte).where(Compte.id.in_(ids)))} if ids else {}
    return [SignInRow(row.horodatage, names.get(row.compte_id, row.identifiant_saisi or "—"),
                      SIGN_IN_STEPS.get(row.action, row.action), row.resultat, row.ip) for row in rows]


def practice_accounts(praticien_id: int) -> list[Compte]:
    """Every account of the practice, removed assistants included: the praticien first, then by name."""
    return list(db.session.scalars(
        select(Compte).where(Compte.praticien_id == praticien_id)
        .order_by((Compte.role == "praticien").desc(), Compte.nom, Compte.prenom, Compte.id)))


def person_choices(accounts: list[Compte], own_id: int) -> list[tuple[str, str]]:
    """A « who acted » filter's choices: everybody, then the praticien (« vous ») and each assistant."""
    choices = [("", "Toutes les personnes")]
    for compte in accounts:
        if compte.id == own_id:
            label = f"Vous ({compte.nom_complet})"
        else:
            label = compte.nom_complet + (" (supprimé(e))" if compte.supprime_le else "")
        choices.append((str(compte.id), label))
    return choices

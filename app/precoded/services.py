"""Named actions on the pre-coded baskets: save the FSE page's basket, apply one, rename, delete.

A basket keeps the acts as entered (code and parameters, see `catalogue.entry_parameters`), never
their amounts: applying it prices each act again for the draft's date of care and profession.
It belongs to the praticien; his assistants use and manage the same list. The route commits; each
action records its audit row last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record
from app.domain.text import fold
from app.extensions import db
from app.fse import catalogue
from app.fse.services import FseError
from app.models import FsePrecodee, LigneFse, LignePrecodee
from app.models.types import utcnow
from app.domain.entries import decode
from app.precoded.pricing import price_entries

MAX_NAME = 60
PAGE_SIZE = 20
CONFLICT = ("Cette FSE pré-codée a été modifiée entre-temps (sur un autre poste ou un autre onglet) : "
            "son nom actuel est « {} ». Rien n'a été écrasé : vérifiez, puis enregistrez à nouveau.")


class PrecodedError(ValueError):
    """Input refused, with its field, a French message and the HTTP status to answer."""

    def __init__(self, field: str, message: str, status: int = 422):
        super().__init__(message)
        self.field, self.status = field, status


def basket_of(praticien_id: int, precodee_id: int) -> FsePrecodee | None:
    """One of the praticien's baskets, or None (another praticien's basket does not exist for him)."""
    basket = db.session.get(FsePrecodee, precodee_id, options=[joinedload(FsePrecodee.lignes)])
    return basket if basket is not None and basket.praticien_id == praticien_id else None


def baskets_page(praticien_id: int, page: int) -> tuple[list[FsePrecodee], int, int]:
    """A page of the praticien's baskets by name (their lines loaded), the page shown and the number of pages."""
    count = db.session.scalar(select(func.count()).select_from(FsePrecodee)
                              .where(FsePrecodee.praticien_id == praticien_id)) or 0
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = db.session.scalars(select(FsePrecodee).where(FsePrecodee.praticien_id == praticien_id)
                              .options(selectinload(FsePrecodee.lignes)).order_by(FsePrecodee.nom_cle)
                              .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return list(rows), page, pages


@dataclass(frozen=True)
class PricedAct:
    """An act of a basket with its label and base tariff at a date (None: no tariff that day)."""

    detail: str
    libelle: str | None
    base: Decimal | None


@dataclass(frozen=True)
class PricedBasket:
    """A basket priced at a date: its acts, the total of those priced, and whether any has no tariff."""

    basket: FsePrecodee
    acts: list[PricedAct]
    total: Decimal
    on: date

    @property
    def complete(self) -> bool:
        return all(act.base is not None for act in self.acts)


def price_baskets(baskets: list[FsePrecodee], profession: str, on: date) -> list[PricedBasket]:
    """The baskets priced at the tariffs in force on a date for the profession (one tariff query)."""
    lines = [line for basket in baskets for line in basket.lignes]
    priced = iter(price_entries(profession, on, [decode(line.type, line.code, line.parametres) for line in lines]))
    result = []
    for basket in baskets:
        acts = []
        for line in basket.lignes:
            one = next(priced)
            acts.append(PricedAct(one.detail if one else line.libelle, one.libelle if one else None,
                                  one.base if one else None))
        total = sum((act.base for act in acts if act.base is not None), Decimal("0.00"))
        result.append(PricedBasket(basket, acts, total, on))
    return result


def _checked_name(praticien_id: int, nom: str, excluding: int | None = None) -> tuple[str, str]:
    """The trimmed name and its folded key; refused when empty, too long or already used."""
    nom = " ".join((nom or "").split())
    key = fold(nom)
    if not nom:
        raise PrecodedError("nom", "Donnez un nom à la FSE pré-codée.")
    if len(nom) > MAX_NAME or len(key) > MAX_NAME:
        raise PrecodedError("nom", f"Le nom compte {MAX_NAME} caractères au plus.")
    same = db.session.scalar(select(FsePrecodee).where(FsePrecodee.praticien_id == praticien_id,
                                                       FsePrecodee.nom_cle == key, FsePrecodee.id != (excluding or 0)))
    if same is not None:
        raise _taken(same.nom)
    return nom, key


def _taken(nom: str) -> PrecodedError:
    return PrecodedError("nom", f"Une FSE pré-codée s'appelle déjà « {nom} » (majuscules et accents ne comptent "
                                "pas) : choisissez un autre nom.")


def save_basket(principal, draft, nom: str) -> FsePrecodee:
    """« Enregistrer » the draft's basket under a name: its acts as entered, in their order."""
    if not draft.lignes:
        raise PrecodedError("nom", "Le panier est vide : ajoutez au moins un acte avant d'enregistrer.")
    nom, key = _checked_name(principal.praticien_id, nom)
    basket = FsePrecodee(praticien_id=principal.praticien_id, nom=nom, nom_cle=key)
    for rang, line in enumerate(sorted(draft.lignes, key=lambda line: line.rang), start=1):
        basket.lignes.append(LignePrecodee(rang=rang, type=line.type, code=line.code,
                                           parametres=catalogue.entry_parameters(line), libelle=line.detail[:160]))
    try:
        with db.session.begin_nested():  # another tab saving the same name at the same instant
            db.session.add(basket)
            db.session.flush()
    except IntegrityError:
        raise _taken(nom) from None
    record("precodee.creation", "succes", compte=principal.compte, objet_type="precodee", objet_id=basket.id)
    return basket


def apply_basket(draft, profession: str, basket: FsePrecodee) -> tuple[int, list[str]]:
    """Append the basket's acts to the draft's basket, priced for its date of care; an act that
    cannot be added is left out and named with the reason. An act the basket already held is added
    all the same (the same act twice can be right) but named in a warning: a double tap shows.
    Returns the number added and the messages (refusals, then the warning)."""
    added, refused, already = 0, [], []
    held = {decode(line.type, line.code, catalogue.entry_parameters(line)) for line in draft.lignes}
    for line in basket.lignes:
        # add_entry prices the act before it touches the basket: a refusal leaves nothing behind,
        # so the acts already added stay and the next ones are still tried.
        try:
            added_line = catalogue.add_entry(draft, profession, line.type, line.code, line.parametres)
        except FseError as error:
            refused.append(f"L'acte {line.libelle} n'est pas ajouté : {_lower_first(str(error))}")
            continue
        added += 1
        if decode(line.type, line.code, line.parametres) in held:
            already.append(added_line.detail)
    if already:
        refused.append(f"Attention : le panier contenait déjà {', '.join(dict.fromkeys(already))} : "
                       "vérifiez qu'il ne s'agit pas d'un doublon.")
    _insert_at_once(draft)
    return added, refused


def _insert_at_once(draft) -> None:
    """Write the acts just priced in one INSERT, then read the basket back in one SELECT (their ids
    for the page's buttons). The ORM would send one INSERT per act on SQLite, which cannot say in
    which order a multi-row INSERT gave its ids."""
    new = [line for line in draft.lignes if line.id is None]
    if not new:
        db.session.flush()
        return
    columns = [c.key for c in LigneFse.__table__.columns if c.key not in ("id", "fse_id")]
    rows = [{"fse_id": draft.id, **{name: getattr(line, name) for name in columns}} for line in new]
    for line in new:
        draft.lignes.remove(line)  # pending: it leaves the session, never written by the ORM
    draft.modifiee_le = utcnow()  # the basket changed: the draft's version moves (SECURITY.md 27)
    db.session.flush()
    db.session.execute(insert(LigneFse.__table__), rows)
    db.session.refresh(draft, ["lignes"])


def _lower_first(message: str) -> str:
    """« La lettre clé… » inside a sentence: « la lettre clé… » (codes keep their capitals)."""
    return message[:1].lower() + message[1:] if message[:2].istitle() else message


def rename_basket(principal, basket: FsePrecodee, nom: str, version: int | None) -> None:
    """Rename a basket; the version read with the form must still be the basket's (no lost update)."""
    if version != basket.version:
        raise PrecodedError("nom", CONFLICT.format(basket.nom), status=409)
    nom, key = _checked_name(principal.praticien_id, nom, excluding=basket.id)
    basket.nom, basket.nom_cle = nom, key
    try:
        with db.session.begin_nested():
            db.session.flush()
    except StaleDataError:
        db.session.expire(basket)
        raise PrecodedError("nom", CONFLICT.format(basket.nom), status=409) from None
    except IntegrityError:
        raise _taken(nom) from None
    record("precodee.renommage", "succes", compte=principal.compte, objet_type="precodee", objet_id=basket.id)


def delete_basket(principal, basket: FsePrecodee) -> None:
    """Delete a basket and its acts (the FSE already made from it keep theirs)."""
    basket_id = basket.id
    db.session.delete(basket)
    db.session.flush()
    record("precodee.suppression", "succes", compte=principal.compte, objet_type="precodee", objet_id=basket_id)

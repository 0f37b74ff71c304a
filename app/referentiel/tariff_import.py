"""The caisse's tariff import from the back office: a file is checked whole, compared with the table
(a preview of what it adds and changes, by date of effect), then written in one transaction.

Incremental, unlike `flask referentiel import` which makes the table hold exactly the file: rows are
added or updated by (type, code, profession, date of effect) and none is deleted, since a tariff that
a newer file no longer states still prices the care given before the next value took effect. For the
same reason a row already in force (its date of effect today or earlier, in Monaco) keeps its value:
a file stating another one for the same key is refused whole, with its line; a new value is a new row
with its own date of effect. Its label may still be corrected, and a row not yet in force changed.

The preview's fingerprint covers what would be written and the day it was made on; the confirmation
carries it back with the file, and a table changed in between (another agent), or a day gone by, gives
a new preview instead of a write. The writes themselves are conditional (an update only of the value
previewed, an insert under the table's UNIQUE key), so two confirmations at once cannot both write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app.referentiel.cache import bump
from app.audit.services import record
from app.domain.money import format_decimal, format_euros
from app.domain.professions import ALL_PROFESSIONS, PROFESSIONS
from app.domain.tariffs import TariffKind, TariffRow
from app.extensions import db
from app.models import ActeCcam, CodeNgap, ImportReferentiel, Tarif
from app.models.types import utcnow
from app.referentiel import parsing
from app.referentiel.importer import DATA_DIR, SAMPLE_TARIFFS, _ngap_rows

UPLOAD_MAX_BYTES = 1_000_000
# The file travels back in a hidden field, compressed; Werkzeug refuses a form field above 500 kB.
CARRIED_MAX_CHARS = 450_000
PREVIEW_ROWS_PER_DATE = 100  # beyond, the page says how many more
AUDIT_CHANGES_MAX = 200  # changed rows listed in the audit row (old → new); beyond, how many more


class TariffFileError(ValueError):
    """The upload or the confirmation is refused before any comparison (size, empty, tampered)."""


@dataclass(frozen=True)
class TariffChange:
    """A row of the file that adds a tariff (old_* None) or changes the one of the same key."""

    row: TariffRow
    old_libelle: str | None = None
    old_montant: Decimal | None = None
    old_pourcentage: Decimal | None = None

    @property
    def added(self) -> bool:
        return self.old_libelle is None


@dataclass
class DateGroup:
    """The changes that take effect on one date; `timing` is « passe », « aujourdhui » or « futur »."""

    date_effet: date
    timing: str
    added: list[TariffChange] = field(default_factory=list)
    changed: list[TariffChange] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed)


@dataclass
class TariffPreview:
    """What the import of a file would do; `fingerprint` identifies exactly that."""

    fichier: str
    sha256: str
    lignes: int
    groups: list[DateGroup]
    unchanged: int
    new_codes: list[dict]
    exemple: bool
    sample_rows_left: int
    fingerprint: str = ""
    carried: str = ""  # the file as the confirmation carries it back (pack)
    today: date | None = None  # the Monaco day the comparison was made on (past, today, future)

    @property
    def added(self) -> int:
        return sum(len(g.added) for g in self.groups)

    @property
    def changed(self) -> int:
        return sum(len(g.changed) for g in self.groups)

    @property
    def has_changes(self) -> bool:
        return bool(self.groups or self.new_codes)

    @property
    def retroactive(self) -> bool:
        return any(g.timing == "passe" for g in self.groups)


class StalePreview(Exception):
    """The table changed since the preview, or the day did: the new preview to show instead of writing.
    `new_day` when the preview was made on another day (midnight passed before the confirmation)."""

    def __init__(self, preview: TariffPreview, new_day: bool = False):
        self.preview, self.new_day = preview, new_day
        super().__init__("aperçu périmé")


def clean_name(name: str | None) -> str:
    """The uploaded file's own name, without any folder, for the page and the import's record."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return " ".join(base.split())[:120] or "tarifs.csv"


def pack(data: bytes) -> str:
    """The file's bytes as the confirmation form carries them (zlib, then base64)."""
    return base64.b64encode(zlib.compress(data, 9)).decode("ascii")


def unpack(carried: str) -> bytes:
    """The bytes a confirmation carried back; TariffFileError when they are not a packed file."""
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(base64.b64decode(carried.encode("ascii"), validate=True), UPLOAD_MAX_BYTES + 1)
    except (binascii.Error, zlib.error, UnicodeEncodeError, ValueError):
        raise TariffFileError("Le fichier de l'aperçu n'a pas été renvoyé intact : importez-le de nouveau.") from None
    if len(data) > UPLOAD_MAX_BYTES or not inflater.eof:
        raise TariffFileError("Le fichier de l'aperçu n'a pas été renvoyé intact : importez-le de nouveau.")
    return data


def _key(t: Tarif) -> tuple:
    return (t.type, t.code, t.profession, t.date_effet)


def _timing(day: date, today: date) -> str:
    return "passe" if day < today else "aujourdhui" if day == today else "futur"


def preview(name: str, data: bytes, today: date) -> TariffPreview:
    """Check the file whole (ReferentielError with its line on the first fault) and compare it with the
    table; nothing is written."""
    if not data.strip():
        raise TariffFileError("Le fichier est vide : choisissez le fichier de tarifs à importer.")
    if len(data) > UPLOAD_MAX_BYTES:
        raise TariffFileError(f"Fichier trop volumineux : {UPLOAD_MAX_BYTES // 1000} ko au plus.")
    carried = pack(data)
    if len(carried) > CARRIED_MAX_CHARS:
        raise TariffFileError("Fichier trop volumineux une fois préparé pour la confirmation : découpez-le en "
                              "plusieurs fichiers (par date d'effet, par exemple).")
    ccam = set(db.session.scalars(select(ActeCcam.code)))
    lines: dict[tuple, int] = {}
    rows = parsing.parse_tarifs_bytes(name, data, ccam, lines)
    existing = {_key(t): t for t in db.session.scalars(select(Tarif))}
    _refuse_changes_in_force(name, rows, lines, existing, today)
    groups: dict[date, DateGroup] = {}
    unchanged = 0
    for row in sorted(rows, key=lambda r: (r.date_effet, r.kind.value, r.code, r.profession)):
        old = existing.get(row.key)
        if old is not None and (old.libelle, old.montant, old.pourcentage) == (row.libelle, row.montant, row.pourcentage):
            unchanged += 1
            continue
        group = groups.setdefault(row.date_effet, DateGroup(row.date_effet, _timing(row.date_effet, today)))
        if old is None:
            group.added.append(TariffChange(row))
        else:
            group.changed.append(TariffChange(row, old.libelle, old.montant, old.pourcentage))
    known = set(db.session.scalars(select(CodeNgap.code)))
    fresh = [r for r in rows if r.kind in (TariffKind.NGAP, TariffKind.MAJ) and r.code not in known]
    new_codes = list(_ngap_rows(fresh, parsing.parse_prestations(DATA_DIR / "prestations_nat.csv")).values()) \
        if fresh else []
    result = TariffPreview(
        fichier=name, sha256=hashlib.sha256(data).hexdigest(), lignes=len(rows), groups=list(groups.values()),
        unchanged=unchanged, new_codes=new_codes, today=today, **_sample_state(data, rows, existing))
    result.fingerprint, result.carried = _fingerprint(result), carried
    return result


def _value(montant: Decimal | None, pourcentage: Decimal | None) -> str:
    """A tariff's value as the page shows it: « 30,00 € » or « 15,7 % »."""
    return format_euros(montant) if montant is not None else f"{format_decimal(pourcentage)}\u00a0%"


def _refuse_changes_in_force(name: str, rows: list[TariffRow], lines: dict[tuple, int], existing: dict,
                             today: date) -> None:
    """ReferentielError on the first line that gives another value to a tariff already in force: that
    value priced the care since its date of effect (transmitted FSE, the history), so it is not
    rewritten; a new value takes effect from its own date, on a row of its own. A label may change."""
    faults = sorted(
        ((lines[row.key], row, old) for row in rows
         if row.date_effet <= today and (old := existing.get(row.key)) is not None
         and (old.montant, old.pourcentage) != (row.montant, row.pourcentage)),
        key=lambda fault: (fault[0], fault[1].profession))
    if not faults:
        return
    line, row, old = faults[0]
    who = "toutes professions" if row.profession == ALL_PROFESSIONS else PROFESSIONS[row.profession].lower()
    reason = (f"le tarif {row.kind.value} {row.code} ({who}) du {row.date_effet.strftime('%d/%m/%Y')} est déjà en "
              f"vigueur ({_value(old.montant, old.pourcentage)} ; le fichier indique "
              f"{_value(row.montant, row.pourcentage)}) : il ne se corrige pas ; ajoutez la nouvelle valeur avec "
              f"sa date d'effet")
    others = sorted({fault[0] for fault in faults} - {line})
    if others:
        shown = ", ".join(str(n) for n in others[:10]) + (" …" if len(others) > 10 else "")
        reason += f". Même cas ligne{'s' if len(others) > 1 else ''} {shown}"
    raise parsing.ReferentielError(name, line, reason)


def _sample_state(data: bytes, rows: list[TariffRow], existing: dict) -> dict:
    """Whether the tariffs stay a sample after this import, and how many sample values stay as they
    were. An incremental import never turns a sample table into official tariffs: the sample's values
    that the file does not change (absent, or restated as they were) still price acts, so the
    « Données d'exemple » banner stays; replacing the whole table with an official file is
    `flask referentiel import --tarifs FICHIER --officiel`."""
    if hashlib.sha256(data).digest() == hashlib.sha256(SAMPLE_TARIFFS.read_bytes()).digest():
        return {"exemple": True, "sample_rows_left": 0}
    state = db.session.get(ImportReferentiel, "tarifs")
    if state is None or not state.exemple:
        return {"exemple": False, "sample_rows_left": 0}
    changed = {row.key for row in rows
               if row.key in existing and (existing[row.key].montant, existing[row.key].pourcentage)
               != (row.montant, row.pourcentage)}
    return {"exemple": True, "sample_rows_left": sum(1 for key in existing if key not in changed)}


def _plain(value) -> str | None:
    return None if value is None else str(value)


def _fingerprint(p: TariffPreview) -> str:
    """A digest of exactly what the import would write, and of the file."""
    changes = [[c.row.kind.value, c.row.code, c.row.profession, c.row.date_effet.isoformat(), c.row.libelle,
                _plain(c.row.montant), _plain(c.row.pourcentage), c.old_libelle, _plain(c.old_montant),
                _plain(c.old_pourcentage)] for g in p.groups for c in (*g.added, *g.changed)]
    payload = {"sha256": p.sha256, "changes": changes, "unchanged": p.unchanged,
               "codes": [c["code"] for c in p.new_codes], "exemple": p.exemple,
               "today": p.today.isoformat() if p.today else None}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def apply(compte, name: str, data: bytes, sha256: str, fingerprint: str, today: date,
          previewed_on: date | None = None) -> TariffPreview:
    """Write the previewed import and its audit row in the caller's transaction (the caller commits).
    StalePreview when the table, or the day (`previewed_on`, the preview's own, says which), no longer
    gives the same preview; TariffFileError for a tampered file; ReferentielError when a row the preview
    could change has come into force since."""
    if hashlib.sha256(data).hexdigest() != sha256:
        raise TariffFileError("Le fichier de l'aperçu n'a pas été renvoyé intact : importez-le de nouveau.")
    current = preview(name, data, today)
    if current.fingerprint != fingerprint:
        raise StalePreview(current, new_day=previewed_on is not None and previewed_on != today)
    try:
        _write(current)
    except (IntegrityError, _Lost):
        db.session.rollback()
        raise StalePreview(preview(name, data, today)) from None
    record("caisse.tarifs.import", "succes", compte=compte, objet_type="import_referentiel", objet_id="tarifs",
           details=(f"{current.added} tarifs ajoutés, {current.changed} modifiés, {current.unchanged} inchangés, "
                    f"{len(current.new_codes)} codes NGAP ajoutés ; fichier {current.fichier} "
                    f"(sha256 {current.sha256[:16]}…)" + _changes_for_audit(current)))
    return current


def _plain_value(montant: Decimal | None, pourcentage: Decimal | None) -> str:
    """A value as the tariff file writes it (« 30.00 », « 15.7% »), so that a change can be undone."""
    return f"{montant:.2f}" if montant is not None else f"{format(pourcentage.normalize(), 'f')}%"


def _changes_for_audit(p: TariffPreview) -> str:
    """Each changed row, keyed as in the file (type;code;profession;date_effet), old → new value and label
    when it changed; the first AUDIT_CHANGES_MAX, then how many more. Added rows are new keys: the
    counts and the file's sha256 name them."""
    entries = []
    for c in (c for g in p.groups for c in g.changed):
        parts = []
        if (c.old_montant, c.old_pourcentage) != (c.row.montant, c.row.pourcentage):
            parts.append(f"{_plain_value(c.old_montant, c.old_pourcentage)} → "
                         f"{_plain_value(c.row.montant, c.row.pourcentage)}")
        if c.old_libelle != c.row.libelle:
            parts.append(f"libellé « {c.old_libelle} » → « {c.row.libelle} »")
        key = f"{c.row.kind.value};{c.row.code};{c.row.profession};{c.row.date_effet.isoformat()}"
        entries.append(f"{key} : {', '.join(parts)}")
    if not entries:
        return ""
    text = " ; modifiés (avant → après) : " + " ; ".join(entries[:AUDIT_CHANGES_MAX])
    if len(entries) > AUDIT_CHANGES_MAX:
        text += f" ; … et {len(entries) - AUDIT_CHANGES_MAX} autre(s) modification(s)"
    return text


class _Lost(Exception):
    """A conditional update found another value than the previewed one."""


def _write(p: TariffPreview) -> None:
    if p.new_codes:
        db.session.execute(CodeNgap.__table__.insert(), p.new_codes)
    inserts = []
    for group in p.groups:
        inserts += [{"type": c.row.kind.value, "code": c.row.code, "profession": c.row.profession,
                     "date_effet": c.row.date_effet, "montant": c.row.montant, "pourcentage": c.row.pourcentage,
                     "libelle": c.row.libelle} for c in group.added]
        for c in group.changed:
            done = db.session.execute(
                update(Tarif).where(
                    Tarif.type == c.row.kind.value, Tarif.code == c.row.code, Tarif.profession == c.row.profession,
                    Tarif.date_effet == c.row.date_effet, Tarif.libelle == c.old_libelle,
                    Tarif.montant.is_not_distinct_from(c.old_montant),
                    Tarif.pourcentage.is_not_distinct_from(c.old_pourcentage))
                .values(montant=c.row.montant, pourcentage=c.row.pourcentage, libelle=c.row.libelle)
                .execution_options(synchronize_session=False)).rowcount
            if done != 1:
                raise _Lost()
    if inserts:
        db.session.execute(Tarif.__table__.insert(), inserts)
    state = db.session.get(ImportReferentiel, "tarifs")
    if state is None:
        state = ImportReferentiel(partie="tarifs")
        db.session.add(state)
    state.fichier, state.empreinte_sha256, state.exemple = p.fichier, p.sha256, p.exemple
    state.lignes, state.importe_le = p.lignes, utcnow()
    bump()  # every process's cached tariffs are stale now
    db.session.flush()

"""The audit trail's hash chain: the hash of one row, and the check of a sequence of rows (pure)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64

# Every column of a journal row but id (a storage detail) and the hashes themselves.
CHAINED_FIELDS = (
    "numero", "horodatage", "compte_id", "praticien_id", "identifiant_saisi", "action",
    "objet_type", "objet_id", "resultat", "ip", "user_agent", "details",
)


def canonical_form(row: Mapping[str, Any]) -> str:
    """The row's chained fields as canonical JSON: sorted keys, no spaces, UTF-8 text."""
    values = {name: row.get(name) for name in CHAINED_FIELDS}
    instant = values["horodatage"]
    if isinstance(instant, datetime):
        if instant.tzinfo is None:
            raise ValueError("horodatage sans fuseau horaire : impossible de le chaîner")
        # Fixed precision, so that an instant with zero microseconds reads the same after a round trip.
        values["horodatage"] = instant.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the previous row's hash followed by this row's canonical form."""
    return hashlib.sha256((previous_hash + canonical_form(row)).encode("utf-8")).hexdigest()


@dataclass
class ChainCheck:
    """A walk along the chain, one row at a time, that stops at the first break."""

    previous_hash: str = GENESIS_HASH
    next_numero: int = 1
    checked: int = 0
    broken_numero: int | None = None
    reason: str | None = None

    def add(self, row: Mapping[str, Any]) -> bool:
        """Check the next row; False, with the numero and the reason kept, when the chain breaks."""
        if self.broken_numero is not None:
            return False
        numero = row["numero"]
        if numero != self.next_numero:
            reason = "ligne manquante" if numero > self.next_numero else "numéro en double ou désordonné"
            return self._break(self.next_numero, reason)
        if row["hash_precedent"] != self.previous_hash:
            return self._break(numero, "chaînage rompu avec la ligne précédente")
        if row["hash"] != chain_hash(self.previous_hash, row):
            return self._break(numero, "contenu modifié (empreinte différente)")
        self.previous_hash = row["hash"]
        self.next_numero += 1
        self.checked += 1
        return True

    def _break(self, numero: int, reason: str) -> bool:
        self.broken_numero, self.reason = numero, reason
        return False


def first_broken_numero(rows: Iterable[Mapping[str, Any]]) -> int | None:
    """The numero where a sequence of rows (in numero order, from 1) stops chaining, or None."""
    check = ChainCheck()
    for row in rows:
        if not check.add(row):
            break
    return check.broken_numero

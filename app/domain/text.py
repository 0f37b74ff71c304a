"""Text folding for searches that ignore accents and case (« Hélène » finds « helene »)."""

from __future__ import annotations

import unicodedata


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def fold(text: str) -> str:
    """Lower case, accents removed, ligatures spelt out, spaces collapsed: the form in which names
    and labels are searched."""
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_LIGATURES))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.lower().split())

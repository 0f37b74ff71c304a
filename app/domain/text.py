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


def label_case(text: str) -> str:
    """An upper-case label of a reference file in sentence case, its acronyms in parentheses kept:
    « ACCIDENT DU TRAVAIL (AT) » → « Accident du travail (AT) »."""
    words = []
    for word in (text or "").split():
        inner = word.strip("().,")
        keep = word.startswith("(") and inner.isalpha() and inner.isupper() and len(inner) <= 4
        words.append(word if keep else word.lower())
    sentence = " ".join(words)
    return sentence[:1].upper() + sentence[1:]

"""The medical elements of a form: which fields they are, and their sealing at rest.

They are kept as one Fernet token of their JSON (the portal's key, FSE_ENCRYPTION_KEY). The portal
opens them for the praticien while he writes his draft and on the screen right after transmission;
afterwards only the caisse's médecin conseil does (issue 10). They never go into a list, a history,
a CSV, an audit row, a log or the employer's copy.
"""

from __future__ import annotations

import json

from cryptography.fernet import InvalidToken
from flask import current_app

from app.domain.formulaires import ETM, INVALIDITE, IT
from app.security.crypto import SecretKeyError

MEDICAL_FIELDS: dict[str, tuple[str, ...]] = {
    IT: ("motif", "elements_medicaux", "motif_sorties_libres"),
    ETM: ("affection", "arguments"),
    INVALIDITE: ("diagnostics", "incapacite", "traitement", "pronostic"),
}

LABELS = {
    "motif": "Motif de l'arrêt",
    "elements_medicaux": "Éléments d'ordre médical",
    "motif_sorties_libres": "Raison médicale des sorties sans restriction d'horaire",
    "affection": "Affection",
    "arguments": "Arguments médicaux",
    "diagnostics": "Diagnostics",
    "incapacite": "Description de l'incapacité",
    "traitement": "Traitement",
    "pronostic": "Pronostic",
}


def seal(values: dict[str, str]) -> bytes:
    """The medical elements as a Fernet token (empty fields left out)."""
    kept = {name: text for name, text in values.items() if text}
    return current_app.extensions["fse_cipher"].encrypt(json.dumps(kept, ensure_ascii=False).encode())


def unseal(token: bytes | None) -> dict[str, str]:
    """The medical elements of a token (none without a token); a token that the configured key does
    not open raises SecretKeyError rather than showing an empty form that would overwrite it."""
    if not token:
        return {}
    try:
        return json.loads(current_app.extensions["fse_cipher"].decrypt(bytes(token)))
    except InvalidToken:
        raise SecretKeyError("les éléments médicaux ne se déchiffrent pas avec FSE_ENCRYPTION_KEY") from None

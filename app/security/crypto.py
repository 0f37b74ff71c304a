"""Encryption at rest of TOTP secrets with a key taken from configuration, never from the database."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app


class SecretKeyError(RuntimeError):
    """The encryption key is missing or malformed."""


def build_cipher(keys: str) -> MultiFernet:
    """A cipher from a comma-separated list of Fernet keys: the first encrypts, all decrypt (rotation)."""
    parts = [k.strip() for k in keys.split(",") if k.strip()]
    if not parts:
        raise SecretKeyError("FSE_ENCRYPTION_KEY est vide")
    try:
        return MultiFernet([Fernet(k.encode()) for k in parts])
    except (ValueError, TypeError) as exc:
        raise SecretKeyError(f"FSE_ENCRYPTION_KEY n'est pas une clé Fernet valide ({exc})") from None


def _cipher() -> MultiFernet:
    return current_app.extensions["fse_cipher"]


def encrypt_secret(secret: str) -> bytes:
    """Encrypt a secret (a TOTP seed) for storage."""
    return _cipher().encrypt(secret.encode())


def decrypt_secret(token: bytes) -> str:
    """Decrypt a stored secret; a wrong key raises SecretKeyError rather than a cryptic error."""
    try:
        return _cipher().decrypt(bytes(token)).decode()
    except InvalidToken:
        raise SecretKeyError("le secret enregistré ne se déchiffre pas avec FSE_ENCRYPTION_KEY") from None

"""Password hashing with argon2id (SECURITY.md item 1), parameters from configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

# A valid hash of a random password, verified when the account is unknown so that an unknown
# identifiant costs the same time as a wrong password (SECURITY.md item 2).
_DUMMY_PASSWORD = "inconnu-Aq7!xZ"


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(
        time_cost=cfg["ARGON2_TIME_COST"],
        memory_cost=cfg["ARGON2_MEMORY_COST_KIB"],
        parallelism=cfg["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    """An argon2id hash with a fresh random salt."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; with no stored hash, spends the same time and says False."""
    hasher = _hasher()
    if not stored_hash:
        dummy = current_app.extensions.get("fse_dummy_hash")
        if dummy is None:  # once per process, never on the request path again
            dummy = current_app.extensions.setdefault("fse_dummy_hash", hasher.hash(_DUMMY_PASSWORD))
        try:
            hasher.verify(dummy, password + "\x00")
        except VerificationError:
            pass
        return False
    try:
        return hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the configured ones."""
    return _hasher().check_needs_rehash(stored_hash)

"""TOTP devices: pending secrets shown as QR codes, activation, and the one-time use of each code."""

from __future__ import annotations

import time
from datetime import timedelta
from io import BytesIO

import qrcode
import qrcode.image.svg
from sqlalchemy import delete, select, update

from app.domain import totp
from app.extensions import db
from app.models import AppareilTotp, Compte, EnrolementEnAttente
from app.models.types import utcnow
from app.security.crypto import decrypt_secret, encrypt_secret

PENDING_LIFETIME = timedelta(minutes=30)


def now_unix() -> float:
    """The clock of code checks (one place, so that tests can move it by whole steps)."""
    return time.time()


def consume_code(appareil: AppareilTotp, code: str | None, unix_time: float | None = None) -> bool:
    """Accept a code once: its step must be newer than the last accepted one, stored atomically.

    The check-and-store is one UPDATE … WHERE dernier_pas < :step, so of two simultaneous
    submissions of the same code exactly one changes the row (SECURITY.md item 6).
    """
    if appareil is None or appareil.active_le is None:
        return False
    step = totp.matching_step(decrypt_secret(appareil.secret_chiffre), code,
                              now_unix() if unix_time is None else unix_time)
    if step is None:
        return False
    result = db.session.execute(
        update(AppareilTotp)
        .where(AppareilTotp.id == appareil.id, AppareilTotp.dernier_pas < step)
        .values(dernier_pas=step)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def pending_secret(compte: Compte, objet: str) -> str:
    """The secret waiting for confirmation (the same one after a wrong code), or a new one."""
    pending = db.session.scalar(
        select(EnrolementEnAttente).where(EnrolementEnAttente.compte_id == compte.id,
                                          EnrolementEnAttente.objet == objet)
    )
    if pending is not None and utcnow() - pending.cree_le < PENDING_LIFETIME:
        return decrypt_secret(pending.secret_chiffre)
    secret = totp.new_secret()
    if pending is None:
        db.session.add(EnrolementEnAttente(compte_id=compte.id, objet=objet, secret_chiffre=encrypt_secret(secret)))
    else:
        pending.secret_chiffre, pending.cree_le = encrypt_secret(secret), utcnow()
    db.session.flush()
    return secret


def confirm_pending(compte: Compte, objet: str, code: str | None, unix_time: float | None = None) -> tuple[str, int] | None:
    """The pending secret and the step of the code typed, if the code proves the phone has it."""
    pending = db.session.scalar(
        select(EnrolementEnAttente).where(EnrolementEnAttente.compte_id == compte.id,
                                          EnrolementEnAttente.objet == objet)
    )
    if pending is None or utcnow() - pending.cree_le >= PENDING_LIFETIME:
        return None
    secret = decrypt_secret(pending.secret_chiffre)
    step = totp.matching_step(secret, code, now_unix() if unix_time is None else unix_time)
    return None if step is None else (secret, step)


def drop_pending(compte: Compte, objet: str) -> int:
    """Delete the pending secret; 1 for the one request that may activate it, 0 for a concurrent twin."""
    result = db.session.execute(delete(EnrolementEnAttente).where(EnrolementEnAttente.compte_id == compte.id,
                                                                  EnrolementEnAttente.objet == objet))
    return result.rowcount


def activate_device(compte: Compte, secret: str, step: int) -> AppareilTotp:
    """Give the account its device; the code used to confirm it cannot be replayed."""
    if compte.appareil is None:
        compte.appareil = AppareilTotp(secret_chiffre=encrypt_secret(secret))
    compte.appareil.secret_chiffre = encrypt_secret(secret)
    compte.appareil.active_le = utcnow()
    compte.appareil.dernier_pas = step
    db.session.flush()
    return compte.appareil


def qr_svg(uri: str) -> bytes:
    """The QR code of an otpauth URI as SVG, drawn on the server (no image library needed)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue()

"""RFC 6238 time steps and the accepted window; the replay check itself is an atomic UPDATE (auth)."""

from __future__ import annotations

import hmac
import re
from urllib.parse import quote

import pyotp

STEP_SECONDS = 30
DIGITS = 6
ISSUER = "FSE Monaco"
# Accepted: the current step and the previous one (a phone clock a little behind, or a code typed
# just as it changed). Two steps or more away, before or after, are refused.
ACCEPTED_STEP_OFFSETS = (0, -1)
_CODE = re.compile(r"^[0-9]{6}$")  # ASCII digits only: other scripts' digits are not codes


def time_step(unix_time: float) -> int:
    """The RFC 6238 time step (T) of an instant: floor(unix time / 30)."""
    return int(unix_time // STEP_SECONDS)


def normalise_code(text: str | None) -> str | None:
    """The 6 digits typed, spaces removed (apps show « 123 456 »); None if it is not 6 digits."""
    if text is None:
        return None
    code = re.sub(r"[ \u00a0\u202f\t]", "", text)
    return code if _CODE.match(code) else None


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of a base32 secret at a time step (SHA-1, as authenticator apps use)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str | None, unix_time: float) -> int | None:
    """The accepted step whose code equals the one typed, or None; compared in constant time."""
    normalised = normalise_code(code)
    if normalised is None:
        return None
    current = time_step(unix_time)
    found = None
    for offset in ACCEPTED_STEP_OFFSETS:
        if hmac.compare_digest(code_at(secret, current + offset), normalised) and found is None:
            found = current + offset
    return found


def new_secret() -> str:
    """160 random bits from the operating system's CSPRNG, in base32 (32 characters)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, account_name: str) -> str:
    """The otpauth://totp/ URI of the QR code, with the issuer « FSE Monaco »."""
    label = quote(f"{ISSUER}:{account_name}")
    return (f"otpauth://totp/{label}?secret={secret}&issuer={quote(ISSUER)}"
            f"&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}")


def grouped(secret: str) -> str:
    """The secret in groups of four for typing by hand: « ABCD EFGH … »."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))

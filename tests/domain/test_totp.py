"""TOTP (SECURITY.md 4-5): RFC 6238 vectors, the accepted window, code input, secrets."""

import base64
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest

from app.domain import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix_time", "expected"),
    [(59, "94287082"), (1111111109, "07081804"), (1111111111, "14050471"), (1234567890, "89005924"),
     (2000000000, "69279037")],
)
def test_rfc_6238_appendix_b_sha1_vectors(unix_time, expected):
    assert pyotp.TOTP(RFC_SECRET, digits=8, interval=30).at(unix_time) == expected
    assert pyotp.TOTP(RFC_SECRET, digits=8).generate_otp(totp.time_step(unix_time)) == expected


def test_six_digit_codes_are_the_last_digits_of_the_rfc_vectors():
    assert totp.code_at(RFC_SECRET, totp.time_step(1111111109)) == "081804"


NOW = 1_800_000_015.0  # 15 s into a step


@pytest.mark.parametrize(("offset", "accepted"), [(0, True), (-1, True), (1, False), (-2, False), (2, False)])
def test_accepted_window_is_the_current_and_the_previous_step(offset, accepted):
    step = totp.time_step(NOW) + offset
    code = totp.code_at(RFC_SECRET, step)
    assert (totp.matching_step(RFC_SECRET, code, NOW) == step) is accepted


def test_wrong_or_malformed_codes_are_refused():
    good = totp.code_at(RFC_SECRET, totp.time_step(NOW))
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    for code in (wrong, "", "12345", "1234567", "abcdef", None, "12 34 5"):
        assert totp.matching_step(RFC_SECRET, code, NOW) is None


def test_code_typed_with_a_space_is_accepted():
    good = totp.code_at(RFC_SECRET, totp.time_step(NOW))
    assert totp.matching_step(RFC_SECRET, f"{good[:3]} {good[3:]}", NOW) == totp.time_step(NOW)


def test_new_secrets_are_160_bits_and_distinct():
    secrets = {totp.new_secret() for _ in range(50)}
    assert len(secrets) == 50
    assert all(len(base64.b32decode(s)) == 20 for s in secrets)


def test_provisioning_uri_for_authenticator_apps():
    uri = urlparse(totp.provisioning_uri("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "medecin.demo"))
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/FSE%20Monaco%3Amedecin.demo"
    query = parse_qs(uri.query)
    assert query["issuer"] == ["FSE Monaco"] and query["secret"] == ["ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"]
    assert query["digits"] == ["6"] and query["period"] == ["30"] and query["algorithm"] == ["SHA1"]

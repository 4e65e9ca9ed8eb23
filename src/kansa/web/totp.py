"""The second factor: TOTP (RFC 6238, via pyotp) and single-use recovery codes.

A code is accepted for the current 30-second step and one step either side (RFC 6238 section
5.2 allows for clock drift) and never twice: the last accepted step is kept (section 5.2,
"the verifier MUST NOT accept the second attempt of the OTP after the successful validation").
Recovery codes are random (64 bits each) and kept only as SHA-256 hashes.
"""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp

ISSUER = "Kansa"
RECOVERY_CODES = 10


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (typed in or scanned)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def accepted_step(
    secret: str, code: str, last_step: int | None, now: float | None = None
) -> int | None:
    """The time step ``code`` is valid for (drift of one step allowed), unless already used."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    at = time.time() if now is None else now
    step = int(at // totp.interval)
    for candidate in (step, step - 1, step + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if secrets.compare_digest(totp.at(candidate * totp.interval), code):
            return candidate
    return None


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def new_recovery_codes() -> tuple[list[str], list[str]]:
    """(codes to show once, their hashes to store)."""
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(RECOVERY_CODES)]
    return codes, [_code_hash(c) for c in codes]


def use_recovery_code(hashes: list[str], code: str) -> list[str] | None:
    """The remaining hashes once ``code`` is spent, or None when it is not one of them."""
    digest = _code_hash(code)
    for h in hashes:
        if secrets.compare_digest(h, digest):
            return [x for x in hashes if x != h]
    return None

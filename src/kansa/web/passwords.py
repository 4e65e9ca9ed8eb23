"""Password hashing (Argon2id) and the rules a new password must meet.

Argon2id is the winner of the Password Hashing Competition (RFC 9106) and OWASP's first
choice for password storage; argon2-cffi's defaults follow RFC 9106's recommended parameters.
NIST SP 800-63B 5.1.1.2: at least 8 characters (we ask 12), no composition rules, compare
against known-bad values (here: the user name and the one-time password).
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kansa.i18n import tr

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes any length; a bound keeps a login from being a CPU sink

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# a hash to verify against when the user does not exist, so timing does not tell
DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


def one_time_password() -> str:
    """A random password (120 bits) shown once; it must be changed at first login."""
    return secrets.token_urlsafe(15)


def password_problem(password: str, username: str, old_hash: str | None = None) -> str | None:
    """Why ``password`` cannot be the new password, or None."""
    if len(password) < MIN_LENGTH:
        return tr(
            f"at least {MIN_LENGTH} characters, please", f"{MIN_LENGTH} 文字以上にしてください"
        )
    if len(password) > MAX_LENGTH:
        return tr(f"at most {MAX_LENGTH} characters", f"{MAX_LENGTH} 文字以内にしてください")
    if username.lower() in password.lower():
        return tr("it must not contain the user name", "ユーザー名を含めないでください")
    if old_hash is not None and verify_password(old_hash, password):
        return tr("it must differ from the current one", "現在のパスワードと同じです")
    return None

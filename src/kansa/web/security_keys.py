"""WebAuthn second factor: security keys and platform authenticators (py_webauthn, Duo Labs).

Registration and authentication follow the W3C WebAuthn Level 2 ceremonies (sections 7.1
and 7.2): the server makes a random challenge, keeps it in the browser's session row, and
checks the authenticator's answer against it once (the challenge is spent whether the answer
is good or not), against the origin the browser is on and the relying party ID (its host
name). py_webauthn does the CBOR, COSE and signature work, and refuses a signature counter
that goes back (section 6.1.1: a cloned authenticator). Attestation is not asked for
("none"): Kansa trusts a key because an admin-approved, signed-in user registered it, not
because of its maker.

A security key counts as a second factor like TOTP: a privileged role may enrol either (or
both); a wrong answer counts as a failed sign-in (the account locks like for wrong codes).
Every ceremony's outcome is a ledger entry written in one step with its change.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from kansa.appdb import Database, User, WebAuthnCredential
from kansa.web.accounts import count_failure, is_locked_user, new_recovery_codes
from kansa.web.settings import WebSettings
from kansa.web.trail import Entry, change

RP_NAME = "Kansa"
TIMEOUT_MS = 120_000


@dataclass(frozen=True)
class RelyingParty:
    """Where the browser is: ``origin`` (scheme://host[:port]) and the RP ID (its host)."""

    origin: str
    rp_id: str

    @classmethod
    def of(cls, origin: str) -> RelyingParty:
        host = urlsplit(origin).hostname or ""
        return cls(origin.rstrip("/"), host)


@dataclass(frozen=True)
class Ceremony:
    """The options for ``navigator.credentials`` (JSON) and the challenge to keep."""

    options_json: str
    challenge: str


class KeyRefused(Exception):
    """The authenticator's answer does not hold (wrong challenge, origin, signature...)."""


def _active(user_id: int) -> object:
    return select(WebAuthnCredential).where(
        WebAuthnCredential.user_id == user_id, WebAuthnCredential.revoked_at.is_(None)
    )


def list_for(db: Database, user_id: int) -> list[WebAuthnCredential]:
    with db.session() as s:
        return list(
            s.scalars(
                select(WebAuthnCredential)
                .where(WebAuthnCredential.user_id == user_id)
                .order_by(WebAuthnCredential.id)
            )
        )


def _descriptors(db: Database, user_id: int) -> list[PublicKeyCredentialDescriptor]:
    with db.session() as s:
        creds = list(s.scalars(_active(user_id)))  # type: ignore[call-overload]
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(c.credential_id)) for c in creds]


def registration_options(db: Database, user: User, rp: RelyingParty) -> Ceremony:
    """Options to register a new key for ``user`` (keys already registered are excluded)."""
    options = generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=RP_NAME,
        user_name=user.username,
        user_id=f"kansa-user-{user.id}".encode(),
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(db, user.id),
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def register(
    db: Database, user_id: int, answer: str, challenge: str | None, rp: RelyingParty,
    name: str, now: dt.datetime, entry: Entry,
) -> list[str] | None:  # fmt: skip
    """Store the key the browser created; returns new recovery codes when it is the user's
    first second factor (else None). Raises :class:`KeyRefused` when the answer does not hold."""
    if challenge is None:
        raise KeyRefused("no registration was started in this session")
    try:
        verified = verify_registration_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        raise KeyRefused(str(exc)) from exc
    credential_id = bytes_to_base64url(verified.credential_id)
    entry.details.update(credential=credential_id[:16], name=name)
    with change(db, entry) as s:
        user = s.get(User, user_id)
        assert user is not None
        s.add(
            WebAuthnCredential(
                user_id=user_id,
                name=name,
                credential_id=credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
                created_at=now,
                last_used_at=None,
                revoked_at=None,
            )
        )
        first = not user.totp_enabled and not user.recovery_codes.get("hashes")
        return new_recovery_codes(user) if first else None


def authentication_options(db: Database, user_id: int, rp: RelyingParty) -> Ceremony:
    options = generate_authentication_options(
        rp_id=rp.rp_id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(db, user_id),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def _answer_id(answer: str) -> str:
    try:
        value = json.loads(answer)
        return str(value["id"]) if isinstance(value, dict) else ""
    except (ValueError, KeyError):
        return ""


def authenticate(
    db: Database, user_id: int, answer: str, challenge: str | None, rp: RelyingParty,
    settings: WebSettings, now: dt.datetime, entry: Entry,
) -> bool:  # fmt: skip
    """Check the browser's assertion; True when it proves one of the user's keys.

    ``entry`` becomes ``second_factor`` (method ``webauthn``) or ``second_factor_failed``, and
    is written with the counter update or the failure count."""
    with change(db, entry) as s:
        user = s.get(User, user_id)
        assert user is not None
        cred = s.scalars(
            _active(user_id).where(WebAuthnCredential.credential_id == _answer_id(answer))  # type: ignore[attr-defined]
        ).one_or_none()
        why = _why_not(cred, answer, challenge, rp, is_locked_user(user, now))
        entry.details["method"] = "webauthn"
        if why is None and cred is not None:
            cred.last_used_at = now
            user.failed_logins = 0
            entry.details["credential"] = cred.credential_id[:16]
            return True
        entry.action = "second_factor_failed"
        entry.details["reason"] = why
        if not is_locked_user(user, now):
            count_failure(user, settings, now)
        entry.details["locked"] = is_locked_user(user, now)
    return False


def _why_not(
    cred: WebAuthnCredential | None, answer: str, challenge: str | None, rp: RelyingParty,
    locked: bool,
) -> str | None:  # fmt: skip
    if locked:
        return "locked"
    if challenge is None:
        return "no_challenge"
    if cred is None:
        return "unknown_credential"
    try:
        verified = verify_authentication_response(
            credential=answer,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.rp_id,
            expected_origin=rp.origin,
            credential_public_key=cred.public_key,
            credential_current_sign_count=cred.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return "bad_assertion"
    cred.sign_count = verified.new_sign_count
    return None


def revoke(db: Database, user_id: int, credential: int, now: dt.datetime, entry: Entry) -> bool:
    """Revoke one of the user's own keys; False when there is no such live key (nothing written)."""
    with db.session() as s:
        found = s.get(WebAuthnCredential, credential)
        if found is None or found.user_id != user_id or found.revoked_at is not None:
            return False
        entry.details.update(credential=found.credential_id[:16], name=found.name)
    with change(db, entry) as s:
        found = s.get(WebAuthnCredential, credential)
        assert found is not None
        found.revoked_at = now
    return True

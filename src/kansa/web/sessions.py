"""Server-side browser sessions: a random cookie token, only its SHA-256 stored.

A session ends after ``idle_timeout`` without a request and ``absolute_timeout`` after sign-in
whatever happens (OWASP Session Management Cheat Sheet); signing in always makes a new token
(no session fixation) and each stage of the login (password change, TOTP) moves the same row
forward. Expired rows are deleted when met.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete

from kansa.appdb import Database, WebSession
from kansa.web.settings import WebSettings
from kansa.web.trail import Entry, change

COOKIE = "__Host-kansa_session"  # __Host-: Secure, Path=/, no Domain (RFC 6265bis 4.1.3.2)
# last-seen times are written at most this often: a page's requests (the page, its styles,
# its API calls) are reads, not one database write each; an idle session ends after
# ``idle_timeout`` give or take this much
SEEN_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def create(db: Database, user_id: int, stage: str, now: dt.datetime) -> str:
    """A new session; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    with db.session() as s:
        s.add(
            WebSession(
                token_hash=token_hash(token),
                user_id=user_id,
                stage=stage,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
            )
        )
    return token


def load(db: Database, token: str, settings: WebSettings, now: dt.datetime) -> WebSession | None:
    """The live session for ``token`` (its last-seen time refreshed when older than
    :data:`SEEN_RESOLUTION`), or None."""
    with db.session() as s:
        found = s.get(WebSession, token_hash(token))
        if found is None:
            return None
        idle = now - _aware(found.last_seen_at) > settings.idle_timeout
        old = now - _aware(found.created_at) > settings.absolute_timeout
        if idle or old:
            s.delete(found)
            return None
        if now - _aware(found.last_seen_at) >= SEEN_RESOLUTION:
            found.last_seen_at = now
        return found


def set_stage(db: Database, token: str, stage: str) -> None:
    with db.session() as s:
        found = s.get(WebSession, token_hash(token))
        if found is not None:
            found.stage = stage
            found.challenge = None


def set_challenge(db: Database, token: str, challenge: str | None) -> None:
    """Keep the WebAuthn challenge this browser was just given (one at a time)."""
    with db.session() as s:
        found = s.get(WebSession, token_hash(token))
        if found is not None:
            found.challenge = challenge


def take_challenge(db: Database, token: str) -> str | None:
    """The challenge given to this browser, spent: a ceremony's answer is checked once."""
    with db.session() as s:
        found = s.get(WebSession, token_hash(token))
        if found is None or found.challenge is None:
            return None
        challenge, found.challenge = found.challenge, None
        return challenge


def destroy(db: Database, token: str, entry: Entry | None = None) -> None:
    with change(db, entry) as s:
        s.execute(delete(WebSession).where(WebSession.token_hash == token_hash(token)))


def destroy_all(db: Database, user_id: int) -> None:
    """End every session of a user (after a password reset or change)."""
    with db.session() as s:
        s.execute(delete(WebSession).where(WebSession.user_id == user_id))

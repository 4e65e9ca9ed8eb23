"""Personal API tokens: random, shown once, kept as SHA-256, scoped to a role, expiring.

A token acts with the role it was given, which is the owner's role or ``viewer`` (never more
than the owner has); it stops working when it expires, is revoked, or its owner is disabled,
expired, or changes role.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from kansa.appdb import ApiToken, Database, User
from kansa.i18n import tr
from kansa.web.accounts import AccountError, usable
from kansa.web.roles import VIEWER
from kansa.web.sessions import token_hash
from kansa.web.trail import Entry, change

PREFIX = "kansa_"
MAX_DAYS = 365


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def create(
    db: Database, user: User, name: str, role: str, days: int, now: dt.datetime,
    entry: Entry | None = None,
) -> str:  # fmt: skip
    """A new token for ``user``; returns it (the only time it is seen in clear)."""
    if role not in (user.role, VIEWER):
        raise AccountError(
            tr(
                f"a token may have your role ({user.role}) or viewer, not {role}.",
                f"トークンのロールはご自身のロール（{user.role}）か viewer のみです。",
            )
        )
    if not 1 <= days <= MAX_DAYS:
        raise AccountError(
            tr(f"expiry must be 1 to {MAX_DAYS} days.", f"有効期間は 1〜{MAX_DAYS} 日です。")
        )
    name = name.strip()[:100] or "token"
    token = PREFIX + secrets.token_urlsafe(32)
    with change(db, entry) as s:
        s.add(
            ApiToken(
                user_id=user.id,
                name=name,
                token_hash=token_hash(token),
                role=role,
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
                revoked=False,
            )
        )
    return token


def resolve(db: Database, token: str, now: dt.datetime) -> ApiToken | None:
    """The live token (with its user) for ``token``, or None."""
    with db.session() as s:
        found = s.scalars(
            select(ApiToken).where(ApiToken.token_hash == token_hash(token))
        ).one_or_none()
    if found is None or found.revoked or _aware(found.expires_at) <= now:
        return None
    if not usable(found.user, now) or found.role not in (found.user.role, VIEWER):
        return None
    return found


def list_for(db: Database, user_id: int) -> list[ApiToken]:
    with db.session() as s:
        return list(
            s.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id))
        )


def revoke(db: Database, user_id: int, token_id: int, entry: Entry | None = None) -> bool:
    """Revoke one of the user's tokens; False (nothing written) when it is not theirs."""
    with db.session() as s:
        found = s.get(ApiToken, token_id)
        if found is None or found.user_id != user_id:
            return False
    with change(db, entry) as s:
        found = s.get(ApiToken, token_id)
        assert found is not None
        found.revoked = True
    return True

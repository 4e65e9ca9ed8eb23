"""People: adding users, one-time passwords, sign-in with lockout, password change, TOTP.

The CLI (``kansa users``) and the web pages call these functions; neither front end holds any
of this logic. Times are passed in (``now``) so the lockout and expiry rules are testable.
A function that changes something takes the ledger ``entry`` that records it: the change
commits only once the entry is written (:func:`kansa.web.trail.change`). TOTP secrets pass
through a :class:`~kansa.web.secret_box.SecretBox` and are stored sealed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import select

from kansa.appdb import Database, Unit, User, WebAuthnCredential
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.web import passwords, totp
from kansa.web.roles import EXTERNAL_REVIEWER, ROLES, needs_second_factor
from kansa.web.secret_box import SecretBox
from kansa.web.settings import WebSettings
from kansa.web.trail import Entry, change

# letters, digits and . _ @ - : safe in a ledger actor, a URL and a terminal
USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")
UNIT = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class AccountError(KansaError):
    """A request about an account that cannot be met (exit 2, nothing changed)."""

    exit_code = 2


@dataclass(frozen=True)
class SignIn:
    """The outcome of a password check: ``user`` when it succeeded, else why not."""

    user: User | None
    reason: str  # ok, unknown, bad_password, locked, disabled, expired


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _unit(s: object, name: str) -> Unit:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    if not UNIT.fullmatch(name):
        raise AccountError(
            tr(
                f"unit {name!r} is not a unit name (lower-case letters, digits, _ and -).",
                f"部署名 {name!r} が不正です（英小文字・数字・_・- のみ）。",
            )
        )
    found = s.scalars(select(Unit).where(Unit.name == name)).one_or_none()
    if found is None:
        found = Unit(name=name, title=name, active=True)
        s.add(found)
        s.flush()
    elif not found.active:
        raise AccountError(
            tr(f"unit {name!r} is deactivated.", f"部署 {name!r} は無効化されています。")
        )
    return found


def add_user(
    db: Database,
    username: str,
    role: str,
    *,
    unit: str | None = None,
    expires: dt.datetime | None = None,
    now: dt.datetime | None = None,
    entry: Entry | None = None,
) -> str:
    """Create ``username`` and return its one-time password (to be changed at first login)."""
    if not USERNAME.fullmatch(username):
        raise AccountError(
            tr(
                f"user name {username!r} is not allowed: 2-64 lower-case letters, digits, . _ @ -.",
                f"ユーザー名 {username!r} は使えません（英小文字・数字・. _ @ - で 2〜64 文字）。",
            )
        )
    if role not in ROLES:
        raise AccountError(
            tr(f"unknown role {role!r}.", f"不明なロール {role!r} です。"),
            hint=", ".join(ROLES),
        )
    if role == "control_owner" and not unit:
        raise AccountError(
            tr("a control owner needs --unit.", "統制オーナーには --unit が必要です。")
        )
    if role == EXTERNAL_REVIEWER and expires is None:
        raise AccountError(
            tr("an external reviewer needs --expires.", "外部レビュアーには --expires が必要です。")
        )
    password = passwords.one_time_password()
    with change(db, entry) as s:
        if s.scalars(select(User).where(User.username == username)).one_or_none():
            raise AccountError(
                tr(f"user {username!r} already exists.", f"ユーザー {username!r} は既にあります。")
            )
        s.add(
            User(
                username=username,
                role=role,
                unit=_unit(s, unit) if unit else None,
                password_hash=passwords.hash_password(password),
                must_change_password=True,
                totp_enabled=False,
                recovery_codes={"hashes": []},
                failed_logins=0,
                expires_at=expires,
                disabled=False,
                created_at=now or now_utc(),
            )
        )
    return password


def list_users(db: Database) -> list[User]:
    with db.session() as s:
        return list(s.scalars(select(User).order_by(User.username)))


def get_user(db: Database, user_id: int) -> User | None:
    with db.session() as s:
        return s.get(User, user_id)


def _find(s: object, username: str) -> User:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        raise AccountError(
            tr(f"no user {username!r}.", f"ユーザー {username!r} はいません。"),
            hint=tr("`kansa users list` shows them.", "`kansa users list` で一覧できます。"),
        )
    return user


def reset_password(
    db: Database, username: str, *, reset_totp: bool = False, entry: Entry | None = None
) -> str:
    """A new one-time password; unlocks the account; ends its sessions; with ``reset_totp``
    the user enrols a second factor again (TOTP and security keys are both dropped)."""
    from sqlalchemy import delete, update

    from kansa.appdb import WebSession

    password = passwords.one_time_password()
    with change(db, entry) as s:
        user = _find(s, username)
        s.execute(delete(WebSession).where(WebSession.user_id == user.id))
        user.password_hash = passwords.hash_password(password)
        user.must_change_password = True
        user.failed_logins = 0
        user.locked_until = None
        if reset_totp:
            user.totp_enabled = False
            user.totp_secret = None
            user.totp_last_step = None
            user.recovery_codes = {"hashes": []}
            s.execute(
                update(WebAuthnCredential)
                .where(
                    WebAuthnCredential.user_id == user.id, WebAuthnCredential.revoked_at.is_(None)
                )
                .values(revoked_at=now_utc())
            )
    return password


def has_security_key(s: object, user_id: int) -> bool:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    found = s.scalars(
        select(WebAuthnCredential.id).where(
            WebAuthnCredential.user_id == user_id, WebAuthnCredential.revoked_at.is_(None)
        )
    ).first()
    return found is not None


def login_stage(s: object, user: User) -> str:
    """Where a fresh sign-in goes: change the one-time password, prove or enrol a second
    factor (TOTP or a security key), or straight in for a read-only role without one."""
    if user.must_change_password:
        return "password"
    if user.totp_enabled or has_security_key(s, user.id):
        return "totp"
    return "totp_enrol" if needs_second_factor(user.role) else "full"


def sign_in(
    db: Database, username: str, password: str, settings: WebSettings, now: dt.datetime,
    entry: Entry | None = None,
) -> SignIn:  # fmt: skip
    """Check a password; count failures and lock the account after too many (NIST 800-63B).

    ``entry`` (action ``login_failed``) is written in the same step as the failure count; on
    success it becomes the ``login`` entry, with the stage the session starts at."""
    with change(db, entry) as s:
        outcome = _check_password(s, username, password, settings, now)
        if entry is not None:
            known = outcome.reason != "unknown"  # never write what was typed for an unknown name
            entry.details.update(user=username if known else None, reason=outcome.reason)
            if outcome.user is not None:
                entry.actor, entry.action = outcome.user.username, "login"
                entry.details = {**entry.details, "stage": login_stage(s, outcome.user)}
                del entry.details["user"], entry.details["reason"]
        return outcome


def _check_password(
    s: object, username: str, password: str, settings: WebSettings, now: dt.datetime
) -> SignIn:
    from sqlalchemy.orm import Session

    assert isinstance(s, Session)
    user = s.scalars(select(User).where(User.username == username)).one_or_none()
    if user is None:
        passwords.verify_password(passwords.DUMMY_HASH, password)  # same time either way
        return SignIn(None, "unknown")
    locked = _aware(user.locked_until)
    if locked is not None and locked > now:
        return SignIn(None, "locked")
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= settings.max_failed_logins:
            user.locked_until = now + settings.lockout
            user.failed_logins = 0
            return SignIn(None, "locked")
        return SignIn(None, "bad_password")
    if user.disabled:
        return SignIn(None, "disabled")
    expires = _aware(user.expires_at)
    if expires is not None and expires <= now:
        return SignIn(None, "expired")
    user.failed_logins = 0
    user.locked_until = None
    return SignIn(user, "ok")


def usable(user: User, now: dt.datetime) -> bool:
    """Not disabled, not expired: checked on every request, not only at sign-in."""
    expires = _aware(user.expires_at)
    return not user.disabled and (expires is None or expires > now)


def change_password(
    db: Database, user_id: int, current: str, new: str, entry: Entry | None = None
) -> str | None:
    """Change a password; returns why not (nothing changed, nothing written) or None.

    ``entry`` is written with the change; the caller records a refusal on its own."""
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        if not passwords.verify_password(user.password_hash, current):
            return tr("the current password is wrong", "現在のパスワードが違います")
        problem = passwords.password_problem(new, user.username, user.password_hash)
        if problem:
            return problem
    with change(db, entry) as s:
        user = s.get(User, user_id)
        assert user is not None
        user.password_hash = passwords.hash_password(new)
        user.must_change_password = False
    return None


def start_totp(db: Database, user_id: int, box: SecretBox) -> str:
    """A fresh secret for enrolment (kept sealed until confirmed; a confirmed one is never
    replaced). Returns it in clear, for the enrolment page only."""
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None
        if not user.totp_secret:
            user.totp_secret = box.seal(totp.new_secret())
        return box.open(user.totp_secret)


def confirm_totp(
    db: Database, user_id: int, code: str, box: SecretBox, entry: Entry | None = None
) -> list[str] | None:
    """Enable TOTP once the user proves the app has the secret; returns the recovery codes
    (kept ones when a security key already made them: they are shown once only)."""
    with db.session() as s:
        user = s.get(User, user_id)
        assert user is not None and user.totp_secret
        step = totp.accepted_step(box.open(user.totp_secret), code, user.totp_last_step)
    if step is None:
        return None
    with change(db, entry) as s:
        user = s.get(User, user_id)
        assert user is not None
        codes, hashes = totp.new_recovery_codes()
        user.totp_enabled = True
        user.totp_last_step = step
        user.recovery_codes = {"hashes": hashes}
        return codes


def new_recovery_codes(user: User) -> list[str]:
    """Ten fresh recovery codes for ``user`` (the old ones stop working)."""
    codes, hashes = totp.new_recovery_codes()
    user.recovery_codes = {"hashes": hashes}
    return codes


def check_second_factor(
    db: Database, user_id: int, code: str, settings: WebSettings, now: dt.datetime,
    box: SecretBox, entry: Entry,
) -> str | None:  # fmt: skip
    """``"totp"`` or ``"recovery_code"`` when ``code`` is accepted (and spent), else None.

    Wrong codes count as failed sign-ins: the account locks like for wrong passwords, so a
    stolen password does not allow guessing the 6 digits from many addresses. ``entry`` is
    written in the same step: ``second_factor`` with the method, or ``second_factor_failed``.
    """
    with change(db, entry) as s:
        user = s.get(User, user_id)
        assert user is not None
        method = _second_factor(user, code, now, box)
        if method is not None:
            user.failed_logins = 0
            entry.details["method"] = method
            return method
        entry.action = "second_factor_failed"
        if not is_locked_user(user, now):
            count_failure(user, settings, now)
        entry.details["locked"] = is_locked_user(user, now)
    return None


def _second_factor(user: User, code: str, now: dt.datetime, box: SecretBox) -> str | None:
    locked = _aware(user.locked_until)
    if locked is not None and locked > now:
        return None
    if user.totp_enabled and user.totp_secret:
        step = totp.accepted_step(box.open(user.totp_secret), code, user.totp_last_step)
        if step is not None:
            user.totp_last_step = step
            return "totp"
    remaining = totp.use_recovery_code(list(user.recovery_codes.get("hashes", [])), code)
    if remaining is not None:
        user.recovery_codes = {"hashes": remaining}
        return "recovery_code"
    return None


def count_failure(user: User, settings: WebSettings, now: dt.datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= settings.max_failed_logins:
        user.locked_until = now + settings.lockout
        user.failed_logins = 0


def is_locked_user(user: User, now: dt.datetime) -> bool:
    locked = _aware(user.locked_until)
    return locked is not None and locked > now


def is_locked(db: Database, user_id: int, now: dt.datetime) -> bool:
    with db.session() as s:
        user = s.get(User, user_id)
        locked = None if user is None else _aware(user.locked_until)
    return locked is not None and locked > now

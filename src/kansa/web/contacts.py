"""Where a person is reached and in which language: an account's e-mail, webhook and language.

Notifications (:mod:`kansa.notify`) send to these, in this language; the web app speaks it to
the signed-in user when they have not chosen one on the page. ``kansa users set`` and the
admin page call :func:`set_contact`; each change is a ``web`` ledger entry written in one step
with it (:func:`kansa.web.trail.change`). An address is a work address of an employee, never a
customer's, and no secret.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from kansa.appdb import Database, User
from kansa.i18n import tr
from kansa.web.accounts import AccountError
from kansa.web.trail import Entry, change

LANGUAGES = ("en", "ja")
# one address, no display name: local@domain.tld (RFC 5321 4.5.3.1.3 caps a path at 256)
EMAIL = re.compile(r"[^@\s<>,;\"]{1,64}@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
MAX_EMAIL = 254


def _email(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if len(text) > MAX_EMAIL or not EMAIL.fullmatch(text):
        raise AccountError(
            tr(
                f"email {text!r} is not one e-mail address (name@example.co.jp).",
                f"メール {text!r} はメールアドレスではありません（name@example.co.jp）。",
            )
        )
    return text


def _language(value: str) -> str | None:
    text = value.strip().lower()
    if not text:
        return None
    if text not in LANGUAGES:
        raise AccountError(
            tr(f"language {value!r}: en or ja.", f"言語 {value!r}: en か ja を指定してください。")
        )
    return text


def _webhook(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if not text.startswith(("https://", "http://")) or len(text) > 500 or " " in text:
        raise AccountError(
            tr(
                f"webhook {text!r} is not an http(s) URL.",
                f"Webhook {text!r} は http(s) の URL ではありません。",
            )
        )
    return text


def check_contact(
    email: str | None = None, language: str | None = None, webhook: str | None = None
) -> dict[str, str | None]:
    """The values given, checked (``None``: not given; ``""``: to be cleared)."""
    wanted: dict[str, str | None] = {}
    if email is not None:
        wanted["email"] = _email(email)
    if language is not None:
        wanted["language"] = _language(language)
    if webhook is not None:
        wanted["webhook"] = _webhook(webhook)
    return wanted


def set_contact(
    db: Database,
    username: str,
    *,
    email: str | None = None,
    language: str | None = None,
    webhook: str | None = None,
    entry: Entry | None = None,
) -> User:
    """Set what is given (``None``: unchanged; ``""``: cleared), checked first: a refused
    value changes nothing."""
    wanted = check_contact(email, language, webhook)
    if not wanted:
        raise AccountError(tr("Nothing to set.", "設定する項目がありません。"))
    if entry is not None:
        entry.details.update(wanted)
    with change(db, entry) as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            raise AccountError(
                tr(f"no user {username!r}.", f"ユーザー {username!r} はいません。"),
                hint=tr("`kansa users list` shows them.", "`kansa users list` で一覧できます。"),
            )
        for key, value in wanted.items():
            setattr(user, key, value)
        s.flush()
        s.expunge(user)
        return user

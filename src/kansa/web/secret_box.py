"""TOTP secrets encrypted at rest, with a key that never enters the app database.

The server must compute TOTP codes, so it cannot keep only a hash of the secret (RFC 6238
section 5.1 asks verifiers to protect the keys "against unauthorized access and usage"). A
stolen copy of the database (a backup, a PostgreSQL dump) must not hand out every second
factor, so each secret is sealed with Fernet (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package Kansa already uses for ledger signatures: no new dependency) and stored
as ``fernet:<token>``.

The key comes from ``$KANSA_WEB_KEY`` when set (a secret manager, a unit file), else from
``web-secret.key`` in the workspace (mode 0600, made on first use). A key that does not open
the stored secrets is one clear error when the app starts, never a silent lockout of every
user. The secrets and the key are never logged nor written to the ledger.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import select

from kansa.appdb import Database, User
from kansa.errors import KansaError
from kansa.i18n import tr

ENV = "KANSA_WEB_KEY"
KEY_FILE = "web-secret.key"
PREFIX = "fernet:"


class SecretKeyError(KansaError):
    """The web key is missing, malformed, readable by others, or not the one in use."""

    exit_code = 2


@dataclass(frozen=True)
class SecretBox:
    """Seals and opens TOTP secrets; ``source`` says where the key came from (for messages)."""

    fernet: Fernet
    source: str

    def seal(self, secret: str) -> str:
        return PREFIX + self.fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The clear secret of a stored value (a value from before encryption is returned as is)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self.fernet.decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise _wrong_key(self.source) from None


def _wrong_key(source: str) -> SecretKeyError:
    return SecretKeyError(
        tr(
            f"The web key from {source} does not open the TOTP secrets in the app database: "
            "it is not the key they were sealed with.",
            f"{source} の Web 鍵ではアプリ DB の TOTP シークレットを復号できません（暗号化時の鍵と違います）。",
        ),
        hint=tr(
            f"Restore the key that was used (${ENV} or {KEY_FILE}; after an interrupted "
            f"`kansa users rotate-key`, it is {KEY_FILE}.next); to start over instead, "
            "`kansa users reset-password NAME --reset-totp` for each user.",
            f"使用していた鍵（${ENV} または {KEY_FILE}。`kansa users rotate-key` が中断した場合は "
            f"{KEY_FILE}.next）を戻してください。やり直す場合は各ユーザーに "
            "`kansa users reset-password NAME --reset-totp` を実行してください。",
        ),
    )


def _parse(raw: str, source: str) -> Fernet:
    try:
        return Fernet(raw.strip().encode())
    except ValueError:
        raise SecretKeyError(
            tr(
                f"{source} is not a web key: expected 44 characters of URL-safe base64 "
                "(32 random bytes).",
                f"{source} は Web 鍵ではありません（URL-safe base64 で 44 文字、32 バイトの乱数）。",
            ),
            hint='python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"',
        ) from None


def _from_file(path: Path) -> SecretBox:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(Fernet.generate_key().decode() + "\n")
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise SecretKeyError(
            tr(f"{path} is not a regular file.", f"{path} は通常のファイルではありません。")
        )
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise SecretKeyError(
            tr(
                f"The web key {path} may be read by others (mode {stat.S_IMODE(info.st_mode):04o}); refused.",
                f"Web 鍵 {path} は他のユーザーが読める状態です（モード {stat.S_IMODE(info.st_mode):04o}）。使用を拒否しました。",
            ),
            hint=tr(f"Run: chmod 600 {path}", f"実行してください: chmod 600 {path}"),
        )
    return SecretBox(
        _parse(path.read_text(encoding="ascii", errors="replace"), str(path)), str(path)
    )


def load_box(workspace_root: Path) -> SecretBox:
    """The key from ``$KANSA_WEB_KEY``, else the workspace's key file (made when missing)."""
    value = os.environ.get(ENV)
    if value:
        return SecretBox(_parse(value, f"${ENV}"), f"${ENV}")
    return _from_file(workspace_root / KEY_FILE)


def prepare(db: Database, box: SecretBox) -> int:
    """Check that ``box`` opens every sealed secret, then seal those still in clear.

    Returns how many were sealed. Raises :class:`SecretKeyError` (nothing changed) when the
    key is not the one in use.
    """
    with db.session() as s:
        users = list(s.scalars(select(User).where(User.totp_secret.is_not(None))))
        for u in users:
            assert u.totp_secret is not None
            box.open(u.totp_secret)  # raises before anything is sealed with a wrong key
        clear = [u for u in users if u.totp_secret and not u.totp_secret.startswith(PREFIX)]
        for u in clear:
            assert u.totp_secret is not None
            u.totp_secret = box.seal(u.totp_secret)
    return len(clear)

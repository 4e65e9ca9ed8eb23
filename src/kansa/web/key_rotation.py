"""Rotating the web key: every TOTP secret re-sealed under a new key, all or nothing, ledgered.

A key that may have leaked (a copied workspace, a departed admin) is replaced without anyone
re-enrolling their authenticator: each stored secret is opened with the key in use and sealed
with a new one (Fernet, as :mod:`kansa.web.secret_box`), in one database transaction that
commits only with its ``web`` ledger entry (:func:`kansa.web.trail.change`: the count of
secrets, never a secret nor a key). A secret the current key cannot open stops everything
before the database changes.

The new key is written first, beside the old one (``web-secret.key.next``, mode 0600, never
over an existing file), and moved over ``web-secret.key`` once the database committed. If the
process dies between the two, the database is sealed with the key in ``web-secret.key.next``:
the server's start-up says so (:func:`kansa.web.secret_box.load_box`'s wrong-key hint). With
``$KANSA_WEB_KEY`` the key lives in a secret manager Kansa cannot write: the new key goes to
the file the caller names, to be put there. A running ``kansa serve`` keeps the old key in
memory: restart it after a rotation.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import select

from kansa.appdb import Database, User
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.web import trail
from kansa.web.secret_box import ENV, KEY_FILE, SecretBox, SecretKeyError, load_box
from kansa.workspace import Workspace

NEXT_SUFFIX = ".next"


@dataclass(frozen=True)
class Rotated:
    resealed: int  # how many TOTP secrets were re-sealed
    key_file: Path  # where the new key is
    from_env: bool  # the old key came from $KANSA_WEB_KEY (the new one must be put there)


def reseal(db: Database, vault: Vault, old: SecretBox, new: SecretBox, actor: str) -> int:
    """Every stored TOTP secret opened with ``old`` and sealed with ``new``, in one transaction
    with its ledger entry; any secret ``old`` cannot open changes nothing."""
    entry = trail.Entry(vault, actor, "rotate_web_key")
    with trail.change(db, entry) as s:
        users = list(s.scalars(select(User).where(User.totp_secret.is_not(None))))
        for user in users:
            assert user.totp_secret is not None
            user.totp_secret = new.seal(old.open(user.totp_secret))
        entry.details["resealed"] = len(users)
    return len(users)


def rotate(ws: Workspace, db: Database, actor: str, new_key_file: Path | None) -> Rotated:
    """Rotate the workspace's web key (see the module's docstring for the order of steps)."""
    old = load_box(ws.root)
    from_env = bool(os.environ.get(ENV))
    if from_env and new_key_file is None:
        raise SecretKeyError(
            tr(
                f"The web key comes from ${ENV}: Kansa cannot replace it there.",
                f"Web 鍵は ${ENV} から読んでいます。Kansa はそこを書き換えられません。",
            ),
            hint=tr(
                "Name a file for the new key: --new-key-file PATH (then put it in the variable).",
                "新しい鍵の保存先を指定してください: --new-key-file PATH（その後、変数に設定）。",
            ),
        )
    if new_key_file is not None and not from_env:
        raise SecretKeyError(
            tr(
                f"The web key is {ws.root / KEY_FILE}: it is replaced there; --new-key-file is "
                f"for a key from ${ENV}.",
                f"Web 鍵は {ws.root / KEY_FILE} にあり、そこで置き換えます。--new-key-file は "
                f"${ENV} の鍵のためのものです。",
            ),
        )
    target = new_key_file or ws.root / (KEY_FILE + NEXT_SUFFIX)
    key = Fernet.generate_key()
    _write_new(target, key)
    try:
        n = reseal(db, Vault(ws.vault_dir), old, SecretBox(Fernet(key), str(target)), actor)
    except BaseException:
        target.unlink(missing_ok=True)  # nothing changed: no new key left behind
        raise
    if from_env:
        return Rotated(n, target, True)
    final = ws.root / KEY_FILE
    os.replace(target, final)
    return Rotated(n, final, False)


def _write_new(path: Path, key: bytes) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        raise SecretKeyError(
            tr(
                f"{path} exists already: refused to overwrite a key.",
                f"{path} は既にあります。鍵を上書きしません。",
            ),
            hint=tr(
                "If an earlier rotation was interrupted, `kansa serve` says which key is in "
                "use; otherwise remove the file.",
                "以前のローテーションが中断した場合は `kansa serve` がどちらの鍵が有効か示します。"
                "そうでなければファイルを削除してください。",
            ),
        ) from None
    with os.fdopen(fd, "wb") as f:
        f.write(key + b"\n")
        f.flush()
        os.fsync(f.fileno())

"""Where a command may write a file the user names: never into the evidence vault.

``kansa report -o vault/ledger.jsonl`` used to overwrite the ledger. Every command that writes
a file or folder the user chooses (``-o``, ``--out``, ``--output``, ``--export``) calls
:func:`refuse_protected_output` first, before any work is done or filed: a path inside the
workspace's ``vault/`` (the folder itself included), the workspace's ``kansa.toml`` or its
SQLite app database is refused. The path is compared after resolving every symbolic link,
including a dangling one at the end, so ``-o link`` where ``link -> vault/ledger.jsonl`` is
refused too; so is a default output folder (``reports/``) that is a link into the vault.
"""

from __future__ import annotations

import os
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.workspace.config import CONFIG_FILE
from kansa.workspace.workspace import Workspace

_SQLITE = "sqlite:///"
_SQLITE_COMPANIONS = ("", "-journal", "-wal", "-shm")


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _database_files(ws: Workspace) -> list[Path]:
    """The SQLite app database and the files SQLite keeps beside it (none for PostgreSQL)."""
    url = ws.database_url
    if not url.startswith(_SQLITE):
        return []
    name = url[len(_SQLITE) :].split("?", 1)[0]
    if not name or name == ":memory:":
        return []
    return [_real(Path(name + suffix)) for suffix in _SQLITE_COMPANIONS]


def refuse_protected_output(ws: Workspace, target: Path) -> Path:
    """Return ``target`` when a command may write it; raise :class:`KansaError` (exit 2)
    when it is, or resolves to, something inside the vault, ``kansa.toml`` or the app
    database."""
    real = _real(target)
    vault = _real(ws.vault_dir)
    if real == vault or real.is_relative_to(vault):
        raise KansaError(
            tr(
                f"Refusing to write {target}: it is inside the evidence vault ({vault}).",
                f"{target} には書き込みません。証跡保管庫（{vault}）の中です。",
            ),
            hint=tr(
                "Only Kansa itself adds to the vault; choose a path outside vault/.",
                "保管庫に追加できるのは Kansa 自身だけです。vault/ の外のパスを指定してください。",
            ),
        )
    protected = [_real(ws.root / CONFIG_FILE), *_database_files(ws)]
    if real in protected:
        raise KansaError(
            tr(
                f"Refusing to write {target}: it is the workspace's {real.name}.",
                f"{target} には書き込みません。ワークスペースの {real.name} です。",
            ),
            hint=tr("Choose another file name.", "別のファイル名を指定してください。"),
        )
    return target

"""A failed write to the vault as one clear message with exit code 2.

Exit 1 means "controls failed" or "vault not intact"; a full disk is neither, and a traceback is
never an answer. Raised only after the vault was put back as it was (or its journal kept, so
that the next writer rolls the commit back under the lock).
"""

from __future__ import annotations

import errno

from kansa.errors import KansaError
from kansa.i18n import tr

_FULL = {errno.ENOSPC, errno.EDQUOT}


class VaultWriteError(KansaError):
    """Writing the vault failed (disk full, quota, I/O error); nothing was committed."""

    def __init__(self, what: str, exc: OSError) -> None:
        if exc.errno in _FULL:
            message = tr(
                f"vault: the disk is full (while writing {what}); nothing was committed and the "
                "vault is as it was.",
                f"vault: ディスクの空き容量がありません（{what} の書き込み中）。"
                "何もコミットされておらず、証跡保管庫は元のままです。",
            )
            hint = tr(
                "Free some space, then run the command again.",
                "空き容量を確保してから、もう一度実行してください。",
            )
        else:
            message = tr(
                f"vault: cannot write {what} ({exc.strerror}); nothing was committed.",
                f"vault: {what} を書き込めません（{exc.strerror}）。何もコミットされていません。",
            )
            hint = tr(
                "Run `kansa verify` to check the vault.",
                "`kansa verify` で証跡保管庫を確認してください。",
            )
        super().__init__(message, hint=hint)
        self.errno = exc.errno

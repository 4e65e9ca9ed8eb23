"""A change to the app database and its ledger entry in one step, for every writer.

The vault's writer lock is taken first and the database transaction second (the order every
writer of both follows, so two writers never wait on each other); the entry is appended inside
the transaction, which commits only once the entry is on the ledger. If the ledger cannot be
written (a torn last line, a full disk, a lock that cannot be taken), the transaction rolls
back and the caller gets :class:`LedgerUnavailable`: nothing was changed. The one gap left is a
commit that fails after the append: the ledger then holds an intent that did not happen, never
a change that nobody recorded.

:func:`kansa.web.trail.change` (the web app's own entries) and :meth:`kansa.workflow.Desk.change`
(findings, sign-offs, evidence requests: their own kinds of entry, from the CLI and the web app
alike) both go through :func:`holding_writer`; while it is held, :meth:`kansa.workflow.Desk.ledger`
appends under it instead of taking the lock again (an ``flock`` taken twice by one process on
two descriptors would wait for itself).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault

_HELD: ContextVar[frozenset[Path]] = ContextVar("kansa_vault_writer_held", default=frozenset())


class LedgerUnavailable(KansaError):
    """The ledger could not be written, so the change it records was not made."""

    exit_code = 2


def unavailable(action: str, exc: BaseException) -> LedgerUnavailable:
    return LedgerUnavailable(
        tr(
            f"The ledger could not be written ({type(exc).__name__}: {exc}); "
            f"{action} was not done and nothing was changed.",
            f"台帳に書き込めませんでした（{type(exc).__name__}: {exc}）。"
            f"{action} は実行されず、何も変更されていません。",
        ),
        hint=tr(
            "Run `kansa verify` and fix the vault first.",
            "`kansa verify` を実行し、先に保管庫を直してください。",
        ),
    )


def holds_writer(vault: Vault) -> bool:
    """Whether this thread (or task) holds ``vault``'s writer lock through :func:`holding_writer`."""
    return vault.root.resolve() in _HELD.get()


@contextmanager
def holding_writer(vault: Vault, action: str) -> Iterator[None]:
    """The vault's writer lock (with recovery of an interrupted commit) for the block; a lock
    that cannot be taken is :class:`LedgerUnavailable` for ``action``."""
    root = vault.root.resolve()
    if root in _HELD.get():
        yield
        return
    try:
        lock = vault.writer()
        lock.__enter__()
    except (OSError, KansaError) as exc:
        raise unavailable(action, exc) from exc
    token = _HELD.set(_HELD.get() | {root})
    try:
        yield
    finally:
        _HELD.reset(token)
        lock.__exit__(None, None, None)

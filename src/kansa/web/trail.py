"""Every action of the web app as a ``web`` entry on the vault's ledger.

The entry's ``actor`` is the signed-in user (user names are restricted to characters the
ledger accepts, see :data:`kansa.web.accounts.USERNAME`), its ``os_user`` the account the
server runs as, and its payload says what was done to what. Appends happen under the vault's
writer lock (:meth:`kansa.vault.Vault.writer`), like every other writer, so ``kansa verify``
covers them. Nobody, not even an admin, can edit or remove them from the app.

A change to the app database and its entry go together (:func:`change`): the entry is
appended inside the database transaction, which commits only once the entry is on the
ledger; if the append fails, the change is rolled back and the caller gets
:class:`LedgerUnavailable`. The only gap left is a commit that fails after the append: the
ledger then holds an intent that did not happen, never a change that nobody recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from kansa.appdb import Database
from kansa.errors import KansaError
from kansa.vault import LedgerEntry, Vault
from kansa.web import ledger_index
from kansa.workflow.ledger_first import LedgerUnavailable as LedgerUnavailable
from kansa.workflow.ledger_first import holding_writer
from kansa.workflow.ledger_first import unavailable as _unavailable

KIND = "web"
ANONYMOUS = "anonymous"


@dataclass
class _Pending:
    actor: str
    payload: dict[str, Any]
    entry: LedgerEntry | None = None
    error: BaseException | None = None


@dataclass
class _GroupCommit:
    """Entries waiting to be appended, and who is appending (per process, per ledger)."""

    waiting: list[_Pending] = field(default_factory=list)
    waiting_lock: threading.Lock = field(default_factory=threading.Lock)
    writing_lock: threading.Lock = field(default_factory=threading.Lock)


_GROUPS: dict[Path, _GroupCommit] = {}
_GROUPS_LOCK = threading.Lock()


def _record_grouped(vault: Vault, actor: str | None, action: str, **details: Any) -> LedgerEntry:
    """Append one entry: ``{"action": ACTION, ...details}`` by ``actor``; returns once it is
    on disk (fsync'd).

    Group commit: requests that record at the same time wait for one writer, which appends
    every entry waiting with one fsync (:meth:`kansa.vault.Ledger.append_many`). Each entry is
    its own ledger line with its own actor, as before; fifty users paging at once cost a few
    disk flushes instead of fifty in a row."""
    mine = _Pending(actor or ANONYMOUS, {"action": action, **details})
    with _GROUPS_LOCK:
        group = _GROUPS.setdefault(vault.ledger.path, _GroupCommit())
    with group.waiting_lock:
        group.waiting.append(mine)
    with group.writing_lock:
        if mine.entry is None and mine.error is None:
            with group.waiting_lock:
                batch, group.waiting = group.waiting, []
            _append_batch(vault, batch)
    if mine.error is not None:
        raise mine.error
    assert mine.entry is not None
    return mine.entry


def _append_batch(vault: Vault, batch: list[_Pending]) -> None:
    try:
        with vault.writer():
            vault.ledger.refuse_torn_tail()
            if vault.ledger.head() is None:
                vault._refuse_orphaned_evidence()  # as a commit would: never restart a chain
            entries = vault.ledger.append_many([(KIND, p.payload, None, p.actor) for p in batch])
    except BaseException as exc:  # every waiting request fails as its own append would
        for p in batch:
            p.error = exc
        raise
    for p, e in zip(batch, entries, strict=True):
        p.entry = e


@dataclass
class Entry:
    """A ledger entry to write in one step with a change to the app database.

    ``details`` may be filled in by the change itself (the outcome of a sign-in, the id of
    what was created) before it is written; ``written`` is the entry once appended.
    """

    vault: Vault
    actor: str | None
    action: str
    details: dict[str, Any] = field(default_factory=dict)
    written: LedgerEntry | None = None


def _append(vault: Vault, actor: str | None, action: str, details: dict[str, Any]) -> LedgerEntry:
    vault.ledger.refuse_torn_tail()
    if vault.ledger.head() is None:
        vault._refuse_orphaned_evidence()  # as a commit would: never restart a chain
    return vault.ledger.append(KIND, {"action": action, **details}, actor=actor or ANONYMOUS)


def record(vault: Vault, actor: str | None, action: str, **details: Any) -> LedgerEntry:
    """Append one entry that goes with no database change (a view, an export, a failure),
    grouped with the entries other requests are writing at the same moment."""
    try:
        return _record_grouped(vault, actor, action, **details)
    except (OSError, KansaError) as exc:
        raise _unavailable(action, exc) from exc


@contextmanager
def change(db: Database, entry: Entry | None) -> Iterator[Session]:
    """One transaction of the app database that commits only with ``entry`` on the ledger.

    The vault's writer lock is taken first and the database second, the order every writer
    of both follows, so two writers never wait on each other. Without an entry (the CLI, which
    records nothing of its own) it is a plain transaction.
    """
    if entry is None:
        with db.session() as s:
            yield s
        return
    with holding_writer(entry.vault, entry.action), db.session() as s:
        yield s
        s.flush()  # a constraint the database refuses fails here, before the entry
        try:
            entry.written = _append(entry.vault, entry.actor, entry.action, entry.details)
        except (OSError, KansaError) as exc:  # the transaction rolls back on the way out
            raise _unavailable(entry.action, exc) from exc


def entries_about(vault: Vault, key: str, value: str, limit: int = 50) -> list[LedgerEntry]:
    """The newest ``web`` entries whose payload has ``key == value`` (the trail of an object),
    from this process's index of the ledger (:mod:`kansa.web.ledger_index`)."""
    return ledger_index.of(vault.ledger.path).about(KIND, key, value, limit)


def last_action(vault: Vault, action: str) -> LedgerEntry | None:
    """The newest ``web`` entry of ``action`` (a verification done by any server process)."""
    return ledger_index.of(vault.ledger.path).last(KIND, action)

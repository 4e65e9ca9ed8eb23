"""A workflow step's surroundings: the database, the vault, the workspace, who acts, and when."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kansa.appdb import Database
from kansa.errors import KansaError
from kansa.vault import LedgerEntry, Vault
from kansa.workflow.ledger_first import holding_writer, holds_writer, unavailable
from kansa.workflow.policy import Policy


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Desk:
    """Everything a workflow step needs. ``actor`` is the person acting (the CLI: the ledger's
    actor, ``$KANSA_ACTOR`` or the OS user; the web app: the signed-in user); every step is a
    ledger entry naming them. ``now`` is fixed for tests (expiries, due dates)."""

    db: Database
    vault: Vault
    workspace: str
    actor: str
    policy: Policy = field(default_factory=Policy)
    now: dt.datetime = field(default_factory=_utc_now)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def ledger(
        self, kind: str, payload: dict[str, Any], files: dict[str, Any] | None = None
    ) -> LedgerEntry:
        """Append one entry naming :attr:`actor` (with ``files`` moved into the vault); inside
        :meth:`change`, under the writer lock it holds, and a failure is
        :class:`~kansa.workflow.ledger_first.LedgerUnavailable` (the change rolls back)."""
        body = {"workspace": self.workspace, **payload}
        if not holds_writer(self.vault):
            return self.vault.commit(kind, body, files, actor=self.actor)
        try:
            return self.vault._commit_locked(kind, body, files or {}, {}, self.actor)
        except (OSError, KansaError) as exc:
            raise unavailable(str(payload.get("action") or kind), exc) from exc

    @contextmanager
    def change(self, action: str = "the change") -> Iterator[Session]:
        """One transaction of the app database that commits only with its ledger entries on the
        ledger: the vault's writer lock first, the transaction second, as
        :func:`kansa.web.trail.change` (:mod:`kansa.workflow.ledger_first`)."""
        with holding_writer(self.vault, action), self.db.session() as s:
            yield s

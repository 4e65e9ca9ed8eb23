"""A workflow step's surroundings: the database, the vault, the workspace, who acts, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kansa.appdb import Database
from kansa.vault import LedgerEntry, Vault
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
        """Append one entry naming :attr:`actor` (with ``files`` moved into the vault)."""
        return self.vault.commit(
            kind, {"workspace": self.workspace, **payload}, files, actor=self.actor
        )

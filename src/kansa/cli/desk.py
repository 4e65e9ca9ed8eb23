"""The workflow desk of a CLI command: the workspace's database and vault, the ledger's actor
(``$KANSA_ACTOR`` or the OS user) and the ``[workflow]`` policy of kansa.toml."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from kansa.appdb import Database
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.vault.actor import current_actor
from kansa.workflow import Desk, workflow_policy
from kansa.workspace import Workspace


@contextmanager
def open_desk(ws: Workspace) -> Iterator[Desk]:
    policy = workflow_policy(ws.config.raw)  # a bad [workflow] table is refused first
    with Database(ws.database_url) as db:
        yield Desk(db, Vault(ws.vault_dir), ws.config.name, current_actor(), policy)


def ledger_mark(desk: Desk) -> str:
    head = desk.vault.ledger.head()
    return tr(f"ledger entry #{head.seq}", f"台帳エントリ #{head.seq}") if head else ""

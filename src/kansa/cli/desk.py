"""The workflow desk of a CLI command: the workspace's database and vault, the ledger's actor
(``$KANSA_ACTOR`` or the OS user) and the ``[workflow]`` policy of kansa.toml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from kansa.appdb import Database
from kansa.errors import KansaError
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


def parse_day(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise KansaError(
            tr(f"{option} {text!r} is not a date.", f"{option} {text!r} は日付ではありません。"),
            hint=f"{option} 2026-12-31",
        ) from exc


def ledger_mark(desk: Desk) -> str:
    head = desk.vault.ledger.head()
    return tr(f"ledger entry #{head.seq}", f"台帳エントリ #{head.seq}") if head else ""

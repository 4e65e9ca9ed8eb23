"""The one way the audit plan changes: a ledger entry of kind ``engagement`` naming the action
and what changed, so ``kansa verify`` covers every step of the plan."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kansa.vault import LedgerEntry
from kansa.workflow import Desk

KIND = "engagement"


def record(desk: Desk, action: str, **details: Any) -> LedgerEntry:
    """Append the ledger entry for ``action`` (dates become ISO text)."""
    payload = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in details.items()}
    return desk.ledger(KIND, {"action": action, **payload})


def entry_time(entry: LedgerEntry) -> dt.datetime:
    """When ``entry`` was written (UTC): the time a row records, so that a row rebuilt from
    the ledger (:mod:`kansa.engagements.rebuild`) is the row that was written."""
    return dt.datetime.fromisoformat(entry.time.replace("Z", "+00:00"))

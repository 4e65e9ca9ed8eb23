"""The one way the audit plan changes: a ledger entry of kind ``engagement`` naming the action
and what changed, so ``kansa verify`` covers every step of the plan."""

from __future__ import annotations

from typing import Any

from kansa.vault import LedgerEntry
from kansa.workflow import Desk

KIND = "engagement"


def record(desk: Desk, action: str, **details: Any) -> LedgerEntry:
    """Append the ledger entry for ``action`` (dates become ISO text)."""
    payload = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in details.items()}
    return desk.ledger(KIND, {"action": action, **payload})

"""What the vault holds of each dataset: days covered, gaps, rows per day, last load.

``kansa datasets status`` prints it, so that before any verdict a user sees which days a run
will stand on (issue 9: coverage before verdicts).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from kansa.vault.store import Snapshot, Vault


@dataclass(frozen=True)
class DatasetStatus:
    dataset: str
    dated: bool
    rows: int
    loads: int  # ingest entries of the dataset
    last_load: str  # ledger time (UTC, ISO 8601) of the latest one
    last_seq: int
    rows_per_day: dict[dt.date, int] = field(default_factory=dict)

    @property
    def first_day(self) -> dt.date | None:
        return min(self.rows_per_day, default=None)

    @property
    def last_day(self) -> dt.date | None:
        return max(self.rows_per_day, default=None)

    @property
    def gaps(self) -> list[dt.date]:
        """Days between the first and the last loaded day that were never loaded."""
        if not self.rows_per_day:
            return []
        first, last = self.first_day, self.last_day
        assert first is not None and last is not None
        every = (first + dt.timedelta(n) for n in range((last - first).days + 1))
        return [d for d in every if d not in self.rows_per_day]

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "layout": "daily" if self.dated else "table",
            "rows": self.rows,
            "loads": self.loads,
            "last_load": self.last_load,
            "last_seq": self.last_seq,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "days": len(self.rows_per_day),
            "gaps": [d.isoformat() for d in self.gaps],
            "rows_per_day": {d.isoformat(): n for d, n in sorted(self.rows_per_day.items())},
        }


def _status(snap: Snapshot, loads: int) -> DatasetStatus:
    return DatasetStatus(
        dataset=snap.dataset,
        dated=snap.dated,
        rows=snap.rows,
        loads=loads,
        last_load=snap.time,
        last_seq=snap.seq,
        rows_per_day={p.day: p.rows for p in snap.parts},
    )


def vault_status(vault: Vault) -> list[DatasetStatus]:
    """Every dataset the vault holds, by name."""
    loads: dict[str, int] = {}
    latest: dict[str, Snapshot] = {}
    for snap in vault.snapshots():
        loads[snap.dataset] = loads.get(snap.dataset, 0) + 1
        latest[snap.dataset] = snap
    return [_status(latest[n], loads[n]) for n in sorted(latest)]

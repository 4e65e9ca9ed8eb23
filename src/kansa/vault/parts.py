"""Datasets stored by business day: one Parquet part per day, and the manifest naming them.

A dated dataset (its contract names a ``business_date`` column) is never one file. Each ingest
commits one part per day it carries, ``snapshots/DATASET/days/DAY/SHA256.parquet``, and a
*manifest*, ``snapshots/DATASET/manifests/SHA256.json``: the canonical JSON list of every day
of the dataset's current view with its part's path, SHA-256 and row count. The manifest's
SHA-256 is the snapshot hash a run records, so a run names exactly the parts it read, and any
earlier view stays readable (parts are never overwritten; a replaced day's old part stays).

Why per day: an exchange exports a day at a time and corrects a day at a time. A correction
file for one day must replace that day, not the month (issue 9: a 7-row correction of one
day of ``wallet_balances`` replaced the whole month and raised 56 false exceptions).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

LAYOUT = "daily"


@dataclass(frozen=True)
class Part:
    """One business day of a dated dataset: an immutable Parquet file in the vault."""

    day: dt.date
    file: str  # vault-relative
    sha256: str
    rows: int


def part_path(dataset: str, day: dt.date, sha256: str) -> str:
    return f"snapshots/{dataset}/days/{day.isoformat()}/{sha256}.parquet"


def manifest_path(dataset: str, sha256: str) -> str:
    return f"snapshots/{dataset}/manifests/{sha256}.json"


def manifest_bytes(dataset: str, zone: str, column: str, parts: Mapping[dt.date, Part]) -> bytes:
    """Canonical JSON (sorted keys, no spaces, days in order): the same view, the same hash."""
    body = {
        "dataset": dataset,
        "layout": LAYOUT,
        "business_date": column,
        "zone": zone,
        "days": [
            {"day": d.isoformat(), "file": p.file, "sha256": p.sha256, "rows": p.rows}
            for d, p in sorted(parts.items())
        ],
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (text + "\n").encode("utf-8")


@lru_cache(maxsize=256)
def _read(path: Path) -> tuple[Part, ...]:
    """A manifest's parts (cached: a committed manifest is content-addressed, never changes)."""
    body: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Part(dt.date.fromisoformat(d["day"]), d["file"], d["sha256"], int(d["rows"]))
        for d in body["days"]
    )


def read_parts(manifest: Path) -> tuple[Part, ...]:
    """The parts a committed manifest lists, oldest day first."""
    return _read(manifest)


class _HasFiles(Protocol):
    @property
    def files(self) -> tuple[tuple[Path, str], ...]: ...


def read_parquet_sql(snapshot: _HasFiles, options: str = "") -> str:
    """``read_parquet([...])`` over every file of a snapshot's view (DuckDB SQL); a dated
    dataset's view is the union of its days. ``options`` are appended (``file_row_number``)."""
    paths = ", ".join("'" + str(p).replace("'", "''") + "'" for p, _ in snapshot.files)
    return f"read_parquet([{paths}]{', ' + options if options else ''})"

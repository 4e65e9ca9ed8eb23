"""The data-quality warnings a run shows: the signals of every dated view it reads."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kansa.vault import Snapshot
from kansa.vault.signals import null_rate_warnings, row_count_warnings


def load_warnings(snapshots: Mapping[str, Snapshot]) -> tuple[dict[str, Any], ...]:
    """Row-count and NULL-share signals of each dated snapshot (:mod:`kansa.vault.signals`)."""
    out: list[dict[str, Any]] = []
    for name, snap in sorted(snapshots.items()):
        if snap.dated:
            out += row_count_warnings(name, snap.parts)
            files = [path for path, _ in snap.files]
            out += null_rate_warnings(name, list(zip(snap.parts, files, strict=True)))
    return tuple(out)

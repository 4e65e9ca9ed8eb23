"""Ingest every generated file into a workspace, day by day, and leave the ground truth beside
the vault.

Reference datasets (staff, wallets, roles...) are one ingest each (the whole table). Dated
datasets (balances, withdrawals, logs) are cut into one file per business day
(:mod:`kansa.demo.daily_files`) and loaded the way an exchange loads them: day after day, each
day one :func:`kansa.ingest.ingest_file` per dataset that adds that day. The ground truth is a
plain file at ``WORKSPACE/demo/ground_truth.json``: it describes the demo, it is not evidence,
so it stays out of the vault.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kansa.contracts import get_contract
from kansa.demo.daily_files import merge_files, split_by_day
from kansa.demo.generate import GROUND_TRUTH, DemoResult
from kansa.i18n import tr
from kansa.workspace import Workspace

# one load: (dataset, its files, the days they cover or None for a whole reference table)
Load = tuple[str, list[Path], list[dt.date] | None]


def _period(result: DemoResult) -> list[dt.date]:
    truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
    start, days = dt.date.fromisoformat(truth["start"]), int(truth["days"])
    return [start + dt.timedelta(n) for n in range(days)]


def _history(name: str, files: dict[dt.date, Path], start: dt.date, fmt: str) -> list[Load]:
    """The days before the period (a look-back such as customers' earlier logins) as one file
    and one load that covers every day from the first of them to the eve of the period, so the
    dataset has no gap for coverage to report (an empty day there was seen: nothing happened)."""
    before = sorted(d for d in files if d < start)
    if not before:
        return []
    span = [before[0] + dt.timedelta(n) for n in range((start - before[0]).days)]
    return [(name, [merge_files([files[d] for d in before], fmt)], span)]


def plan_loads(ws: Workspace, result: DemoResult) -> list[Load]:
    """Reference tables first (largest first), then each dated dataset's look-back before the
    period in one load, then every dated dataset day after day."""
    names = sorted(result.files, key=lambda n: -result.rows.get(n, 0))
    loads: list[Load] = [(n, [result.files[n]], None) for n in names if not get_contract(n).dated]
    fmt = result.files[names[0]].suffix.lstrip(".")
    out = result.folder / "daily"
    daily: dict[dt.date, list[tuple[str, Path]]] = {}
    period = _period(result)
    for name in names:
        if get_contract(name).dated:
            files = split_by_day(
                result.files[name],
                name,
                fmt,
                ws.config.day_zone,
                period,
                out,
                ws.config.memory_limit,
            )
            loads += _history(name, files, period[0], fmt)
            for day, path in files.items():
                if day >= period[0]:
                    daily.setdefault(day, []).append((name, path))
    for day in sorted(daily):
        loads += [(name, [path], [day]) for name, path in daily[day]]
    return loads


def _load(ws: Workspace, load: Load) -> str:
    from kansa.ingest import ingest_file

    name, paths, days = load
    source = paths[0] if len(paths) == 1 else paths
    return ingest_file(ws, name, source, progress=False, days=days).sha256


def ingest_demo(
    ws: Workspace, result: DemoResult, *, progress: Callable[[], Any] | None = None
) -> dict[str, str]:
    """Ingest all files (``progress`` makes a Rich Progress); returns dataset -> the hash of
    its snapshot after the last load (a dated dataset's: the manifest of all its days)."""
    loads = plan_loads(ws, result)
    snapshots: dict[str, str] = {}
    if progress is None:
        for load in loads:
            snapshots[load[0]] = _load(ws, load)
    else:
        with progress() as bar:
            task = bar.add_task(
                tr("ingesting into the vault", "証跡保管庫へ取り込み"), total=len(loads)
            )
            for load in loads:
                name, _, days = load
                when = f" {days[0]}" if days and len(days) == 1 else ""
                when = f" {days[0]}..{days[-1]}" if days and len(days) > 1 else when
                bar.update(
                    task, description=tr(f"ingesting {name}{when}", f"{name}{when} を取り込み中")
                )
                snapshots[name] = _load(ws, load)
                bar.advance(task)
    target = ws.root / "demo" / GROUND_TRUTH
    target.parent.mkdir(parents=True, exist_ok=True)
    if result.ground_truth.resolve() != target.resolve():
        shutil.copyfile(result.ground_truth, target)
    return snapshots

"""Ingest every generated file into a workspace, and leave the ground truth beside the vault.

Each dataset is one call to :func:`kansa.ingest.ingest_file` (all-or-nothing per file). The
ground truth is a plain file at ``WORKSPACE/demo/ground_truth.json``: it describes the demo,
it is not evidence, so it stays out of the vault.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from kansa.demo.generate import GROUND_TRUTH, DemoResult
from kansa.i18n import tr
from kansa.workspace import Workspace


def ingest_demo(
    ws: Workspace, result: DemoResult, *, progress: Callable[[], Any] | None = None
) -> dict[str, str]:
    """Ingest all files (``progress`` makes a Rich Progress); returns dataset -> snapshot hash."""
    from kansa.ingest import ingest_file

    snapshots: dict[str, str] = {}
    names = sorted(result.files, key=lambda n: -result.rows.get(n, 0))
    if progress is None:
        for name in names:
            snapshots[name] = ingest_file(ws, name, result.files[name], progress=False).sha256
    else:
        with progress() as bar:
            task = bar.add_task(
                tr("ingesting into the vault", "証跡保管庫へ取り込み"), total=len(names)
            )
            for name in names:
                bar.update(task, description=tr(f"ingesting {name}", f"{name} を取り込み中"))
                snapshots[name] = ingest_file(ws, name, result.files[name], progress=False).sha256
                bar.advance(task)
    target = ws.root / "demo" / GROUND_TRUTH
    target.parent.mkdir(parents=True, exist_ok=True)
    if result.ground_truth.resolve() != target.resolve():
        shutil.copyfile(result.ground_truth, target)
    return snapshots

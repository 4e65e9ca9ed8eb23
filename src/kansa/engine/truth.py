"""Precision and recall of a run against the demo's ground truth, when the workspace has one.

Ground truth lives at ``<workspace>/demo/ground_truth.json`` (written by ``kansa demo``, format in
docs/controls-spec.md). Only the controls the run included are scored, so ``--controls`` runs are
not charged with misses of controls they did not run; a run as of another day than the truth's
``as_of`` is not scored. The score is also saved as ``demo/last_score.json`` for the report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from kansa.controls.scoring import Score, exception_keys, score
from kansa.engine.result import ERROR, RunResult
from kansa.workspace import Workspace


def ground_truth_path(ws: Workspace) -> Path:
    """``demo/ground_truth.json``, else the copy beside the demo's source files."""
    main = ws.root / "demo" / "ground_truth.json"
    beside_sources = ws.root / "demo" / "source" / "ground_truth.json"
    return main if main.is_file() or not beside_sources.is_file() else beside_sources


def _only(ground_truth: dict[str, Any], control_ids: set[str]) -> dict[str, Any]:
    scenarios = [
        {**s, "violations": [v for v in s.get("violations", []) if v["control"] in control_ids]}
        for s in ground_truth.get("scenarios", [])
    ]
    return {**ground_truth, "scenarios": scenarios}


def score_run(ws: Workspace, run: RunResult) -> Score | None:
    """Score ``run`` if the workspace has a ground truth; ``None`` otherwise."""
    path = ground_truth_path(ws)
    if not path.is_file():
        return None
    whole = json.loads(path.read_text(encoding="utf-8"))
    if whole.get("as_of") not in (None, run.as_of.isoformat()):
        return None  # the truth holds for its own day; a look back would count false misses
    truth = _only(whole, {o.control_id for o in run.outcomes})
    found: dict[str, list[dict[str, str]]] = {}
    for o in run.outcomes:
        if o.status == ERROR or not o.exceptions_file:
            continue
        table = pq.read_table(ws.vault_dir / o.exceptions_file, columns=list(o.key))
        found[o.control_id] = exception_keys(table, o.key)
    result = score(truth, found)
    (ws.root / "demo" / "last_score.json").write_text(
        json.dumps({"run_id": run.run_id, **result.as_dict()}, indent=1, default=str),
        encoding="utf-8",
    )
    return result

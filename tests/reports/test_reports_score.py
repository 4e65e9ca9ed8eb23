"""The demo score a report shows belongs to the run it shows, never to another one."""

from __future__ import annotations

import json
from pathlib import Path

from helpers_reports import kansa

from kansa.reports.data import gather
from kansa.workspace import find_workspace


def test_the_score_of_another_run_is_not_shown_beside_the_latest_run(demo_ws: Path) -> None:
    ws = find_workspace(demo_ws)
    scored = gather(ws)
    assert scored.score is not None and scored.score["run_id"] == scored.run_id
    truth_day = json.loads(next(demo_ws.glob("demo/**/ground_truth.json")).read_text())["as_of"]
    earlier = f"{truth_day[:8]}01"
    kansa("-w", str(demo_ws), "run", "--controls", "CUS-*", "--as-of", earlier)
    data = gather(ws)
    assert data.run is not None and data.run.payload["as_of"] == earlier
    assert data.score is None

"""The whole catalog through the engine on a small generated demo exchange.

Every control must run inside the sandbox (the SQL guard must not refuse a catalog query, and
no control may need more than read access), and the run must find exactly the demo's seeded
violations: precision and recall 1.0 (issue 3's acceptance criterion, at small scale).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.controls import load_catalog
from kansa.engine import RunResult, run_controls
from kansa.engine.truth import score_run
from kansa.workspace import Workspace, find_workspace


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Workspace, RunResult]:
    folder: Path = tmp_path_factory.mktemp("demo") / "ws"
    args = ["demo", "--customers", "2000", "--days", "7", "--workspace-dir", str(folder)]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ws = find_workspace(folder)
    return ws, run_controls(ws, load_catalog().values(), progress=False, record=False)


def load_catalog_datasets() -> set[str]:
    from kansa.contracts import load_contracts

    return set(load_contracts())


def _days(first: str, end: str) -> list[str]:
    """Every ISO day from ``first`` up to the day before ``end``."""
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(end)
    return [(a + dt.timedelta(n)).isoformat() for n in range((b - a).days)]


def test_every_catalog_control_runs_in_the_sandbox(demo_run: tuple[Workspace, RunResult]) -> None:
    _ws, run = demo_run
    errors = {o.control_id: o.error for o in run.outcomes if o.status == "error"}
    assert errors == {}  # never a refusal, never a crash
    # the demo fills every input (issue 10 item 8): no control is left NOT TESTED
    catalog = load_catalog()
    assert [o.control_id for o in run.outcomes if o.status == "not_tested"] == []
    assert len(run.outcomes) == len(catalog) >= 45


def test_the_run_finds_exactly_the_seeded_violations(
    demo_run: tuple[Workspace, RunResult],
) -> None:
    ws, run = demo_run
    score = score_run(ws, run)
    assert score is not None
    wrong = {
        cid: (s.missed[:3], s.extra[:3]) for cid, s in score.per_control.items() if s.fp or s.fn
    }
    assert wrong == {}
    assert (score.precision, score.recall) == (1.0, 1.0)


def test_a_control_reading_shared_views_records_the_snapshots_behind_them(
    demo_run: tuple[Workspace, RunResult],
) -> None:
    _, run = demo_run
    acc_003 = run.outcome("ACC-003")  # reads privileged_accounts only, never a dataset directly
    assert set(acc_003.snapshots) == {"accounts", "role_grants", "roles"}
    assert acc_003.version_hash == load_catalog()["ACC-003"].version_hash


def test_the_demo_is_loaded_day_by_day_and_every_run_is_complete(
    demo_run: tuple[Workspace, RunResult],
) -> None:
    from kansa.contracts import get_contract
    from kansa.vault import Vault

    ws, run = demo_run
    loads: dict[str, list[list[str]]] = {}
    for snap in Vault(ws.vault_dir).snapshots():
        if get_contract(snap.dataset).dated:
            loads.setdefault(snap.dataset, []).append(snap.payload["days_added"])
    dated = {n for n in load_catalog_datasets() if get_contract(n).dated}
    assert set(loads) == dated and len(loads) == 16
    truth = json.loads((ws.root / "demo" / "ground_truth.json").read_text(encoding="utf-8"))
    start = truth["start"]
    for name, added in loads.items():  # one ingest per day, each adding exactly its day
        history = [d for d in added if d[0] < start]
        # at most one load before the period: the look-back, every day of it up to the period
        assert len(history) <= 1, name
        for days in history:
            assert days == _days(days[0], start), name
        rest = [d for d in added if d[0] >= start]
        assert all(len(days) == 1 for days in rest), name
        assert len(rest) >= 7 and [d[0] for d in rest] == sorted(d[0] for d in rest)
    assert run.incomplete == 0  # every day of every dated input was loaded
    assert run.not_tested == 0  # and every input was loaded with rows


def test_a_one_day_correction_of_the_demo_changes_no_verdict(
    tmp_path: Path, demo_run: tuple[Workspace, RunResult]
) -> None:
    """The issue's slip: a correction file for one day of wallet_balances replaced the whole
    month and raised false exceptions. Re-sending one day with --replace changes nothing."""
    import shutil

    from kansa.ingest import ingest_file

    ws, run = demo_run
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy)
    ws2 = find_workspace(copy)
    daily = sorted((copy / "demo" / "source" / "daily" / "wallet_balances").glob("*.parquet"))
    snap = ingest_file(ws2, "wallet_balances", daily[3], progress=False, replace=True)
    assert len(snap.payload["days_replaced"]) == 1 and snap.payload["days_added"] == []
    again = run_controls(ws2, load_catalog().values(), progress=False, record=False)
    assert [(o.control_id, o.status, o.exception_count) for o in again.outcomes] == [
        (o.control_id, o.status, o.exception_count) for o in run.outcomes
    ]
    score = score_run(ws2, again)
    assert score is not None and (score.precision, score.recall) == (1.0, 1.0)


def _json(output: str) -> Any:
    """The JSON document of a command's output (a catch-up note may come before it)."""
    import json

    return json.loads(output[output.index("{") :])


def test_a_run_is_re_performed_from_its_recorded_snapshots(
    tmp_path: Path, demo_run: tuple[Workspace, RunResult]
) -> None:
    """Run, then load more data; ``kansa run --replay`` uses the recorded snapshots and gives
    the same verdicts (the latest data would not)."""
    import shutil

    ws, _ = demo_run
    copy = tmp_path / "ws"
    shutil.copytree(ws.root, copy)
    runner = CliRunner()
    first = runner.invoke(app, ["-w", str(copy), "run", "--json", "--controls", "CUS-*"])
    assert first.exit_code == 0, first.output
    run_id = _json(first.output)["run_id"]
    wb = copy / "demo" / "source" / "daily" / "wallet_balances"
    last = sorted(wb.glob("*.parquet"))[-1]
    from kansa.ingest import ingest_file

    broken = tmp_path / "broken.csv"
    day = last.stem.rsplit("_", 1)[1]
    broken.write_text(f"as_of,wallet_id,asset,balance\n{day},BTC-HOT-1,BTC,1\n", encoding="utf-8")
    ingest_file(find_workspace(copy), "wallet_balances", broken, progress=False, replace=True)
    latest = runner.invoke(app, ["-w", str(copy), "run", "--json", "--controls", "CUS-*"])
    verdicts = [
        [(r["control_id"], r["status"], r["exceptions"]) for r in _json(o)["results"]]
        for o in (first.output, latest.output)
    ]
    assert verdicts[0] != verdicts[1]  # on the latest data the verdicts are not the same
    replay = runner.invoke(app, ["-w", str(copy), "run", "--replay", run_id, "--json"])
    assert replay.exit_code == 0, replay.output
    body = _json(replay.output)
    assert body["same"] is True and body["differences"] == []

"""The whole catalog through the engine on a small generated demo exchange.

Every control must run inside the sandbox (the SQL guard must not refuse a catalog query, and
no control may need more than read access), and the run must find exactly the demo's seeded
violations: precision and recall 1.0 (issue 3's acceptance criterion, at small scale).
"""

from __future__ import annotations

from pathlib import Path

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


def test_every_catalog_control_runs_in_the_sandbox(demo_run: tuple[Workspace, RunResult]) -> None:
    _, run = demo_run
    errors = {o.control_id: o.error or "" for o in run.outcomes if o.status == "error"}
    # the only errors allowed: a control whose input the demo leaves without a row (the demo
    # does not stage the customer-side and yen datasets yet, issue 10 item 8), never a refusal
    for cid, message in errors.items():
        control = load_catalog()[cid]
        # KEY-012: the demo's Safes are never observed (no wallet_state staged yet)
        assert control.area in ("customers", "fiat") or cid == "KEY-012", (cid, message)
        assert any(f"{d} holds no rows" in message for d in control.datasets), (cid, message)
    assert len(run.outcomes) == len(load_catalog()) >= 45


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

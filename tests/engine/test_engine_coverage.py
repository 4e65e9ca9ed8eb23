"""Coverage before verdicts (issue 9, item 4), on SQLite and PostgreSQL.

A missing dataset makes a control NOT TESTED (未実施), a missing day INCOMPLETE; neither is a
pass, and neither closes (or opens) a finding. A finding closes only on a complete passing run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kansa.appdb import ControlResult, Database, Run
from kansa.controls import Control
from kansa.engine import INCOMPLETE, NOT_TESTED, PASS, run_controls
from kansa.engine.coverage import missing_days
from kansa.findings import apply_run, list_findings
from kansa.ingest import ingest_file
from kansa.workspace import Workspace

D = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(6)]
# the control looks only at the as-of day: on the visible data of a later day it would pass
LOW_ON_DAY = (
    "select wallet_id, as_of from wallet_balances where as_of = {{ as_of }} and balance < 100"
)


def _day(ws: Workspace, folder: Path, day: dt.date, balance: int) -> None:
    path = folder / f"wb_{day}.csv"
    path.write_text(
        f"as_of,wallet_id,asset,balance\n{day},BTC-COLD,BTC,{balance}\n", encoding="utf-8"
    )
    ingest_file(ws, "wallet_balances", path, progress=False)


def _run(ws: Workspace, controls: list[Control], **kw: object) -> str:
    run = run_controls(ws, controls, progress=False, **kw)  # type: ignore[arg-type]
    with Database(ws.database_url) as db:
        apply_run(db, run.run_id, {c.id: c.owner for c in controls})
    return run.run_id


def _result(ws: Workspace, run_id: str, cid: str) -> ControlResult:
    with Database(ws.database_url) as db, db.session() as s:
        run = s.get(Run, run_id)
        assert run is not None
        return next(r for r in run.results if r.control_id == cid)


def _findings(ws: Workspace) -> list[Any]:
    with Database(ws.database_url) as db:
        return list_findings(db, ws.config.name)


@pytest.fixture
def low(make_control: Callable[..., Control]) -> Control:
    return make_control(
        "TST-901", LOW_ON_DAY, key=("wallet_id", "as_of"), datasets=("wallet_balances",)
    )


def test_a_missing_day_is_incomplete_and_closes_nothing(
    db_workspace: Workspace, tmp_path: Path, low: Control
) -> None:
    ws = db_workspace
    for day, balance in zip(D[:3], (500, 500, 5), strict=True):
        _day(ws, tmp_path, day, balance)
    first = _run(ws, [low])
    (f,) = _findings(ws)
    assert f.status == "open"

    _day(ws, tmp_path, D[4], 500)  # day 4 is never loaded; day 5 looks fine
    run = run_controls(ws, [low], progress=False, record=False)
    outcome = run.outcome("TST-901")
    assert outcome.status == INCOMPLETE and outcome.exception_count == 0
    assert outcome.coverage is not None
    assert outcome.coverage["datasets"]["wallet_balances"]["missing"] == ["2026-11-04"]
    assert "2026-11-04" in (outcome.reason or "")
    assert run.to_dict()["summary"]["incomplete"] == 1 and run.to_dict()["complete"] is False

    second = _run(ws, [low])
    (f,) = _findings(ws)
    assert f.status == "open" and f.closed_run_id is None
    assert [e.kind for e in f.events] == ["opened", "incomplete"]
    stored = _result(ws, second, "TST-901")
    assert stored.status == "incomplete" and stored.coverage is not None

    assert f.state != "retest_passed"  # an incomplete run is no retest
    _day(ws, tmp_path, D[3], 500)  # the gap is filled: a complete run that passes is the retest
    third = _run(ws, [low])
    (f,) = _findings(ws)
    assert (f.state, f.retest_run_id) == ("retest_passed", third)  # a reviewer then closes it
    assert first != second != third


def test_the_tested_period_can_start_before_the_first_loaded_day(
    db_workspace: Workspace, tmp_path: Path, low: Control
) -> None:
    _day(db_workspace, tmp_path, D[1], 500)
    alone = run_controls(db_workspace, [low], progress=False, record=False)
    assert alone.outcome("TST-901").status == PASS
    from_first = run_controls(db_workspace, [low], progress=False, record=False, period_start=D[0])
    outcome = from_first.outcome("TST-901")
    assert outcome.status == INCOMPLETE
    assert outcome.coverage["datasets"]["wallet_balances"]["missing"] == ["2026-11-01"]  # type: ignore[index]


def test_a_never_loaded_dataset_is_not_tested_and_closes_nothing(
    db_workspace: Workspace,
    tmp_path: Path,
    make_control: Callable[..., Control],
) -> None:
    ws = db_workspace
    _day(ws, tmp_path, D[0], 5)
    v1 = make_control(
        "TST-902", LOW_ON_DAY, key=("wallet_id", "as_of"), datasets=("wallet_balances",)
    )
    _run(ws, [v1])
    # the control now also reads withdrawals, which were never loaded
    v2 = make_control(
        "TST-902",
        LOW_ON_DAY,
        key=("wallet_id", "as_of"),
        datasets=("wallet_balances", "withdrawals"),
    )
    run = run_controls(ws, [v2], progress=False, record=False)
    outcome = run.outcome("TST-902")
    assert outcome.status == NOT_TESTED and outcome.error is None
    assert outcome.reason == "no data loaded for withdrawals"
    assert outcome.exceptions_file is None and outcome.population_count is None
    assert run.to_dict()["results"][0]["status"] == "not_tested"
    _run(ws, [v2])
    (f,) = _findings(ws)
    assert f.status == "open"
    assert [e.kind for e in f.events] == ["opened", "not_tested"]


def test_missing_days_counts_from_the_first_day_to_the_as_of_day(
    workspace: Workspace, tmp_path: Path
) -> None:
    for day in (D[0], D[2]):
        _day(workspace, tmp_path, day, 500)
    from kansa.vault import Vault

    snap = Vault(workspace.vault_dir).latest("wallet_balances")
    assert snap is not None
    assert missing_days(snap, None, D[2]) == [D[1]]
    assert missing_days(snap, None, D[4]) == [D[1], D[3], D[4]]  # as-of past the last day
    assert missing_days(snap, None, D[0]) == []
    assert missing_days(snap, dt.date(2026, 10, 31), D[0]) == [dt.date(2026, 10, 31)]

"""A whole run on a small custody book: verdicts, evidence in the vault, summary in the app DB."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from kansa.appdb import ControlResult, Database, Run
from kansa.controls import Control, load_catalog
from kansa.engine import ENGINE_NAME, ParameterError, run_controls
from kansa.errors import KansaError
from kansa.vault import Vault, sha256_file
from kansa.workspace import Workspace, find_workspace

DAY2 = dt.date(2026, 11, 20)


@pytest.fixture
def cus001() -> Control:
    return load_catalog()["CUS-001"]


def test_failing_control_writes_its_exception_rows_to_the_vault(
    custody_ws: Workspace, cus001: Control
) -> None:
    run = run_controls(custody_ws, [cus001], progress=False)
    o = run.outcome("CUS-001")
    assert (o.status, o.population_count, o.exception_count) == ("fail", 4, 1)
    assert o.exceptions_file == f"runs/{run.run_id}/CUS-001.parquet"
    path = custody_ws.vault_dir / o.exceptions_file
    rows = pq.read_table(path).to_pylist()
    assert [(r["asset"], r["as_of"]) for r in rows] == [("BTC", DAY2)]
    assert float(rows[0]["cold_share"]) == pytest.approx(0.9)
    entry = Vault(custody_ws.vault_dir).ledger.head()
    assert entry is not None and entry.kind == "run" and entry.seq == run.ledger_seq
    assert (
        entry.outputs
        == {o.exceptions_file: sha256_file(path)}
        == {o.exceptions_file: o.exceptions_sha256}
    )
    assert entry.payload["results"][0]["exceptions"] == 1


def test_result_records_versions_parameters_snapshots_and_engine(
    custody_ws: Workspace, cus001: Control
) -> None:
    run = run_controls(custody_ws, [cus001], progress=False)
    o = run.outcome("CUS-001")
    latest = Vault(custody_ws.vault_dir).latest_all()
    assert o.version_hash == cus001.version_hash and len(o.version_hash) == 64
    assert o.parameters == {"min_cold_share": 0.95}
    assert o.snapshots == {
        d: latest[d].sha256 for d in ("customer_balances", "wallet_balances", "wallets")
    }
    assert o.engine == ENGINE_NAME and ENGINE_NAME.startswith("duckdb ")
    assert o.duration_s > 0 and o.error is None
    assert run.as_of == DAY2  # default: the latest day of customer_balances


def test_run_summary_goes_to_the_app_database(custody_ws: Workspace, cus001: Control) -> None:
    run = run_controls(custody_ws, [cus001], progress=False)
    with Database(custody_ws.database_url) as db, db.session() as s:
        row = s.get(Run, run.run_id)
        assert row is not None
        assert (row.failed, row.passed, row.errored, row.ledger_hash) == (
            1,
            0,
            0,
            run.ledger_hash,
        )
        result = s.scalars(select(ControlResult).where(ControlResult.run_id == run.run_id)).one()
        assert (result.status, result.population_count, result.exception_count) == ("fail", 4, 1)
        assert result.snapshots == run.outcome("CUS-001").snapshots
        assert result.exceptions_sha256 == run.outcome("CUS-001").exceptions_sha256


def test_passing_control_commits_an_empty_exception_file(
    custody_ws: Workspace, cus001: Control
) -> None:
    run = run_controls(
        custody_ws, [cus001], parameters={"CUS-001": {"min_cold_share": 0.85}}, progress=False
    )
    o = run.outcome("CUS-001")
    assert (o.status, o.exception_count, o.parameters) == ("pass", 0, {"min_cold_share": 0.85})
    assert o.exceptions_file is not None
    assert pq.read_table(custody_ws.vault_dir / o.exceptions_file).num_rows == 0


def test_workspace_parameters_apply_and_run_overrides_win(
    custody_ws: Workspace, cus001: Control
) -> None:
    cfg = custody_ws.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text() + "\n[controls.parameters.CUS-001]\nmin_cold_share = 0.97\n",
        encoding="utf-8",
    )
    ws = find_workspace(custody_ws.root)
    stricter = run_controls(ws, [cus001], progress=False).outcome("CUS-001")
    assert stricter.parameters == {"min_cold_share": 0.97}
    assert stricter.exception_count == 2  # BTC 96% and 90% < 97%; ETH 99% and 97% pass
    looser = run_controls(
        ws, [cus001], parameters={"CUS-001": {"min_cold_share": "0.5"}}, progress=False
    ).outcome("CUS-001")
    assert (looser.parameters, looser.status) == ({"min_cold_share": 0.5}, "pass")


@pytest.mark.parametrize(
    "overrides",
    [
        {"CUS-001": {"min_cold_shares": 0.9}},  # typo in the name
        {"CUS-001": {"min_cold_share": "abc"}},  # not a number
        {"CUS-999": {"x": 1}},  # no such control
    ],
)
def test_bad_parameter_overrides_stop_the_run_before_it_starts(
    custody_ws: Workspace, cus001: Control, overrides: dict[str, dict[str, object]]
) -> None:
    before = len(Vault(custody_ws.vault_dir).ledger.entries())
    with pytest.raises(ParameterError):
        run_controls(custody_ws, [cus001], parameters=overrides, progress=False)
    assert len(Vault(custody_ws.vault_dir).ledger.entries()) == before


def test_an_erroring_control_is_an_error_and_the_others_still_run(
    custody_ws: Workspace, cus001: Control, make_control: Callable[..., Control]
) -> None:
    broken = make_control("TST-001", "select no_such_column as customer_id from customer_balances")
    empty = make_control("TST-002", "select customer_id from customer_balances where balance < 0")
    run = run_controls(custody_ws, [broken, cus001, empty], progress=False)
    assert [(o.control_id, o.status) for o in run.outcomes] == [
        ("CUS-001", "fail"),
        ("TST-001", "error"),
        ("TST-002", "pass"),
    ]
    err = run.outcome("TST-001")
    assert err.exception_count is None and err.exceptions_file is None
    assert err.error and "no_such_column" in err.error
    assert (run.passed, run.failed, run.errored) == (1, 1, 1)
    entry = Vault(custody_ws.vault_dir).ledger.head()
    assert entry is not None and sorted(entry.outputs) == [
        f"runs/{run.run_id}/CUS-001.parquet",
        f"runs/{run.run_id}/TST-002.parquet",
    ]


def test_a_test_query_without_the_key_columns_is_an_error(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    c = make_control("TST-003", "select asset from customer_balances", key=("customer_id",))
    o = run_controls(custody_ws, [c], progress=False).outcome("TST-003")
    assert o.status == "error" and o.error and "customer_id" in o.error


def test_a_dataset_not_ingested_is_an_error_not_a_pass(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    c = make_control(
        "TST-004", "select person_id from staff where left_on is not null", key=("person_id",)
    )
    o = run_controls(custody_ws, [c], progress=False).outcome("TST-004")
    assert o.status == "error" and o.error and "staff" in o.error


def test_as_of_reaches_the_sql(custody_ws: Workspace, make_control: Callable[..., Control]) -> None:
    c = make_control(
        "TST-005",
        "select customer_id, as_of from customer_balances where as_of = {{ as_of }}",
        population_sql="select * from customer_balances where as_of = {{ as_of }}",
    )
    o = run_controls(custody_ws, [c], as_of=dt.date(2026, 11, 19), progress=False).outcome(
        "TST-005"
    )
    assert (o.population_count, o.exception_count) == (8, 8)


def test_many_controls_in_parallel_give_the_same_verdicts_as_one_worker(
    custody_ws: Workspace, cus001: Control, make_control: Callable[..., Control]
) -> None:
    controls = [cus001] + [
        make_control(
            f"TST-1{i:02d}",
            f"select customer_id, asset from customer_balances where balance > {i * 50}",
        )
        for i in range(8)
    ]
    serial = run_controls(custody_ws, controls, workers=1, progress=False, record=False)
    parallel = run_controls(custody_ws, controls, workers=2, progress=False, record=False)
    verdict = [(o.control_id, o.status, o.exception_count) for o in serial.outcomes]
    assert verdict == [(o.control_id, o.status, o.exception_count) for o in parallel.outcomes]
    assert serial.outcome("TST-100").exception_count == 16


def test_a_run_leaves_no_staging_behind(custody_ws: Workspace, cus001: Control) -> None:
    before = set(Path(custody_ws.vault_dir / ".staging").iterdir())
    run_controls(custody_ws, [cus001], progress=False)
    assert set(Path(custody_ws.vault_dir / ".staging").iterdir()) == before


def test_a_run_refuses_a_snapshot_altered_after_ingest(
    custody_ws: Workspace, cus001: Control
) -> None:
    """A verdict must never rest on bytes other than the ones the ledger vouches for."""
    vault = Vault(custody_ws.vault_dir)
    snap = vault.latest("customer_balances")
    assert snap is not None
    before = len(vault.ledger.entries())
    snap.path.chmod(0o644)
    data = bytearray(snap.path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    snap.path.write_bytes(bytes(data))
    with pytest.raises(KansaError, match="does not match its ledger entry"):
        run_controls(custody_ws, [cus001], progress=False)
    assert len(vault.ledger.entries()) == before  # nothing was run or recorded

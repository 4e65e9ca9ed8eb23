"""A control's SQL cannot write, read files or reach the network: refused twice over.

First by the SQLGlot guard, then, should the guard miss something, by DuckDB itself (read-only
catalog, external access disabled, configuration locked). Both layers are tested on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kansa.controls import Control
from kansa.controls.views import SharedView, parse_view
from kansa.engine import UnsafeQuery, check_query, run_controls
from kansa.engine.execute import ControlFailure, one_statement
from kansa.engine.sandbox import confine_writer, open_sandbox
from kansa.errors import KansaError
from kansa.vault import Vault
from kansa.workspace import Workspace

ATTACKS = {
    "read_csv": "select * from read_csv('/etc/passwd')",
    "read_text": "select content as customer_id from read_text('/etc/passwd')",
    "path_as_table": "select * from '/etc/passwd'",
    "copy_to": "copy (select * from customer_balances) to '/tmp/kansa-leak.csv'",
    "attach": "attach '/tmp/kansa-leak.duckdb' as leak",
    "install": "install httpfs",
    "load": "load httpfs",
    "set": "set enable_external_access = true",
    "pragma": "pragma database_list",
    "create": "create table leak as select * from customer_balances",
    "drop": "drop view customer_balances",
    "insert": "insert into customer_balances select * from customer_balances",
    "two_statements": "select 1 as customer_id; drop view customer_balances",
    "glob_in_subquery": "select customer_id from customer_balances "
    "where customer_id in (select file from glob('/etc/*'))",
    "qualified": "select * from information_schema.tables",
    "catalog_function": "select * from duckdb_settings()",
    "query_function": "select * from query('select 1 as customer_id')",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_guard_refuses(name: str) -> None:
    with pytest.raises(UnsafeQuery):
        check_query(ATTACKS[name], {"customer_balances"})


@pytest.mark.parametrize(
    "sql",
    [
        "select customer_id from customer_balances where balance < 0",
        "with t as (select * from customer_balances) select customer_id from t",
        "select a.customer_id from customer_balances a join wallets w on w.asset = a.asset",
        "select * from customer_balances union all select * from customer_balances",
        "select d::date as day from range(date '2026-01-01', date '2026-02-01', interval 1 day)"
        " t(d)",
    ],
)
def test_guard_accepts_plain_queries(sql: str) -> None:
    assert check_query(sql, {"customer_balances", "wallets"}) <= {"customer_balances", "wallets"}


@given(st.text(max_size=80))
def test_guard_answers_any_text_with_datasets_or_a_refusal(text: str) -> None:
    try:
        read = check_query(text, {"customer_balances"})
    except UnsafeQuery:
        return
    assert read <= {"customer_balances"}


@pytest.mark.parametrize("name", ["read_csv", "copy_to", "path_as_table", "drop"])
def test_attacks_in_a_control_are_errors_and_touch_nothing(
    custody_ws: Workspace, make_control: Callable[..., Control], name: str
) -> None:
    attack = make_control("TST-666", ATTACKS[name])
    clean = make_control("TST-001", "select customer_id from customer_balances where balance < 0")
    run = run_controls(custody_ws, [attack, clean], progress=False, record=False)
    assert run.outcome("TST-666").status == "error"
    assert run.outcome("TST-001").status == "pass"
    assert not Path("/tmp/kansa-leak.csv").exists()


@pytest.fixture
def sandbox(custody_ws: Workspace, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """The engine's connection, used directly: what DuckDB does if the guard were bypassed."""
    staging = tmp_path / "staging"
    staging.mkdir()
    snaps = Vault(custody_ws.vault_dir).latest_all()
    con, _ = open_sandbox(
        staging, snaps, [staging / "TST-001.parquet"], memory_limit="512MB", threads=1
    )
    yield con
    con.close()


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from read_text('/etc/passwd')",
        "copy (select * from customer_balances) to '/tmp/kansa-leak.parquet' (format parquet)",
        "attach '/tmp/kansa-leak.duckdb' as leak",
        "install httpfs",
        "load httpfs",
        "set enable_external_access = true",
        "set allowed_paths = ['/etc/passwd']",
        "reset lock_configuration",
        "set memory_limit = '20GB'",
        "drop view customer_balances",
        "create view x as select 1",
        "create table x as select 1",
    ],
)
def test_duckdb_itself_refuses_when_the_guard_is_bypassed(
    sandbox: duckdb.DuckDBPyConnection, sql: str
) -> None:
    with pytest.raises(duckdb.Error):
        sandbox.cursor().execute(sql)
    assert sandbox.execute("select count(*) from customer_balances").fetchone() == (16,)
    assert not Path("/tmp/kansa-leak.parquet").exists()


def test_the_sandbox_reads_snapshots_and_writes_only_the_planned_file(
    sandbox: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    out = tmp_path / "staging" / "TST-001.parquet"
    sandbox.execute(
        f"copy (select * from customer_balances) to '{out}' (format parquet, use_tmp_file false)"
    )
    assert out.exists()
    assert sandbox.execute("select current_setting('TimeZone')").fetchone() == ("UTC",)


def _view(folder: Path, name: str, depends: str, sql: str) -> SharedView:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.sql"
    path.write_text(f"-- depends: {depends}\n-- a test view\n{sql}\n", encoding="utf-8")
    return parse_view(path)


def test_shared_views_are_built_for_the_run_as_of_and_read_only(
    custody_ws: Workspace, tmp_path: Path
) -> None:
    snaps = Vault(custody_ws.vault_dir).latest_all()
    base = _view(
        tmp_path / "v", "upto", "customer_balances",
        "select * from customer_balances where as_of <= {{ as_of }}",
    )  # fmt: skip
    top = _view(tmp_path / "v", "upto_count", "upto", "select count(*) as n from upto")
    staging = tmp_path / "staging"
    staging.mkdir()
    con, as_of = open_sandbox(
        staging, snaps, [], memory_limit="512MB", threads=1,
        views={"upto": base, "upto_count": top},
    )  # fmt: skip
    try:
        (latest,) = con.execute("select max(as_of) from customer_balances").fetchone() or ()
        assert as_of == latest
        assert con.execute("select n from upto_count").fetchone() == (16,)
        with pytest.raises(duckdb.Error):
            con.execute("create or replace view upto as select 1")
    finally:
        con.close()


def test_a_shared_view_that_reads_a_file_is_refused_before_the_run(
    custody_ws: Workspace, tmp_path: Path
) -> None:
    snaps = Vault(custody_ws.vault_dir).latest_all()
    leak = _view(
        tmp_path / "v", "leak", "customer_balances", "select * from read_csv('/etc/passwd')"
    )
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(KansaError, match="leak"):
        open_sandbox(staging, snaps, [], memory_limit="512MB", threads=1, views={"leak": leak})


def test_duckdb_refuses_a_file_reading_view_on_the_confined_writer(
    custody_ws: Workspace, tmp_path: Path
) -> None:
    """The second layer for shared views: they are created after the writer is confined."""
    snaps = Vault(custody_ws.vault_dir).latest_all()
    con = duckdb.connect(str(tmp_path / "views.duckdb"))
    try:
        confine_writer(con, snaps)
        with pytest.raises(duckdb.Error):
            con.execute("create view leak as select * from read_csv('/etc/passwd')")
        snap = next(iter(snaps.values()))
        con.execute(f"create view ok as select * from read_parquet('{snap.path}')")
        assert con.execute("select count(*) from ok").fetchone() == (snap.rows,)
    finally:
        con.close()


def test_the_guard_allows_the_shared_views_of_the_run_and_reports_their_datasets() -> None:
    views = {"privileged_accounts": {"accounts", "role_grants", "roles"}}
    sql = "select a.account_id from privileged_accounts a join accounts b using (account_id)"
    assert check_query(sql, {"accounts"}, views=views) == {"accounts", "role_grants", "roles"}
    with pytest.raises(UnsafeQuery, match="shared view"):
        check_query("select * from privileged_accounts", {"accounts"})


# --- snapshots are read, never written -------------------------------------------------------


def _snapshot_state(ws: Workspace) -> dict[str, bytes]:
    return {n: s.path.read_bytes() for n, s in Vault(ws.vault_dir).latest_all().items()}


def _copy_over(snapshot: Path) -> str:
    return f"copy (select 'forged' as customer_id) to '{snapshot}' (format parquet, use_tmp_file false)"


@pytest.mark.parametrize("form", ["copy", "second_statement", "copy_in_population"])
def test_a_control_writing_a_snapshot_errors_and_the_snapshot_is_unchanged(
    custody_ws: Workspace, make_control: Callable[..., Control], form: str
) -> None:
    before = _snapshot_state(custody_ws)
    target = Vault(custody_ws.vault_dir).latest_all()["customer_balances"].path
    clean_sql = "select customer_id from customer_balances where balance < 0"
    attack = {
        "copy": make_control("TST-666", _copy_over(target)),
        "second_statement": make_control("TST-666", f"{clean_sql};\n{_copy_over(target)}"),
        "copy_in_population": make_control(
            "TST-666", clean_sql, population_sql=f"select 1 as n) as p; {_copy_over(target)}; --"
        ),
    }[form]
    clean = make_control("TST-001", clean_sql)
    run = run_controls(custody_ws, [attack, clean], progress=False, record=False)
    assert run.outcome("TST-666").status == "error"
    assert run.outcome("TST-001").status == "pass" and run.ledger_seq is not None
    assert _snapshot_state(custody_ws) == before


def test_duckdb_parses_what_the_engine_runs_as_exactly_one_statement(
    sandbox: duckdb.DuckDBPyConnection, custody_ws: Workspace
) -> None:
    """Were the SQLGlot guard ever to read the text differently, DuckDB's parser still says no."""
    target = Vault(custody_ws.vault_dir).latest_all()["customer_balances"].path
    before = target.read_bytes()
    cur = sandbox.cursor()
    for sql in (_copy_over(target), f"select 1 as customer_id; {_copy_over(target)}", ""):
        with pytest.raises(ControlFailure, match="expected one SELECT"):
            one_statement(cur, sql, "SELECT")
    assert one_statement(cur, "select 1 as customer_id", "SELECT")
    assert target.read_bytes() == before


def test_a_snapshot_changed_during_the_run_stops_the_commit(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    """The last layer: DuckDB's allowed_paths cannot make a readable file read-only, and the
    file mode (0444) does not stop root, so code that bypasses the guard (here a Python-logic
    control, which gets the cursor itself) and overwrites a snapshot leaves no committed run."""
    vault = Vault(custody_ws.vault_dir)
    entries = len(vault.ledger.entries())
    target = vault.latest_all()["customer_balances"].path
    forger = make_control(
        "TST-666",
        logic="test_engine_readonly:overwrites_a_snapshot",
        parameters={"target": ("string", str(target))},
    )
    with pytest.raises(KansaError, match=r"changed during the run.*customer_balances"):
        run_controls(custody_ws, [forger], progress=False)
    assert len(vault.ledger.entries()) == entries
    assert not any((custody_ws.vault_dir / "runs").glob("*/TST-666.parquet"))


def overwrites_a_snapshot(
    con: duckdb.DuckDBPyConnection, params: dict[str, Any], as_of: Any
) -> tuple[int, pa.Table]:
    con.execute(_copy_over(Path(params["target"])))
    return 0, pa.table({"customer_id": pa.array([], pa.string())})


def test_a_shared_view_reading_a_dataset_its_header_does_not_declare_is_refused(
    custody_ws: Workspace, tmp_path: Path
) -> None:
    """The per-scope CTE rule holds for shared views too: 'wallets' is a CTE only inside x."""
    snaps = Vault(custody_ws.vault_dir).latest_all()
    sneaky = _view(
        tmp_path / "v", "sneaky", "customer_balances",
        "select w.wallet_id from (with wallets as (select 1 as v) select v from wallets) x, "
        "wallets w",
    )  # fmt: skip
    staging = tmp_path / "staging"
    staging.mkdir()
    with pytest.raises(KansaError, match=r"sneaky.*wallets"):
        open_sandbox(staging, snaps, [], memory_limit="512MB", threads=1, views={"sneaky": sneaky})

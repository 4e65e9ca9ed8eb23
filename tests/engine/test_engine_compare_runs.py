"""``kansa compare RUN_A RUN_B``: two real runs of one workspace, verdict by verdict and row by
row; a difference names the control and the value, altered evidence is never compared."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner, Result

from evidence_edit import edit_value
from kansa.cli.app import app, main
from kansa.controls import Control
from kansa.engine.compare_rows import compare_files, differences
from kansa.errors import KansaError
from kansa.vault import Vault
from kansa.workspace import Workspace


def _kansa(ws: Workspace, *args: str) -> Result:
    return CliRunner().invoke(app, ["-w", str(ws.root), *args])


def _run(ws: Workspace, *args: str) -> dict[str, Any]:
    done = _kansa(ws, "run", "--json", *args)
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def _compare(ws: Workspace, a: str, b: str, *args: str) -> tuple[int, dict[str, Any]]:
    done = _kansa(ws, "compare", a, b, "--json", *args)
    return done.exit_code, json.loads(done.output)


def test_two_duckdb_runs_of_the_same_data_are_equal(custody_ws: Workspace) -> None:
    a = _run(custody_ws, "--controls", "CUS-*,SEG-*")["run_id"]
    b = _run(custody_ws, "--controls", "CUS-*,SEG-*")["run_id"]
    code, found = _compare(custody_ws, a, b)
    assert code == 0 and found["equal"], found
    n = found["summary"]
    assert n["controls"] == len(found["controls"]) > 1
    assert n["same_verdicts"] == n["controls"]
    # only the controls that wrote an exception set count as sets compared (not tested: none)
    with_sets = [c for c in found["controls"] if c["has_exception_set"]]
    assert n["same_exception_sets"] == n["exception_sets"] == len(with_sets) >= 1
    skipped = {r["control_id"] for r in _run(custody_ws, "--controls", "CUS-*,SEG-*")["results"]
               if r["exceptions_file"] is None}  # fmt: skip
    assert {c["control_id"] for c in found["controls"] if not c["has_exception_set"]} == skipped
    cus = next(c for c in found["controls"] if c["control_id"] == "CUS-001")
    assert cus["rows_compared"] == 1  # BTC on day two, under 95% cold
    shown = _kansa(custody_ws, "compare", a, b)
    assert shown.exit_code == 0
    text = " ".join(shown.output.split())
    assert f"{n['controls']} controls: {n['controls']} equal verdicts" in text


def test_a_changed_parameter_is_reported_with_the_control_and_the_value(
    custody_ws: Workspace,
) -> None:
    """CUS-001 fails at 95% and at 91% on the same row: same verdict, another row value."""
    a = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    b = _run(custody_ws, "--controls", "CUS-001", "--param", "CUS-001.min_cold_share=0.91")
    code, found = _compare(custody_ws, a, b["run_id"])
    assert code == 1 and not found["equal"]
    (cus,) = found["controls"]
    assert cus["control_id"] == "CUS-001" and cus["same_verdict"]
    assert not cus["same_exceptions"]
    assert cus["differences"] == [{"what": "rows", "detail": "row 0 min_cold_share: 0.95 != 0.91"}]
    shown = _kansa(custody_ws, "compare", a, b["run_id"])
    assert shown.exit_code == 1
    assert "CUS-001" in shown.output and "0.95 != 0.91" in shown.output


def test_another_exception_count_names_the_rows_found_in_one_run_only(
    custody_ws: Workspace,
) -> None:
    """At 97% BTC's first day (96% cold) fails too: the count and that row are reported."""
    a = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    b = _run(custody_ws, "--controls", "CUS-001", "--param", "CUS-001.min_cold_share=0.97")
    code, found = _compare(custody_ws, b["run_id"], a)
    assert code == 1
    whats = [(d["what"], d["detail"]) for d in found["controls"][0]["differences"]]
    assert ("exceptions", "2 != 1") in whats
    assert ("rows", "2 rows != 1 rows") in whats
    only = [d for w, d in whats if d.startswith("only in")]
    # the rows carry the threshold, so both of A's rows are its own, and B's one row too
    assert [d[:9] for d in only] == ["only in A", "only in A", "only in B"]
    assert all("min_cold_share=0.97" in d for d in only[:2])
    assert "as_of=2026-11-19" in only[0] and "cold_share=0.96" in only[0]
    assert "as_of=2026-11-20" in only[2] and "min_cold_share=0.95" in only[2]


def test_a_workspace_control_whose_sql_changed_between_runs(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    """The same control id, its SQL edited between two runs (a real change, two real runs)."""
    sql = "select customer_id, asset, balance{} as balance from customer_balances"
    population = "select customer_id from customer_balances"
    folder = make_control("TST-001", sql.format(""), population_sql=population).source.parent
    cfg = custody_ws.root / "kansa.toml"
    paths = f"\n[controls]\npaths = [{json.dumps(str(folder))}]\n"
    cfg.write_text(cfg.read_text(encoding="utf-8") + paths, encoding="utf-8")
    a = _run(custody_ws, "--controls", "TST-001")["run_id"]
    make_control("TST-001", sql.format(" * 2"), population_sql=population)
    b = _run(custody_ws, "--controls", "TST-001")["run_id"]
    code, found = _compare(custody_ws, a, b)
    assert code == 1
    (tst,) = found["controls"]
    assert tst["same_verdict"] and tst["rows_compared"] == 16
    details = [d["detail"] for d in tst["differences"]]
    assert len(details) == 5  # the first differences, not all sixteen
    assert all(d.startswith("row ") and " balance: " in d for d in details)


def test_a_control_in_one_run_only_is_a_difference(custody_ws: Workspace) -> None:
    a = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    b = _run(custody_ws, "--controls", "CUS-001,CUS-002")["run_id"]
    code, found = _compare(custody_ws, a, b)
    assert code == 1
    other = [c for c in found["controls"] if c["control_id"] != "CUS-001"]
    assert [c["differences"][0]["what"] for c in other] == ["missing"] * len(other)
    assert [c["differences"][0]["detail"] for c in other] == ["run B only"] * len(other)
    code, only = _compare(custody_ws, a, b, "--controls", "cus-001")
    assert code == 0 and [c["control_id"] for c in only["controls"]] == ["CUS-001"]
    nothing = _kansa(custody_ws, "compare", a, b, "--controls", "WDR-*")
    assert isinstance(nothing.exception, KansaError) and nothing.exception.exit_code == 2
    assert "WDR-*" in nothing.exception.message


def test_an_unknown_run_id_exits_2_with_one_message(
    custody_ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through the real entry point: one line in the user's language, no traceback."""
    a = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    for language, said in (("en", "No run no-such-run in workspace test."),
                           ("ja", "ワークスペース test に実行 no-such-run はありません。")):  # fmt: skip
        monkeypatch.setenv("KANSA_LANG", language)
        monkeypatch.setattr("sys.argv", ["kansa", "-w", str(custody_ws.root), "compare", a,
                                         "no-such-run"])  # fmt: skip
        with pytest.raises(SystemExit) as info:
            main()
        out = capsys.readouterr()
        assert info.value.code == 2
        assert said in out.err and "Traceback" not in out.err + out.out
        assert "kansa runs" in out.err  # where to find the run ids


def test_a_tampered_exception_file_is_reported_never_compared(custody_ws: Workspace) -> None:
    a = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    b = _run(custody_ws, "--controls", "CUS-001")["run_id"]
    shown = json.loads(_kansa(custody_ws, "results", "CUS-001", "--run", b, "--json").output)
    edit_value(custody_ws.vault_dir / shown["exceptions_file"], "asset", "ETH")
    entries = len(Vault(custody_ws.vault_dir).ledger.entries())
    code, found = _compare(custody_ws, a, b)
    assert code == 1
    (cus,) = found["controls"]
    assert cus["same_verdict"] and not cus["same_exceptions"] and cus["rows_compared"] == 0
    (diff,) = cus["differences"]
    assert diff["what"] == "evidence"
    assert diff["detail"].startswith(f"B: vault/{shown['exceptions_file']}")
    assert "does not match its ledger entry" in diff["detail"]
    shown_b = json.loads(_kansa(custody_ws, "runs", "--json").output)[0]
    assert shown_b["id"] == b and f"ledger entry #{shown_b['ledger_seq']}" in diff["detail"]
    table = _kansa(custody_ws, "compare", a, b)
    assert table.exit_code == 1 and "evidence" in table.output
    assert len(Vault(custody_ws.vault_dir).ledger.entries()) == entries  # read-only


def test_rows_compare_exact_numbers_instants_and_close_floats(tmp_path: Path) -> None:
    """The yardstick itself: a DECIMAL equals the same integer, a zone-less timestamp is UTC,
    floats agree within 1e-9 relative, and the rows' order does not matter."""
    import datetime as dt
    from decimal import Decimal

    t = dt.datetime(2026, 11, 20, 9, 30)
    left, right = tmp_path / "a.parquet", tmp_path / "b.parquet"
    pq.write_table(
        pa.table({"n": [Decimal(2), Decimal(1)], "at": [t, t], "x": [0.1 + 0.2, None]}), left
    )
    utc = pa.array([t.replace(tzinfo=dt.UTC)] * 2, pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"n": [1, 2], "at": utc, "x": [None, 0.3]}), right)
    assert differences(left, right) == []
    assert compare_files(left, right).rows == 2
    pq.write_table(pa.table({"n": [1, 2], "at": utc, "x": [None, 0.30001]}), right)
    assert differences(left, right) == ["row 1 x: 0.30000000000000004 != 0.30001"]

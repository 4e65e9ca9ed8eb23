"""The commands a user types: kansa run / results / runs / findings, and kansa init."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from kansa.appdb import make_engine
from kansa.cli.app import app
from kansa.vault.integrity import EvidenceAltered
from kansa.workspace import Workspace

runner = CliRunner()


def kansa(ws: Workspace, *args: str) -> Any:
    return runner.invoke(app, ["-w", str(ws.root), *args], catch_exceptions=False)


def kansa_json(ws: Workspace, *args: str) -> Any:
    result = kansa(ws, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_run_prints_the_summary_and_exits_by_fail_on(custody_ws: Workspace) -> None:
    done = kansa(custody_ws, "run", "--controls", "cus-001")
    assert done.exit_code == 0
    assert "CUS-001" in done.output and "FAIL" in done.output
    assert "finding" in done.output and "material weakness" in done.output
    assert kansa(custody_ws, "run", "--controls", "CUS-*", "--fail-on", "fail").exit_code == 1
    assert kansa(custody_ws, "run", "--controls", "CUS-001", "--fail-on", "error").exit_code == 0


def test_run_json_params_and_findings_retest_then_signed_closure(custody_ws: Workspace) -> None:
    first = kansa_json(custody_ws, "run", "--controls", "CUS-001")
    (result,) = first["results"]
    assert (result["status"], result["population"], result["exceptions"]) == ("fail", 4, 1)
    assert [f["kind"] for f in first["findings"]] == ["opened"]
    second = kansa_json(
        custody_ws, "run", "--controls", "CUS-001", "--param", "CUS-001.min_cold_share=0.85"
    )
    assert second["results"][0]["status"] == "pass"
    assert second["results"][0]["parameters"] == {"min_cold_share": 0.85}
    assert [f["kind"] for f in second["findings"]] == ["retest_passed"]
    (finding,) = kansa_json(custody_ws, "findings")
    assert (finding["status"], finding["state"]) == ("open", "retest_passed")
    assert finding["runs"] == [first["run_id"], second["run_id"]]
    # the pass makes it ready for closure; a reviewer signs the closure
    closed = runner.invoke(
        app,
        ["-w", str(custody_ws.root), "findings", "close", str(finding["id"])],
        env={"KANSA_ACTOR": "Reviewer Sato"},
    )
    assert closed.exit_code == 0, closed.output
    (finding,) = kansa_json(custody_ws, "findings")
    assert (finding["status"], finding["closed_by"]) == ("closed", "Reviewer Sato")
    assert kansa_json(custody_ws, "findings", "--status", "open") == []
    history = kansa_json(custody_ws, "runs")
    assert [r["id"] for r in history] == [second["run_id"], first["run_id"]]


def test_results_pages_exports_and_checks_the_hash(custody_ws: Workspace, tmp_path: Path) -> None:
    run = kansa_json(custody_ws, "run", "--controls", "CUS-001")
    shown = kansa_json(custody_ws, "results", "CUS-001")
    assert shown["run_id"] == run["run_id"] and shown["evidence_intact"] is True
    assert shown["ledger"] == run["ledger"]
    assert [(r["asset"], r["as_of"]) for r in shown["rows"]] == [("BTC", "2026-11-20")]
    assert set(shown["snapshots"]) == {"customer_balances", "wallet_balances", "wallets"}
    assert kansa_json(custody_ws, "results", "CUS-001", "--page", "2")["rows"] == []
    text = kansa(custody_ws, "results", "CUS-001")
    assert "BTC" in text.output and "intact" in text.output
    for name in ("x.csv", "x.parquet", "x.xlsx"):
        out = tmp_path / name
        assert kansa(custody_ws, "results", "CUS-001", "--export", str(out)).exit_code == 0
    assert (tmp_path / "x.csv").read_text().splitlines()[1].startswith("BTC,2026-11-20,900,1000")
    assert pq.read_table(tmp_path / "x.parquet").num_rows == 1
    sheet = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    assert sheet is not None and sheet.max_row == 2 and sheet["A2"].value == "BTC"


def test_results_withhold_the_rows_of_an_edited_exception_file(
    custody_ws: Workspace, tmp_path: Path
) -> None:
    """Someone rewrites the evidence as a valid Parquet file with its row doubled: `results`
    says so, shows no row from it and exits 1, in text and in JSON."""
    run = kansa_json(custody_ws, "run", "--controls", "CUS-001")
    shown = kansa_json(custody_ws, "results", "CUS-001")
    evidence = custody_ws.vault_dir / shown["exceptions_file"]
    os.chmod(evidence, 0o644)
    table = pq.read_table(evidence)
    pq.write_table(pa.concat_tables([table, table]), evidence)
    as_json = kansa(custody_ws, "results", "CUS-001", "--run", run["run_id"], "--json")
    assert as_json.exit_code == 1
    out = json.loads(as_json.output)
    assert out["evidence_intact"] is False and out["rows"] == []
    assert "withheld" in out["unreadable"]
    text = kansa(custody_ws, "results", "CUS-001")
    assert text.exit_code == 1
    assert "HASH MISMATCH" in text.output and "withheld" in text.output
    with pytest.raises(EvidenceAltered):
        kansa(custody_ws, "results", "CUS-001", "--export", str(tmp_path / "x.csv"))


def test_ground_truth_is_scored(custody_ws: Workspace) -> None:
    demo = custody_ws.root / "demo"
    demo.mkdir()
    truth = {
        "scenarios": [
            {
                "id": "cold-share-dip",
                "violations": [
                    {"control": "CUS-001", "key": {"asset": "BTC", "as_of": "2026-11-20"}}
                ],
            },
            {"id": "other", "violations": [{"control": "WDR-001", "key": {"withdrawal_id": "W1"}}]},
        ]
    }
    (demo / "ground_truth.json").write_text(json.dumps(truth))
    out = kansa_json(custody_ws, "run", "--controls", "CUS-001")
    assert (out["score"]["precision"], out["score"]["recall"]) == (1.0, 1.0)
    assert (
        "precision 1.0000, recall 1.0000"
        in kansa(custody_ws, "run", "--controls", "CUS-001").output
    )
    assert json.loads((demo / "last_score.json").read_text())["recall"] == 1.0


def test_init_creates_and_migrates_the_app_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "new")], catch_exceptions=False)
    assert result.exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'new' / 'kansa.db'}")
    try:
        assert {"runs", "control_results", "findings", "finding_events"} <= set(
            inspect(engine).get_table_names()
        )
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", [["--as-of", "20-11-2026"], ["--param", "CUS-001"]])
def test_bad_options_are_clear_errors(custody_ws: Workspace, args: list[str]) -> None:
    from kansa.errors import KansaError

    with pytest.raises(KansaError):
        kansa(custody_ws, "run", "--controls", "CUS-001", *args)


def test_a_misspelt_control_id_in_kansa_toml_stops_the_run(custody_ws: Workspace) -> None:
    """``[controls.parameters."CUS-01"]`` must not leave CUS-001 silently on its default."""
    from kansa.errors import KansaError

    cfg = custody_ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + '\n[controls.parameters."CUS-01"]\nmin_cold_share = 0.85\n', "utf-8")
    with pytest.raises(KansaError, match="CUS-01"):
        kansa(custody_ws, "run", "--controls", "CUS-001")


def test_a_bad_findings_scope_stops_the_run_before_anything_is_written(
    custody_ws: Workspace,
) -> None:
    """Exit 2 means nothing ran: no run in the vault whose findings were never applied."""
    from kansa.errors import KansaError
    from kansa.vault import Vault

    cfg = custody_ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + '\n[findings.scope]\n"CUS-001" = ["no_such_column"]\n', "utf-8")
    with pytest.raises(KansaError, match=r"findings\.scope"):
        kansa(custody_ws, "run", "--controls", "CUS-001")
    assert [e for e in Vault(custody_ws.vault_dir).ledger.entries() if e.kind == "run"] == []


def test_a_run_as_of_another_day_than_the_ground_truth_is_not_scored(
    custody_ws: Workspace,
) -> None:
    """The demo's truth is as of its own day: a look back must not report false misses."""
    demo = custody_ws.root / "demo"
    demo.mkdir()
    violation = {"control": "CUS-001", "key": {"asset": "BTC", "as_of": "2026-11-20"}}
    truth = {"as_of": "2026-11-20", "scenarios": [{"id": "dip", "violations": [violation]}]}
    (demo / "ground_truth.json").write_text(json.dumps(truth))
    assert kansa_json(custody_ws, "run", "--controls", "CUS-001")["score"]["recall"] == 1.0
    back = kansa_json(custody_ws, "run", "--controls", "CUS-001", "--as-of", "2026-11-19")
    assert back["score"] is None
    assert json.loads((demo / "last_score.json").read_text())["recall"] == 1.0


def test_the_run_summary_names_the_scope_of_each_finding(custody_ws: Workspace) -> None:
    """``[asset=BTC]`` is text, not Rich markup: the scope must reach the screen."""
    cfg = custody_ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text + '\n[findings.scope]\n"CUS-001" = ["asset"]\n', "utf-8")
    out = kansa(custody_ws, "run", "--controls", "CUS-001").output
    assert "CUS-001 [asset=BTC]: opened" in out
    # the findings list shows the scope too, so findings of one control can be told apart
    listing = kansa(custody_ws, "findings").output
    assert "scope" in listing and "asset=BTC" in listing


def test_results_show_evidence_text_as_is_never_as_markup(
    custody_ws: Workspace, make_control: Any
) -> None:
    """A value like ``[/]`` or ``[bold]`` comes from the audited system: shown verbatim."""
    from kansa.engine import run_controls

    control = make_control(
        "TST-401",
        "select '[/]' as k, '[bold]x[/bold]' as v from customer_balances limit 1",
        key=("k",),
    )
    run_controls(custody_ws, [control], progress=False)
    out = kansa(custody_ws, "results", "TST-401").output
    assert "[bold]x[/bold]" in out and "[/]" in out

"""``kansa controls``: catalog, coverage, show, lint and score from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kansa.cli.app import app
from kansa.errors import KansaError
from kansa.workspace import Workspace, create_workspace


def kansa(*args: str) -> tuple[int, str]:
    """Exit code and output; a KansaError exits 2, as ``kansa.cli.app.main`` makes it."""
    result = CliRunner().invoke(app, list(args))
    if isinstance(result.exception, KansaError):
        return result.exception.exit_code, result.exception.message
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_catalog_json_and_area_filter() -> None:
    code, out = kansa("controls", "--json")
    rows = json.loads(out)
    assert code == 0 and len(rows) >= 45
    assert {r["area"] for r in rows} == {
        "custody",
        "keys",
        "withdrawals",
        "customers",
        "fiat",
        "access",
        "people",
        "operations",
    }
    code, out = kansa("controls", "--area", "keys", "--json")
    assert {r["id"][:3] for r in json.loads(out)} == {"KEY"}
    code, out = kansa("controls")
    assert code == 0 and "WDR-001" in out
    assert kansa("controls", "--area", "treasury")[0] == 2


def test_framework_coverage_with_gaps() -> None:
    code, out = kansa("controls", "--framework", "ccss", "--json")
    data = json.loads(out)
    rows = {r["requirement"]: r for r in data["requirements"]}
    assert code == 0 and "KEY-006" in rows["1.04"]["controls"]
    assert "2.02" in data["gaps"] and data["covered"] == len(rows) - len(data["gaps"])
    assert rows["2.02"]["covered"] is False  # data sanitisation: no data, no test
    code, out = kansa("controls", "--framework", "iso27001_2022")
    assert code == 0 and "gaps" in out
    code, _ = kansa("controls", "--framework", "sox")
    assert code == 2


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = create_workspace(tmp_path / "ws", name="t")
    folder = ws.root / "controls"
    folder.mkdir()
    (folder / "XYZ-001.yaml").write_text(
        "id: XYZ-001\ntitle: {en: T, ja: T}\nobjective: {en: O, ja: O}\nrule: {en: R, ja: R}\n"
        "area: custody\nseverity: low\ndatasets: [customer_balances]\nkey: [customer_id]\n",
        encoding="utf-8",
    )
    (folder / "XYZ-001.sql").write_text(
        "-- name: population\nselect 1 from customer_balances\n"
        "-- name: test\nselect customer_id from customer_balanse\n",
        encoding="utf-8",
    )
    with (ws.root / "kansa.toml").open("a", encoding="utf-8") as f:
        f.write(
            '\n[controls]\npaths = ["controls"]\n[controls.parameters.CUS-001]\nmin_cold_share = 0.97\n'
        )
    return ws


def test_show_with_workspace_effective_parameters(ws: Workspace) -> None:
    code, out = kansa("-w", str(ws.root), "controls", "show", "cus-001", "--json")
    data = json.loads(out)
    assert code == 0 and data["key"] == ["asset", "as_of"]
    assert data["parameters"][0] == {**data["parameters"][0], "default": 0.95, "effective": 0.97}
    assert "cold_share" in data["test_sql"]
    code, out = kansa("controls", "show", "WDR-002")
    assert code == 0 and "payload_hash" in out and "Bybit" in out
    code, out = kansa("controls", "show", "KEY-001")
    assert code == 0 and "kansa.custody.controls:key_001" in out
    code, _ = kansa("controls", "show", "NOPE-001")
    assert code == 2


def test_show_names_the_shared_views_and_their_sql() -> None:
    code, out = kansa("controls", "show", "ACC-003", "--json")
    data = json.loads(out)
    assert code == 0 and data["views"] == ["privileged_accounts"]
    # views read through another view are shown too, so an auditor sees all the SQL
    assert {"privileged_accounts", "enabled_accounts", "active_grants"} <= set(data["view_sql"])
    assert "privileged_accounts" in data["test_sql"]


def test_lint_clean_catalog_and_a_broken_workspace_control(ws: Workspace) -> None:
    code, out = kansa("controls", "lint")
    assert code == 0 and "all clean" in out
    code, out = kansa("-w", str(ws.root), "controls", "lint", "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert {p["control"] for p in report["problems"]} == {"XYZ-001"}
    assert report["problems"][0]["path"].endswith("XYZ-001.yaml")
    assert any("customer_balanse" in p["reason"] for p in report["problems"])


def test_score_a_demo_directly_and_from_a_run(tmp_path: Path) -> None:
    root = tmp_path / "demo-ws"
    code, out = kansa(
        "demo", "--customers", "500", "--days", "10", "--seed", "3", "--workspace-dir", str(root)
    )
    assert code == 0, out
    truth = next(root.glob("demo/**/ground_truth.json"))
    assert kansa("-w", str(tmp_path), "controls", "score")[0] == 2  # not a workspace
    code, out = kansa(
        "-w", str(root), "controls", "score", "--ground-truth", str(truth), "--direct", "--json"
    )
    data = json.loads(out)
    assert (data["precision"], data["recall"]) == (1.0, 1.0)
    # the demo fills every input (issue 10 item 8): every control is scored, none errored and
    # none not tested (an empty input would make a control NOT TESTED with its reason)
    assert (code, data["errored"], data["not_tested"]) == (0, [], {}), out
    assert data["tp"] > 0
    code, out = kansa("-w", str(root), "run", "--controls", "CUS-*,WDR-*")
    code, out = kansa("-w", str(root), "controls", "score", "--json")  # the demo's own truth
    data = json.loads(out)
    assert code == 0, out
    assert set(data["controls"]) >= {"CUS-001", "WDR-008"} and "ACC-001" not in data["controls"]
    assert (data["precision"], data["recall"]) == (1.0, 1.0)


def test_a_not_tested_control_with_seeded_violations_misses_them(tmp_path: Path) -> None:
    """Not tested is never a pass: the truth's violations of that control count as missed."""
    root = tmp_path / "demo-ws"
    args = ("demo", "--customers", "300", "--days", "7", "--workspace-dir", str(root))
    assert kansa(*args)[0] == 0
    empty = tmp_path / "phishing_tests.csv"
    empty.write_text("test_id,person_id,sent_at,clicked,clicked_at\n", encoding="utf-8")
    assert kansa("-w", str(root), "ingest", "phishing_tests", str(empty), "--json")[0] == 0
    code, out = kansa("-w", str(root), "controls", "score", "--direct", "--json")
    data = json.loads(out)
    assert code == 1 and data["errored"] == []
    assert "phishing_tests" in data["not_tested"]["PPL-003"]
    assert data["controls"]["PPL-003"]["fn"] == 1  # the DMM engineer's unremediated click
    kansa("-w", str(root), "run", "--controls", "PPL-003,WDR-001")
    code, out = kansa("-w", str(root), "controls", "score", "--json")  # from the stored run
    data = json.loads(out)
    assert code == 1 and data["errored"] == [] and set(data["not_tested"]) == {"PPL-003"}
    assert (data["controls"]["PPL-003"]["fn"], data["controls"]["WDR-001"]["tp"]) == (1, 1)


def test_score_direct_with_a_malformed_as_of_is_a_clear_error(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws", name="t")
    truth = tmp_path / "truth.json"
    truth.write_text('{"scenarios": []}', encoding="utf-8")
    args = ("controls", "score", "--ground-truth", str(truth), "--direct", "--as-of", "2026-11-5")
    code, message = kansa("-w", str(ws.root), *args)
    assert code == 2 and "2026-11-5" in message

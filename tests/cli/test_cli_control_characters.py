"""Terminal escape sequences in data, file names and column names never reach the terminal raw:
every command shows them escaped (``\\x1b``), JSON keeps them as ``\\u`` escapes."""

from __future__ import annotations

import io
import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.table import Table
from rich.text import Text

from cli_entry import run_kansa
from kansa.cli import context
from kansa.cli.terminal import TerminalConsole, json_text, verbatim, visible
from kansa.contracts import get_contract
from kansa.workspace import Workspace

# the bytes a hostile value would use: clear screen, set the window title, CSI (C1), bell,
# carriage return, backspace, a right-to-left override
HOSTILE = "\x1b[2J\x1b]0;owned\x07\x9b31m\r\b\u202e"
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
Put = Callable[[Workspace, str, list[dict[str, Any]]], Any]


def kansa(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str]:
    """The real entry point; returns the exit code and stdout + stderr together."""
    code, out, err = run_kansa(ws, capsys, monkeypatch, *args)
    return code, out + err


def assert_clean(output: str) -> None:
    found = RAW.search(output)
    assert found is None, f"raw {found.group()!r} in output:\n{output!r}"


# --- the shared function and console -------------------------------------------------------


def test_visible_escapes_every_kind_of_control_character() -> None:
    assert visible(HOSTILE) == "\\x1b[2J\\x1b]0;owned\\x07\\x9b31m\\r\\b\\u202e"
    assert visible("tab\tand\nnewline, 日本語, é") == "tab\tand\nnewline, 日本語, é"
    assert visible("\x00\x7f\u2066\u2028") == "\\x00\\x7f\\u2066\\u2028"


def test_console_escapes_data_but_keeps_its_own_styles() -> None:
    out = io.StringIO()
    con = TerminalConsole(
        file=out, force_terminal=True, color_system="standard", width=120, highlight=False
    )
    table = Table("col" + HOSTILE)
    table.add_row(verbatim(HOSTILE), Text("styled" + HOSTILE, style="red"), "str" + HOSTILE)
    con.print("[red]verdict[/] " + HOSTILE)
    con.print(table)
    text = out.getvalue()
    assert "\x1b[31m" in text  # Rich's own colour code survives
    assert "\x1b[2J" not in text and "\x9b" not in text and "\u202e" not in text
    assert "\x07" not in text and "\r" not in text and "\b" not in text
    # the message, the header and two cells in full; a Text made elsewhere is escaped too
    assert text.count("\\x1b[2J") == 4 and "\x1b[31mstyled\x1b[0m\x1b[31m\\x1b" in text


def test_json_keeps_the_data_exact_without_raw_bytes() -> None:
    doc = {"k" + HOSTILE: HOSTILE}
    text = json_text(doc, indent=1)
    assert_clean(text)
    assert json.loads(text) == doc


# --- the commands ----------------------------------------------------------------------------


def _hostile_ws(ws: Workspace, put: Put) -> Workspace:
    """Balances whose ids carry escape sequences, and a workspace control that reports them
    under a column name that carries one too."""
    rows = [
        {"as_of": "2026-11-20", "customer_id": f"C{i}{HOSTILE}", "asset": "BTC", "balance": b}
        for i, b in enumerate(("-5", "100"))
    ]
    put(ws, "customer_balances", rows)
    folder = ws.root / "controls"
    folder.mkdir()
    (folder / "TST-901.yaml").write_text(
        "id: TST-901\nversion: 1\ntitle: {en: Negative balances, ja: マイナス残高}\n"
        "objective: {en: o, ja: o}\nrule: {en: r, ja: r}\narea: custody\nseverity: high\n"
        "frequency: daily\nowner: treasury\ndatasets: [customer_balances]\nkey: [customer_id]\n",
        encoding="utf-8",
    )
    (folder / "TST-901.sql").write_text(
        "-- name: population\nselect * from customer_balances\n\n-- name: test\n"
        f'select customer_id, balance as "balance{HOSTILE}" from customer_balances '
        "where balance < 0\n",
        encoding="utf-8",
    )
    cfg = ws.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + '\n[controls]\npaths = ["controls"]\n', encoding="utf-8"
    )
    return ws


def test_run_results_findings_runs_show_data_escaped(
    workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws = _hostile_ws(workspace, put_snapshot)
    monkeypatch.setattr(context.console, "_width", 200)  # one row per line: names are headers
    code, out = kansa(ws, capsys, monkeypatch, "run", "--controls", "TST-901")
    assert code == 0, out
    assert_clean(out)
    code, out = kansa(ws, capsys, monkeypatch, "results", "TST-901")
    assert code == 0 and "C0\\x1b[2J" in out and "balance\\x1b[2J" in out, out
    assert_clean(out)
    monkeypatch.setattr(context.console, "_width", 40)  # one record per block: names as lines
    code, out = kansa(ws, capsys, monkeypatch, "results", "TST-901")
    assert code == 0 and "\\u202e" in out, out
    assert_clean(out)
    code, out = kansa(ws, capsys, monkeypatch, "results", "TST-901", "--json")
    assert_clean(out)
    (row,) = json.loads(out)["rows"]
    assert row == {"customer_id": f"C0{HOSTILE}", f"balance{HOSTILE}": "-5"}
    for args in (("findings",), ("findings", "--json"), ("runs",), ("run", "--json")):
        code, out = kansa(ws, capsys, monkeypatch, *args)
        assert code == 0, out
        assert_clean(out)


def test_ingest_and_ledger_show_escape_file_and_column_names(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    columns = get_contract("staff").column_names
    good = tmp_path / f"staff{HOSTILE}.csv"
    good.write_text(",".join(columns) + "\nS1,Aki,IT,employee,,2020-04-01,,\n", encoding="utf-8")
    code, out = kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(good))
    assert code == 0 and "staff\\x1b[2J" in out, out
    assert_clean(out)
    bad = tmp_path / f"bad{HOSTILE}.csv"
    header = ",".join([*columns, f"extra{HOSTILE}"])
    bad.write_text(header + f"\nS{HOSTILE},Aki,IT,employee,,2020-13-01,,,x\n", encoding="utf-8")
    code, out = kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(bad))
    assert code == 1 and "\\x1b" in out, out
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(bad), "--json")
    assert code == 1
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "ledger", "show")
    assert code == 0 and "staff\\x1b" in out, out
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "ledger", "show", "--json")
    assert code == 0
    assert_clean(out)
    (entry,) = json.loads(out)
    assert entry["payload"]["source"]["name"] == good.name


def test_error_messages_escape_what_they_quote(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    missing = tmp_path / f"nothing{HOSTILE}.csv"
    code, out = kansa(workspace, capsys, monkeypatch, "ingest", "staff", str(missing))
    assert code == 2
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "ingest", f"nosuch{HOSTILE}", str(missing))
    assert code == 2 and "nosuch\\x1b" in out, out
    assert_clean(out)


def test_analytics_tables_show_data_escaped(
    workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [{"host": f"h{HOSTILE}", "seq": n} for n in (1, 2, 5)]
    put_snapshot(workspace, "auth_events", rows)
    monkeypatch.setattr(context.console, "_width", 200)
    code, out = kansa(workspace, capsys, monkeypatch, "gaps", "auth_events", "--sequence", "seq",
                      "--by", "host")  # fmt: skip
    assert code == 0 and "h\\x1b[2J" in out, out
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "gaps", "auth_events", "--sequence", "seq",
                      "--by", "host", "--json")  # fmt: skip
    assert code == 0 and json.dumps(f"h{HOSTILE}") in json.dumps(json.loads(out))  # exact data
    assert_clean(out)


def test_verify_names_a_hostile_file_escaped(
    workspace: Workspace,
    put_snapshot: Put,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    put_snapshot(workspace, "staff", [{"person_id": "S1"}])
    (workspace.vault_dir / "snapshots" / f"planted{HOSTILE}.parquet").write_bytes(b"x")
    code, out = kansa(workspace, capsys, monkeypatch, "verify")
    assert code == 1 and "planted\\x1b[2J" in " ".join(out.split()), out
    assert_clean(out)


def test_map_suggest_and_check_keep_column_names_exact_and_escaped(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The proposed TOML block stays valid and names the column exactly (\\u escapes)."""
    hostile = HOSTILE.replace("\r", "")  # a CSV header cell cannot hold a bare CR
    export = tmp_path / f"staff{HOSTILE}.csv"
    header = ["person_id", "display_name", f"dept{hostile}", "employment_type", "hired_on"]
    export.write_text(",".join(header) + f"\nS1,Aki,IT{hostile},employee,2020-04-01\n",
                      encoding="utf-8")  # fmt: skip
    code, out = kansa(workspace, capsys, monkeypatch, "map", "suggest", "staff", str(export))
    assert code == 0, out
    assert_clean(out)
    assert tomllib.loads(out)["mappings"]["staff"]["drop"] == [f"dept{hostile}"]
    code, out = kansa(workspace, capsys, monkeypatch, "map", "check", "staff", str(export))
    assert "dept\\x1b[2J" in out, out
    assert_clean(out)
    code, out = kansa(workspace, capsys, monkeypatch, "map", "check", "staff", str(export),
                      "--json")  # fmt: skip
    assert_clean(out)
    doc, _ = json.JSONDecoder().raw_decode(out)  # stdout first; the verdict follows on stderr
    assert doc["file"] == export.name  # exact: the escapes decode back

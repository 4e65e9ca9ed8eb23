"""``kansa map suggest`` proposes a mapping that loads the exchange exports after a short
review; ``kansa map check`` reports what an ingest would find and changes nothing."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from exchange_exports import LOADS, WITHDRAWALS_HEADER, _csv_bytes, withdrawals_day1, write_exports
from ingest_testlib import tree_digest

from cli_entry import run_kansa as kansa
from kansa.ingest import ingest_file
from kansa.workspace import Workspace, find_workspace

SUGGEST_FROM = {
    "staff": ["staff"],
    "accounts": ["accounts"],
    "roles": ["monthly"],
    "customer_balances": ["monthly"],
    "withdrawals": ["withdrawals_day1", "withdrawals_day2"],
    "withdrawal_approvals": ["withdrawals_day1", "withdrawals_day2"],
}


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, Path]:
    return write_exports(tmp_path / "exports")


def review(toml: str) -> str:
    """What the reviewer does: the two things the assistant cannot know, as TODO lines say.

    The approvals' payload hash is the request's (the approver reviewed that request), and the
    exchange's own duty names need the contract's words.
    """
    toml = toml.replace('"依頼内容ハッシュ", ', "")
    toml = toml.replace(
        'approval_id = "{withdrawal_id}-{n}"',
        'approval_id = "{withdrawal_id}-{n}"\napproved_payload_hash = "{依頼内容ハッシュ}"',
    )
    duties = {
        "出金承認": "withdrawal_approver",
        "出金依頼": "withdrawal_requester",
        "システム管理": "system_admin",
        "顧客対応": "customer_support",
    }
    for word, duty in duties.items():
        toml = re.sub(rf'^# "{word}" = "".*$', f'"{word}" = "{duty}"', toml, flags=re.M)
    return toml


def test_suggested_mappings_load_every_export_after_review(
    workspace: Workspace,
    exports: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for dataset, names in SUGGEST_FROM.items():
        files = [str(exports[n]) for n in names]
        code, _, err = kansa(
            workspace, capsys, monkeypatch, "map", "suggest", dataset, *files, "--append"
        )
        assert code == 0, err
    cfg = workspace.root / "kansa.toml"
    proposed = cfg.read_text(encoding="utf-8")
    assert "casts" not in proposed
    # naive times and no workspace zone: accounts, withdrawals, approvals
    assert len(re.findall(r'^timezone = "Asia/Tokyo"', proposed, flags=re.M)) == 3
    # the exchange's business day is Tokyo's: 0:05 on 2 November JST is that day's export
    reviewed = review(proposed).replace(
        "[workspace]\n", '[workspace]\ntimezone = "Asia/Tokyo"\n', 1
    )
    cfg.write_text(reviewed, encoding="utf-8")
    ws = find_workspace(workspace.root)
    rows = {}
    for dataset, export in LOADS:
        snap = ingest_file(ws, dataset, exports[export], progress=False)
        rows[(dataset, export)] = snap.payload.get("rows_loaded", snap.rows)
    assert rows == {
        ("staff", "staff"): 6,
        ("accounts", "accounts"): 6,
        ("roles", "monthly"): 4,
        ("customer_balances", "monthly"): 6,
        ("withdrawals", "withdrawals_day1"): 5,
        ("withdrawal_approvals", "withdrawals_day1"): 8,
        ("withdrawals", "withdrawals_day2"): 3,
        ("withdrawal_approvals", "withdrawals_day2"): 4,
    }


def test_unreviewed_values_stay_unmapped(
    workspace: Workspace,
    exports: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A value the assistant could not place is proposed commented out: until a person decides,
    an ingest refuses it (it is never loaded as empty)."""
    kansa(
        workspace,
        capsys,
        monkeypatch,
        "map",
        "suggest",
        "roles",
        str(exports["monthly"]),
        "--append",
    )
    code, out, _ = kansa(
        workspace, capsys, monkeypatch, "map", "check", "roles", str(exports["monthly"]), "--json"
    )
    assert code == 1
    report = json.loads(out)
    assert {(u["value"], u["rows"], u["first_line"]) for u in report["unmapped"]} == {
        ("出金承認", 1, 2),
        ("出金依頼", 1, 3),
        ("システム管理", 1, 4),
        ("顧客対応", 1, 5),
    }


def test_map_check_reports_and_changes_nothing(
    workspace: Workspace,
    exports: dict[str, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day1 = str(exports["withdrawals_day1"])
    kansa(workspace, capsys, monkeypatch, "map", "suggest", "withdrawals", day1, "--append")
    before = tree_digest(workspace.root)
    code, out, _ = kansa(
        workspace, capsys, monkeypatch, "map", "check", "withdrawals", day1, "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["ok"] and report["rows"] == 5 and report["current"]["rows"] is None
    columns = {c["name"]: c for c in report["columns"]}
    assert columns["requested_by"]["empty"] == 4 and columns["customer_id"]["empty"] == 1
    assert columns["amount"]["low"] == "11542972"
    assert columns["requested_at"]["low"].startswith("2026-11-01 00:15:00")
    code, out, _ = kansa(workspace, capsys, monkeypatch, "map", "check", "withdrawals", day1)
    assert code == 0 and "would store the first snapshot" in out and "5 rows" in out
    assert tree_digest(workspace.root) == before

    rows = withdrawals_day1()
    rows[2][WITHDRAWALS_HEADER.index("依頼日時")] = "2026/11/1 13時"
    rows[3][WITHDRAWALS_HEADER.index("出金数量")] = "0.1234567"  # USDC has 6 decimals
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932"))
    code, out, _ = kansa(
        workspace, capsys, monkeypatch, "map", "check", "withdrawals", str(bad), "--json"
    )
    assert code == 1
    report = json.loads(out)
    assert [(p["line"], p["column"]) for p in report["problems"]] == [
        (4, "requested_at"),
        (5, "amount"),
    ]
    code, _, err = kansa(workspace, capsys, monkeypatch, "map", "check", "withdrawals", str(bad))
    assert code == 1 and "would refuse" in err
    assert tree_digest(workspace.root) == before


def test_map_usage_errors(
    workspace: Workspace,
    exports: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    staff = str(exports["staff"])
    code, _, err = kansa(workspace, capsys, monkeypatch, "map", "suggest", "no_such", staff)
    assert code == 2 and "Unknown dataset" in err
    code, _, _ = kansa(workspace, capsys, monkeypatch, "map", "suggest", "staff", staff, "--append")
    before = tree_digest(workspace.root)
    code, _, err = kansa(
        workspace, capsys, monkeypatch, "map", "suggest", "staff", staff, "--append"
    )
    assert code == 2 and "already has [mappings.staff]" in err
    code, _, err = kansa(workspace, capsys, monkeypatch, "map", "check", "staff", "nope.csv")
    assert code == 2 and "No such file" in err
    code, _, err = kansa(
        workspace, capsys, monkeypatch, "map", "check", "staff", staff, "--sheet", "無い"
    )
    assert code == 2 and "職員一覧" in err
    assert tree_digest(workspace.root) == before


def test_suggest_prints_and_changes_nothing(
    workspace: Workspace,
    exports: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree_digest(workspace.root)
    code, out, _ = kansa(
        workspace, capsys, monkeypatch, "map", "suggest", "staff", str(exports["staff"]),
        str(exports["accounts"]),
    )  # fmt: skip
    assert code == 0 and tree_digest(workspace.root) == before
    assert 'sheet = "職員一覧"' in out  # the sheet that fits, not the first one (凡例)
    assert "# accounts.csv: another header; not sampled" in out
    assert '"入社日" = "hired_on"' in out and 'hired_on = ["ISO", "%Y/%m/%d"]' in out

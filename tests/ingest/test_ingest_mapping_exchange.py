"""An exchange's own exports (tests/ingest/exchange_exports.py) load through declarative
mappings alone, and each slip that used to pass silently is now an error naming its line."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest
from exchange_exports import (
    LOADS,
    REVIEWED_MAPPING,
    WITHDRAWALS_HEADER,
    WORKSPACE_TIMEZONE,
    _csv_bytes,
    withdrawals_day1,
    write_exports,
)
from ingest_testlib import rows_of, tree_digest

from kansa.ingest import InvalidData, ingest_file
from kansa.workspace import Workspace, find_workspace

UTC = dt.UTC


def configured(workspace: Workspace, mapping: str = REVIEWED_MAPPING) -> Workspace:
    cfg = workspace.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").replace(
        "[workspace]\n", f"[workspace]\n{WORKSPACE_TIMEZONE}\n", 1
    )
    cfg.write_text(text + mapping, encoding="utf-8")
    return find_workspace(workspace.root)


@pytest.fixture
def exports(tmp_path: Path) -> dict[str, Path]:
    return write_exports(tmp_path / "exports")


def test_the_mapping_is_declarative() -> None:
    assert "casts" not in REVIEWED_MAPPING and "strptime" not in REVIEWED_MAPPING


def test_every_export_loads(workspace: Workspace, exports: dict[str, Path]) -> None:
    ws = configured(workspace)
    got = {}
    for dataset, export in LOADS:
        got[(dataset, export)] = rows_of(ingest_file(ws, dataset, exports[export], progress=False))
    w1 = {r["withdrawal_id"]: r for r in got[("withdrawals", "withdrawals_day1")]}
    assert w1["W-1101-001"]["amount"] == Decimal(11542972)  # 0.11542972 BTC in satoshi
    assert w1["W-1101-002"]["amount"] == Decimal(1234500000000000000000)  # 1,234.5 ETH in wei
    assert w1["W-1101-003"]["amount"] == Decimal(1250000000)  # １２.５ BTC
    assert w1["W-1101-003"]["kind"] == "internal" and w1["W-1101-001"]["status"] == "broadcast"
    # 23:59:59 JST is 14:59:59 UTC on the same day
    assert w1["W-1101-005"]["requested_at"] == dt.datetime(2026, 11, 1, 14, 59, 59, tzinfo=UTC)
    w2 = {r["withdrawal_id"]: r for r in got[("withdrawals", "withdrawals_day2")]}
    # 2026年11月2日 0時05分 JST is still 1 November in UTC
    assert w2["W-1102-001"]["requested_at"] == dt.datetime(2026, 11, 1, 15, 5, tzinfo=UTC)
    assert w2["W-1102-003"]["amount"] == Decimal(500123456)  # ５００.１２３４５６ USDT
    approvals = got[("withdrawal_approvals", "withdrawals_day1")]
    assert [a["approval_id"] for a in approvals] == [
        "W-1101-001-1",
        "W-1101-001-2",
        "W-1101-002-1",
        "W-1101-002-2",
        "W-1101-003-1",
        "W-1101-003-2",
        "W-1101-003-3",
        "W-1101-004-1",
    ]
    assert approvals[-1]["decision"] == "reject"
    assert approvals[0]["approved_payload_hash"] == w1["W-1101-001"]["request_payload_hash"]
    assert len(got[("withdrawal_approvals", "withdrawals_day2")]) == 4
    staff = {r["person_id"]: r for r in got[("staff", "staff")]}
    assert staff["P0078"]["left_on"] == dt.date(2026, 10, 31)  # typed as 2026年10月31日
    assert staff["P0056"]["hired_on"] == dt.date(2025, 1, 6)  # typed as 2025/01/06
    assert staff["V0101"]["left_on"] == dt.date(2026, 12, 31)  # an Excel date cell
    assert staff["V0101"]["employment_type"] == "vendor"
    accounts = {r["account_id"]: r for r in got[("accounts", "accounts")]}
    assert accounts["A-P0012-wc"]["privileged"] is True
    assert accounts["A-P0007-wc"]["privileged"] is False
    assert accounts["A-P0012-wc"]["mfa_method"] == "hardware_key"
    balances = {
        (r["customer_id"], r["asset"]): r["balance"] for r in got[("customer_balances", "monthly")]
    }
    assert balances[("C000123", "JPY")] == Decimal(1234567)  # \1,234,567 in CP932
    assert balances[("C000456", "JPY")] == Decimal(12000)  # ￥12,000
    assert balances[("C000789", "JPY")] == Decimal(-500)  # △500
    assert balances[("C000456", "ETH")] == Decimal(3000000000000000001)
    roles = {r["role_id"]: r for r in got[("roles", "monthly")]}
    assert roles["R-SUPPORT"]["privileged"] is False and roles["R-ADMIN"]["duty"] == "system_admin"


def test_the_ledger_records_container_and_member(
    workspace: Workspace, exports: dict[str, Path]
) -> None:
    ws = configured(workspace)
    snap = ingest_file(ws, "roles", exports["monthly"], progress=False)
    assert snap.payload["container"] == {"kind": "zip", "member": "月次/ロール一覧.csv"}
    assert snap.payload["source"]["name"] == "月次_202611.zip"
    staff = ingest_file(ws, "staff", exports["staff"], progress=False)
    assert staff.payload["container"] == {"kind": "xlsx", "sheet": "職員一覧"}


def _day1_with(tmp_path: Path, row: int, **cells: str) -> Path:
    rows = withdrawals_day1()
    for name, value in cells.items():
        rows[row][WITHDRAWALS_HEADER.index(name)] = value
    path = tmp_path / "slip.csv"
    path.write_bytes(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932"))
    return path


def _refused(ws: Workspace, dataset: str, path: Path) -> InvalidData:
    before = tree_digest(ws.root)
    with pytest.raises(InvalidData) as info:
        ingest_file(ws, dataset, path, progress=False)
    assert tree_digest(ws.root) == before
    return info.value


def test_a_date_in_no_listed_format_is_an_error_naming_its_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = configured(workspace)
    bad = _refused(ws, "withdrawals", _day1_with(tmp_path, 2, 依頼日時="2026.11.01 13:00"))
    (p,) = bad.problems
    assert (p.line, p.column, p.value) == (4, "requested_at", "2026.11.01 13:00")
    assert "%Y/%m/%d %H:%M:%S" in p.expected


def test_an_unparsable_leaving_date_is_never_an_active_employee(
    workspace: Workspace, tmp_path: Path
) -> None:
    import openpyxl

    src = tmp_path / "staff.xlsx"
    wb = openpyxl.Workbook()
    ws_ = wb.active
    assert ws_ is not None
    ws_.title = "職員一覧"
    ws_.append(
        ["社員番号", "氏名", "所属部署", "雇用区分", "委託先", "入社日", "退職日", "身元調査日"]
    )
    ws_.append(["P1", "甲", "財務部", "正社員", None, "2020/04/01", "2026年10月31日", None])
    ws_.append(["P2", "乙", "財務部", "正社員", None, "2020/04/01", "10/31/2026", None])
    wb.save(src)
    bad = _refused(configured(workspace), "staff", src)
    (p,) = bad.problems
    assert (p.line, p.column, p.value) == (3, "left_on", "10/31/2026")


def test_more_decimals_than_the_asset_has_is_an_error_never_rounded(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = configured(workspace)
    bad = _refused(ws, "withdrawals", _day1_with(tmp_path, 0, 出金数量="0.115429725"))
    (p,) = bad.problems
    assert (p.line, p.column, p.value) == (2, "amount", "0.115429725")
    assert "(BTC: 8)" in p.expected and "never rounds" in p.expected


def test_overflow_and_unknown_asset_name_their_lines(workspace: Workspace, tmp_path: Path) -> None:
    ws = configured(workspace)
    rows = withdrawals_day1()
    rows[1][WITHDRAWALS_HEADER.index("出金数量")] = "9" * 25  # ETH: 25 + 18 digits > 38
    rows[3][WITHDRAWALS_HEADER.index("通貨")] = "DOGGO"
    path = tmp_path / "overflow.csv"
    path.write_bytes(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932"))
    bad = _refused(ws, "withdrawals", path)
    assert [(p.line, p.column) for p in bad.problems] == [(3, "amount"), (5, "asset")]
    assert "38 digits" in bad.problems[0].expected
    assert bad.problems[1].value == "DOGGO" and "[assets.TICKER]" in bad.problems[1].expected


def test_asset_decimals_extend_in_kansa_toml(workspace: Workspace, tmp_path: Path) -> None:
    ws = configured(workspace, REVIEWED_MAPPING + "\n[assets.DOGGO]\ndecimals = 2\n")
    rows = withdrawals_day1()
    rows[3][WITHDRAWALS_HEADER.index("通貨")] = "DOGGO"  # amount 10,000
    path = tmp_path / "doggo.csv"
    path.write_bytes(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932"))
    got = rows_of(ingest_file(ws, "withdrawals", path, progress=False))
    assert got[3]["amount"] == Decimal(1000000)


def test_unmapped_values_are_listed_with_count_and_first_line(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = configured(workspace)
    rows = withdrawals_day1()
    status = WITHDRAWALS_HEADER.index("ステータス")
    rows[1][status] = "保留"
    rows[3][status] = "処理中"
    rows[4][status] = "保留"
    path = tmp_path / "unmapped.csv"
    path.write_bytes(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932"))
    bad = _refused(ws, "withdrawals", path)
    assert [(p.line, p.column, p.value) for p in bad.problems] == [
        (3, "status", "保留"),
        (5, "status", "処理中"),
    ]
    assert bad.total == 2
    assert "2 row(s)" in bad.problems[0].expected and "1 row(s)" in bad.problems[1].expected


def test_a_number_of_the_wide_set_missing_a_column(workspace: Workspace, tmp_path: Path) -> None:
    ws = configured(workspace)
    header = [h for h in WITHDRAWALS_HEADER if h != "承認日時3"]
    rows = [
        [v for h, v in zip(WITHDRAWALS_HEADER, r, strict=True) if h != "承認日時3"]
        for r in withdrawals_day1()
    ]
    path = tmp_path / "narrow.csv"
    path.write_bytes(_csv_bytes(header, rows, "cp932"))
    bad = _refused(ws, "withdrawal_approvals", path)
    assert [(p.line, p.column) for p in bad.problems] == [(1, "承認日時3")]


def test_a_gzip_with_a_bad_line_names_the_line(workspace: Workspace, tmp_path: Path) -> None:
    ws = configured(workspace)
    rows = withdrawals_day1()
    rows[4][WITHDRAWALS_HEADER.index("ステータス")] = "不明"
    path = tmp_path / "day.csv.gz"
    path.write_bytes(gzip.compress(_csv_bytes(WITHDRAWALS_HEADER, rows, "cp932")))
    (p,) = _refused(ws, "withdrawals", path).problems
    assert (p.file, p.line, p.value) == ("day.csv.gz", 6, "不明")


def test_a_zip_needs_one_member(workspace: Workspace, exports: dict[str, Path]) -> None:
    from kansa.errors import KansaError

    with pytest.raises(KansaError, match="2 members match"):
        ingest_file(workspace, "roles", exports["monthly"], progress=False)


@pytest.mark.parametrize(
    ("name", "body", "words"),
    [
        ("staff.xlsx", b"person_id\nP1\n", "Excel .xlsx"),
        ("day.csv.gz", b"\x1f\x8b\x08\x00broken", "gzip"),
        ("month.zip", b"PK\x03\x04broken", "ZIP"),
    ],
)
def test_a_broken_container_is_refused_as_data(
    workspace: Workspace, tmp_path: Path, name: str, body: bytes, words: str
) -> None:
    from kansa.errors import KansaError

    src = tmp_path / name
    src.write_bytes(body)
    before = tree_digest(workspace.root)
    with pytest.raises(KansaError) as info:
        ingest_file(workspace, "staff", src, progress=False)
    assert info.value.exit_code == 1 and words in info.value.message
    assert tree_digest(workspace.root) == before

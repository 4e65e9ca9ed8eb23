"""How values read in a report: asset units, the workspace zone, staff names, labels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kansa.reports.labels import LABELS
from kansa.reports.overview import executive_summary
from kansa.reports.presentation import (
    AMOUNT,
    OTHER,
    TIME,
    Presentation,
    column_kinds,
    column_labels,
    short_label,
    workspace_decimals,
    workspace_zone,
)
from kansa.workspace import Workspace, find_workspace

P = Presentation(language="en", zone="Asia/Tokyo", decimals={"BTC": 8, "ETH": 18, "JPY": 0})


def test_amounts_in_asset_units_with_the_symbol_exactly() -> None:
    assert P.amount("450290000000", "BTC") == "4,502.90000000 BTC"
    assert P.amount("1", "BTC") == "0.00000001 BTC"
    assert P.amount("-11542973", "BTC") == "-0.11542973 BTC"
    wei = 123456789 * 10**18 + 1  # beyond 2**64: never through a float
    assert P.amount(str(wei), "ETH") == "123,456,789.000000000000000001 ETH"
    assert P.amount(Decimal(1500), "JPY") == "1,500 JPY"


def test_an_asset_without_known_decimals_keeps_its_smallest_unit() -> None:
    assert P.amount("5000", "XYZ") == "5,000 (smallest unit XYZ)"
    ja = Presentation(language="ja", decimals={})
    assert ja.amount("5000", "XYZ") == "5,000 (最小単位 XYZ)"
    assert P.amount("", "BTC") == "" and P.amount("n/a", "BTC") == "n/a"


def test_times_in_the_workspace_zone_and_naive_times_as_recorded() -> None:
    assert P.time("2026-10-30 09:00:07.154856+00:00") == "2026-10-30 18:00:07 JST"
    assert P.time("2026-10-30T15:30:00Z") == "2026-10-31 00:30:00 JST"
    assert P.time(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)) == "2026-01-01 09:00:00 JST"
    assert Presentation().time("2026-10-30T09:00:07Z") == "2026-10-30 09:00:07 UTC"
    assert P.time("2026-10-30 09:00:07") == "2026-10-30 09:00:07"  # no zone: not guessed
    assert P.time("not a time") == "not a time"


def test_a_row_formats_by_column_kind_and_names_staff() -> None:
    p = Presentation(zone="UTC", decimals={"BTC": 8}, people={"P00034": "伊藤 彩"})
    row = p.row(
        ["asset", "amount", "signed_at", "person_id", "note"],
        [OTHER, AMOUNT, TIME, OTHER, OTHER],
        ["BTC", "450290000000", "2026-10-30 09:00:07+00:00", "P00034", "P00035"],
    )
    assert row == [
        "BTC",
        "4,502.90000000 BTC",
        "2026-10-30 09:00:07 UTC",
        "P00034 (伊藤 彩)",
        "P00035",
    ]


def test_column_kinds_amounts_only_beside_an_asset(tmp_path: Path) -> None:
    dec = pa.decimal128(38, 0)
    ts = pa.timestamp("us", tz="UTC")
    with_asset = pa.table(
        {
            "asset": pa.array(["BTC"]),
            "amount": pa.array([Decimal(1)], dec),
            "share": pa.array([Decimal("0.95")], pa.decimal128(3, 2)),
            "at": pa.array([dt.datetime(2026, 1, 1, tzinfo=dt.UTC)], ts),
            "n": pa.array([3], pa.int64()),
        }
    )
    pq.write_table(with_asset, tmp_path / "a.parquet")
    assert column_kinds(tmp_path / "a.parquet") == [OTHER, AMOUNT, OTHER, TIME, OTHER]
    pq.write_table(with_asset.drop(["asset"]), tmp_path / "b.parquet")
    assert column_kinds(tmp_path / "b.parquet") == [OTHER, OTHER, TIME, OTHER]


def test_labels_come_from_the_contracts_in_the_language() -> None:
    assert short_label("Requested amount; in smallest units") == "Requested amount"
    assert short_label("顧客識別子（仮名。社内移動は空）") == "顧客識別子"
    assert short_label("When the request was made (UTC)") == "When the request was made"
    en, ja = column_labels("en", ("withdrawals",)), column_labels("ja", ("withdrawals",))
    assert en["amount"] == "Requested amount" and ja["amount"] == "依頼金額"
    assert en["difference"] == "Difference" and ja["difference"] == "差額"  # computed columns
    assert "approvals_by_requester" not in en  # one with no label keeps its name


def test_zone_and_decimals_from_the_workspace(workspace: Workspace) -> None:
    assert workspace_zone(workspace) == "UTC"
    cfg = workspace.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").replace(
        "[workspace]\n", '[workspace]\ntimezone = "Asia/Tokyo"\n'
    )
    cfg.write_text(text + "\n[assets.XYZ]\ndecimals = 2\n", encoding="utf-8")
    ws = find_workspace(workspace.root)
    assert workspace_zone(ws) == "Asia/Tokyo"
    assert workspace_zone(ws, {"timezone": "UTC"}) == "UTC"  # the run's own zone wins
    decimals = workspace_decimals(ws)
    assert decimals["XYZ"] == 2 and decimals["BTC"] == 8


def test_executive_summary_never_counts_an_unconcluded_control_as_passed() -> None:
    t = LABELS["en"]
    assert (
        executive_summary({"pass": 3}, {}, [], t)[0]
        == "All 3 controls of this run passed: no exception was found."
    )
    lines = executive_summary(
        {"pass": 50, "fail": 2, "not_tested": 1, "error": 1},
        {"material_weakness": 1, "deficiency": 2},
        [("CUS-008", "Reserves cover customer liabilities", 1)],
        t,
    )
    assert lines[0] == "Of 54 controls in this run, 50 passed and 2 found exceptions."
    assert lines[1].startswith("2 control(s) could not be concluded (error 1, not tested 1)")
    assert lines[2] == "Open findings: material weakness 1, deficiency 2."
    assert "CUS-008 Reserves cover customer liabilities (1)" in lines[3]
    assert executive_summary({}, {}, [], LABELS["ja"]) == [LABELS["ja"]["sum_norun"]]

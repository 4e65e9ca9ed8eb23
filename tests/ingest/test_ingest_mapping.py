"""A workspace maps its own export onto a contract in kansa.toml: renames, constants, casts,
dropped columns, the time zone of naive timestamps, encoding and delimiter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from ingest_testlib import HEADER, good_row, payments, rows_of, tree_digest, write_csv

from kansa.errors import ConfigError
from kansa.ingest import InvalidData, ingest_file
from kansa.workspace import Workspace, find_workspace


def _with_mapping(workspace: Workspace, toml: str) -> Workspace:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n" + toml, encoding="utf-8")
    return find_workspace(workspace.root)


JAPANESE_EXPORT = """
[mappings.t_payments]
rename = { "支払ID" = "payment_id", "金額" = "amount", "支払日時" = "paid_at" }
constants = { status = "ok", approved = true }
casts = { value_date = "strptime(\\"計上日\\", '%Y/%m/%d')::DATE" }
drop = ["担当者"]
timezone = "Asia/Tokyo"
encoding = "cp932"
"""


def test_japanese_export_is_mapped(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(workspace, JAPANESE_EXPORT)
    header = [
        "支払ID",
        "金額",
        "支払日時",
        "計上日",
        "担当者",
        "memo",
        "balance",
        "rate",
        "tries",
        "ref",
    ]
    row = {
        "支払ID": "P1",
        "金額": str(2**70),
        "支払日時": "2026/11/20 09:30:00".replace("/", "-"),
        "計上日": "2026/11/20",
        "担当者": "佐藤",
        "memo": "返金",
    }
    src = write_csv(tmp_path / "export.csv", [row], header=header, encoding="cp932")
    snap = ingest_file(ws, payments(), src, progress=False)
    got = rows_of(snap)[0]
    assert got["payment_id"] == "P1" and got["amount"] == Decimal(2**70)
    assert got["paid_at"] == dt.datetime(2026, 11, 20, 0, 30, tzinfo=dt.UTC)  # 09:30 JST
    assert got["value_date"] == dt.date(2026, 11, 20)
    assert got["status"] == "ok" and got["approved"] is True and got["memo"] == "返金"
    assert snap.payload["encoding"] == "cp932"
    assert snap.payload["mapping"]["rename"]["金額"] == "amount"
    assert snap.payload["mapping"]["timezone"] == "Asia/Tokyo"


def test_timezone_leaves_explicit_offsets_alone(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(workspace, '[mappings.t_payments]\ntimezone = "Asia/Tokyo"\n')
    rows = [good_row(1, paid_at="2026-11-20T09:00:00Z"), good_row(2, paid_at="2026-11-20T09:00:00")]
    got = rows_of(ingest_file(ws, payments(), write_csv(tmp_path / "tz.csv", rows), progress=False))
    assert got[0]["paid_at"] == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    assert got[1]["paid_at"] == dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)


def test_delimiter_from_mapping(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(workspace, '[mappings.t_payments]\ndelimiter = ";"\n')
    src = write_csv(tmp_path / "semi.csv", [good_row(1, memo="a,b")], delimiter=";")
    assert rows_of(ingest_file(ws, payments(), src, progress=False))[0]["memo"] == "a,b"


def test_constant_for_a_column_the_file_has_is_ambiguous(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = _with_mapping(workspace, '[mappings.t_payments]\nconstants = { status = "ok" }\n')
    before = tree_digest(ws.root)
    with pytest.raises(InvalidData) as info:
        ingest_file(ws, payments(), write_csv(tmp_path / "c.csv", [good_row(1)]), progress=False)
    assert [p.column for p in info.value.problems] == ["status"]
    assert tree_digest(ws.root) == before


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('timezone = "Asia/Nowhere"', "IANA"),
        ('casts = { amount = "no_such_column + 1" }', "casts"),
        ('casts = { amount = "((" }', "not a SQL expression"),
        ('constants = { colour = "red" }', "not in the contract"),
    ],
)
def test_broken_mapping_is_a_config_error(
    workspace: Workspace, tmp_path: Path, toml: str, words: str
) -> None:
    ws = _with_mapping(workspace, f"[mappings.t_payments]\n{toml}\n")
    src = write_csv(tmp_path / "m.csv", [good_row(1)], header=[h for h in HEADER if h != "amount"])
    before = tree_digest(ws.root)
    with pytest.raises(ConfigError, match=words):
        ingest_file(ws, payments(), src, progress=False)
    assert tree_digest(ws.root) == before


def test_two_columns_renamed_to_one_name(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(workspace, '[mappings.t_payments]\nrename = { note = "memo" }\n')
    src = write_csv(tmp_path / "r.csv", [good_row(1)], header=[*HEADER, "note"])
    with pytest.raises(InvalidData) as info:
        ingest_file(ws, payments(), src, progress=False)
    assert "both become 'memo'" in info.value.problems[0].expected


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        ('values = { status = { "A" = "ok" } }\ncasts = { status = "\'ok\'" }', "not both"),
        ('formats = { status = ["%Y"] }', "date or timestamp columns only"),
        ('formats = { paid_at = ["%Q"] }', "not a date/time format"),
        ("amounts = { rate = { decimals = 2 } }", "amount columns only"),
        ('amounts = { amount = { asset = "NOPE" } }', "no known decimals"),
        ('amounts = { amount = { asset_column = "nope" } }', "no contract column"),
        ('templates = { memo = "{nope}-x" }', "no column 'nope'"),
        ('values = { colour = { "a" = "b" } }', "not in the contract"),
    ],
)
def test_broken_declarative_mapping_is_a_config_error(
    workspace: Workspace, tmp_path: Path, toml: str, words: str
) -> None:
    ws = _with_mapping(workspace, f"[mappings.t_payments]\n{toml}\n")
    src = write_csv(tmp_path / "m.csv", [good_row(1)])
    before = tree_digest(ws.root)
    with pytest.raises(ConfigError, match=words):
        ingest_file(ws, payments(), src, progress=False)
    assert tree_digest(ws.root) == before


@pytest.mark.parametrize(
    "toml",
    [
        'amounts = { amount = { decimals = "2" } }',
        'amounts = { amount = { asset = "BTC", decimals = 8 } }',
        'long = { columns = { "approver" = "x" } }',
        "values = { status = { A = 1.5 } }",
        "formats = { paid_at = [] }",
        "[assets.BTC]\ndecimals = -1",
    ],
)
def test_malformed_declarative_keys_are_refused_when_read(workspace: Workspace, toml: str) -> None:
    with pytest.raises(ConfigError):
        _with_mapping(workspace, f"[mappings.t_payments]\n{toml}\n")


def test_drop_takes_patterns(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(workspace, '[mappings.t_payments]\ndrop = ["備考*", "x?"]\n')
    src = write_csv(tmp_path / "d.csv", [good_row(1)], header=[*HEADER, "備考1", "備考2", "x1"])
    assert rows_of(ingest_file(ws, payments(), src, progress=False))[0]["payment_id"] == "P1"


def test_workspace_timezone_reads_naive_times(workspace: Workspace, tmp_path: Path) -> None:
    cfg = workspace.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").replace(
        "[workspace]\n", '[workspace]\ntimezone = "Asia/Tokyo"\n', 1
    )
    cfg.write_text(text, encoding="utf-8")
    ws = find_workspace(workspace.root)
    src = write_csv(tmp_path / "tz.csv", [good_row(1, paid_at="2026-11-20 09:00:00")])
    got = rows_of(ingest_file(ws, payments(), src, progress=False))
    assert got[0]["paid_at"] == dt.datetime(2026, 11, 20, 0, 0, tzinfo=dt.UTC)
    # the mapping's own zone wins over the workspace's
    ws = _with_mapping(ws, '[mappings.t_payments]\ntimezone = "UTC"\n')
    got = rows_of(ingest_file(ws, payments(), src, progress=False))
    assert got[0]["paid_at"] == dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_value_map_to_empty_and_booleans(workspace: Workspace, tmp_path: Path) -> None:
    ws = _with_mapping(
        workspace,
        '[mappings.t_payments.values.approved]\n"○" = true\n"×" = false\n"-" = ""\n',
    )
    rows = [good_row(1, approved="○"), good_row(2, approved="×"), good_row(3, approved=" - ")]
    got = rows_of(ingest_file(ws, payments(), write_csv(tmp_path / "b.csv", rows), progress=False))
    assert [r["approved"] for r in got] == [True, False, None]

"""Files that are right get in, in every supported format and encoding, value for value."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from ingest_testlib import good_row, payments, rows_of, write_csv

from kansa.contracts import get_contract
from kansa.ingest import ingest_file
from kansa.vault import Vault, sha256_file, verify_vault
from kansa.workspace import Workspace

UTC = dt.UTC


def test_csv_snapshot_is_typed_and_described(workspace: Workspace, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "pay.csv", [good_row(1), good_row(2, memo="", approved="no")])
    snap = ingest_file(workspace, payments(), src, progress=False)
    assert snap.rows == 2 and snap.dataset == "t_payments"
    assert snap.path.is_file() and snap.sha256 == sha256_file(snap.path)
    p = snap.payload
    assert p["contract"] == "t_payments" and p["contract_version"] == payments().version_id
    assert p["source"] == {
        "name": "pay.csv",
        "sha256": sha256_file(src),
        "size": src.stat().st_size,
    }
    assert (p["format"], p["encoding"], p["delimiter"]) == ("csv", "utf-8", ",")
    first, second = rows_of(snap)
    assert first["amount"] == Decimal(10**20 + 1)
    assert first["balance"] == Decimal(-1)
    assert first["paid_at"] == dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert first["value_date"] == dt.date(2026, 11, 20)
    assert first["approved"] is True and second["approved"] is False
    assert second["memo"] is None
    assert verify_vault(Vault(workspace.vault_dir)).ok


def test_wei_amounts_beyond_64_bits_round_trip_exactly(
    workspace: Workspace, tmp_path: Path
) -> None:
    # 2**64 does not fit a BIGINT; 10**38 - 1 is the widest DECIMAL(38,0) value
    amounts = [2**64, 2**64 + 1, 3 * 10**24 + 7, 10**38 - 1]
    rows = [good_row(i, amount=str(a)) for i, a in enumerate(amounts)]
    snap = ingest_file(workspace, payments(), write_csv(tmp_path / "wei.csv", rows), progress=False)
    assert [r["amount"] for r in rows_of(snap)] == [Decimal(a) for a in amounts]
    con = duckdb.connect()
    typed = con.execute(
        f"SELECT typeof(amount) FROM read_parquet('{snap.path}') LIMIT 1"
    ).fetchall()
    assert typed == [("DECIMAL(38,0)",)]


def test_utf8_bom_is_detected(workspace: Workspace, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "bom.csv", [good_row(1, memo="払い戻し")], encoding="utf-8-sig")
    snap = ingest_file(workspace, payments(), src, progress=False)
    assert snap.payload["encoding"] == "utf-8-sig"
    assert rows_of(snap)[0]["memo"] == "払い戻し"


@pytest.mark.parametrize("encoding", ["cp932", "shift_jis"])
def test_cp932_file_is_transcoded(workspace: Workspace, tmp_path: Path, encoding: str) -> None:
    memo = "出金 ①番 ｶﾀｶﾅ 表示"  # ① is a NEC special character: CP932, not strict Shift_JIS
    src = write_csv(tmp_path / "sjis.csv", [good_row(1, memo=memo), good_row(2)], encoding="cp932")
    snap = ingest_file(workspace, payments(), src, encoding=encoding, progress=False)
    assert rows_of(snap)[0]["memo"] == memo
    assert snap.payload["encoding"] == encoding
    assert snap.payload["source"]["sha256"] == sha256_file(src)


def test_tab_delimited_and_tsv_extension(workspace: Workspace, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "pay.tsv", [good_row(1, memo="a,b")], delimiter="\t")
    snap = ingest_file(workspace, payments(), src, progress=False)
    assert rows_of(snap)[0]["memo"] == "a,b" and snap.payload["delimiter"] == "\t"


def test_jsonl_keeps_big_numbers_and_skips_blank_lines(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [good_row(1), good_row(2)]
    lines = [json.dumps(r) for r in rows]
    # a JSON number wider than 64 bits must keep every digit
    lines[1] = lines[1].replace(
        '"amount": "100000000000000000002"', '"amount": 123456789012345678901234567890'
    )
    (tmp_path / "pay.jsonl").write_text(lines[0] + "\n\n" + lines[1] + "\n", encoding="utf-8")
    snap = ingest_file(workspace, payments(), tmp_path / "pay.jsonl", progress=False)
    got = rows_of(snap)
    assert got[1]["amount"] == Decimal(123456789012345678901234567890)
    assert snap.payload["format"] == "jsonl"


def test_parquet_with_typed_columns(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "pay.parquet"
    duckdb.sql(
        "COPY (SELECT 'P1' AS payment_id, NULL::VARCHAR AS memo, 18446744073709551616::DECIMAL(38,0) AS amount, "
        "(-5)::DECIMAL(38,0) AS balance, 0.25 AS rate, 3 AS tries, TIMESTAMPTZ '2026-11-20 09:00:00+09' AS paid_at, "
        "DATE '2026-11-20' AS value_date, true AS approved, 'held' AS status, 'R9' AS ref) "
        f"TO '{src}' (FORMAT parquet)"
    )
    snap = ingest_file(workspace, payments(), src, progress=False)
    row = rows_of(snap)[0]
    assert row["amount"] == Decimal(2**64) and row["balance"] == Decimal(-5)
    assert row["paid_at"] == dt.datetime(2026, 11, 20, 0, 0, tzinfo=UTC)
    assert row["approved"] is True and snap.payload["format"] == "parquet"


def test_real_contract_staff(workspace: Workspace, tmp_path: Path) -> None:
    staff = get_contract("staff")
    header = list(staff.column_names)
    row = {
        "person_id": "S001",
        "display_name": "山田 太郎",
        "department": "財務",
        "employment_type": "employee",
        "hired_on": "2020-04-01",
    }
    snap = ingest_file(
        workspace, "staff", write_csv(tmp_path / "staff.csv", [row], header=header), progress=False
    )
    assert snap.rows == 1 and snap.contract_version == staff.version_id
    assert Vault(workspace.vault_dir).latest("staff") == snap


def test_same_file_twice_gives_same_content_address(workspace: Workspace, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "pay.csv", [good_row(i) for i in range(100)])
    a = ingest_file(workspace, payments(), src, progress=False)
    b = ingest_file(workspace, payments(), src, progress=False)
    assert a.sha256 == b.sha256 and (a.seq, b.seq) == (0, 1)
    assert verify_vault(Vault(workspace.vault_dir)).ok


def test_empty_data_file_is_a_zero_row_snapshot(workspace: Workspace, tmp_path: Path) -> None:
    snap = ingest_file(workspace, payments(), write_csv(tmp_path / "none.csv", []), progress=False)
    assert snap.rows == 0 and rows_of(snap) == []


def test_progress_bar_shows_each_stage(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from kansa.ingest import progress

    out = io.StringIO()
    monkeypatch.setattr(progress, "SHOW_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(progress, "Console", lambda **_: Console(file=out, width=100))
    src = write_csv(tmp_path / "pay.csv", [good_row(i) for i in range(50)], encoding="cp932")
    ingest_file(workspace, payments(), src, encoding="cp932", progress=True)
    shown = out.getvalue()
    for stage in ("Transcoding cp932", "Checking rows", "Writing snapshot", "Committing"):
        assert stage in shown


@pytest.mark.parametrize("name", ["export.gz", "export.zst"])
def test_the_format_given_is_read_whatever_the_extension(
    workspace: Workspace, tmp_path: Path, name: str
) -> None:
    src = write_csv(tmp_path / name, [good_row(1)])
    snap = ingest_file(workspace, payments(), src, fmt="csv", progress=False)
    assert rows_of(snap)[0]["payment_id"] == "P1"

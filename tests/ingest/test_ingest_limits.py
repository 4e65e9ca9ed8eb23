"""Inputs built to exhaust the machine are refused quickly, naming the limit, and change nothing.

Each test is one of the attacks of issue 8 (item 6) or a limit of ``[ingest]`` in
``kansa.toml``: header size, column count, line length, value size, nesting depth; and error
messages that never echo more than a fixed number of characters of the file.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_testlib import HEADER, csv_text, good_row, payments, tree_digest, write_csv

from kansa.cli.app import main
from kansa.contracts import get_contract
from kansa.errors import ConfigError, KansaError
from kansa.ingest import InvalidData, Problem, ingest_file
from kansa.workspace import Workspace, find_workspace

MiB = 1 << 20


def _configured(workspace: Workspace, **limits: int) -> Workspace:
    """The workspace with an ``[ingest]`` table in its kansa.toml."""
    cfg = workspace.root / "kansa.toml"
    table = "\n".join(f"{k} = {v}" for k, v in limits.items())
    text = cfg.read_text(encoding="utf-8").split("\n[ingest]\n")[0]  # replaces an earlier one
    cfg.write_text(text + f"\n[ingest]\n{table}\n", encoding="utf-8")
    return find_workspace(workspace.root)


def _refused(workspace: Workspace, src: Path, **kw: str) -> Problem:
    """The single problem of a refused ingest, which changed nothing in the workspace."""
    before = tree_digest(workspace.root)
    with pytest.raises(InvalidData) as info:
        ingest_file(workspace, payments(), src, progress=False, **kw)
    assert tree_digest(workspace.root) == before
    assert len(info.value.problems) == 1, info.value.message
    return info.value.problems[0]


def _ok_table(n: int = 2, **extra: pa.Array) -> pa.Table:
    rows = [good_row(i) for i in range(n)]
    cols = {h: pa.array([r[h] for r in rows]) for h in HEADER}
    return pa.table({**cols, **extra})


# -- CSV header and columns -------------------------------------------------------------------


def test_a_header_longer_than_the_limit_is_refused_naming_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = _configured(workspace, max_header_bytes=4096)
    src = tmp_path / "wide.csv"
    src.write_text(",".join(HEADER + [f"extra_{i}" for i in range(1000)]) + "\n", encoding="utf-8")
    p = _refused(ws, src)
    assert p.line == 1 and "4,096 bytes" in p.expected and "ingest.max_header_bytes" in p.expected


def test_more_columns_than_the_limit_are_refused_before_their_names_are_checked(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "many.csv"
    # 10,001 columns, all named alike: the count is refused, not 10,000 duplicate names
    src.write_text(",".join(["x"] * 10_001) + "\n", encoding="utf-8")
    p = _refused(workspace, src)
    assert p.line == 1 and "10,001" in p.expected and "ingest.max_columns" in p.expected


def test_the_column_limit_can_be_lowered(workspace: Workspace, tmp_path: Path) -> None:
    ws = _configured(workspace, max_columns=5)
    p = _refused(ws, write_csv(tmp_path / "ok.csv", [good_row(1)]))
    assert "at most 5 columns; the file has 11" in p.expected


# -- lines and values -------------------------------------------------------------------------


def test_a_long_last_line_without_a_newline_is_refused_not_silently_dropped(
    workspace: Workspace, tmp_path: Path
) -> None:
    # DuckDB's CSV reader skips a final unterminated line longer than its 32 MiB buffer: the
    # file then "passed" with the row missing (it ingested 0 rows before this limit)
    src = tmp_path / "dropped.csv"
    with src.open("wb") as f:
        f.write(csv_text([good_row(1)]).encode())
        f.write(b"P2," + b"x" * (40 * MiB))
    p = _refused(workspace, src)
    assert p.line == 3 and "ingest.max_line_bytes" in p.expected
    assert "xxxx" not in p.expected


@pytest.mark.parametrize("encoding", ["utf-8", "cp932"])
def test_a_long_line_is_named_in_either_encoding(
    workspace: Workspace, tmp_path: Path, encoding: str
) -> None:
    src = tmp_path / "long.csv"
    src.write_bytes(
        csv_text([good_row(1), good_row(2, memo="メモ" * MiB), good_row(3)]).encode(encoding)
    )
    p = _refused(workspace, src, encoding=encoding)
    assert p.line == 3 and "2,097,152 bytes" in p.expected
    assert "ingest.max_line_bytes" in p.expected and "メモ" not in p.expected


def test_a_value_over_the_field_limit_is_refused_with_its_start_only(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = write_csv(tmp_path / "big.csv", [good_row(1), good_row(2, memo="M" * (MiB + 1))])
    p = _refused(workspace, src)
    assert (p.line, p.column) == (3, "memo") and "ingest.max_field_bytes" in p.expected
    assert p.value is not None and len(p.value) <= 240 and "…" in p.describe()


def test_a_parquet_value_over_the_field_limit_names_its_row(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = _configured(workspace, max_field_bytes=1000)
    table = _ok_table(3).set_column(1, "memo", pa.array(["a", "b", "c" * 1001]))
    pq.write_table(table, tmp_path / "big.parquet")
    p = _refused(ws, tmp_path / "big.parquet")
    assert (p.row, p.column) == (3, "memo") and "1,000 bytes" in p.expected


# -- Parquet footer ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["struct", "list"])
def test_a_400_deep_parquet_is_refused_before_duckdb_reads_it(
    workspace: Workspace, tmp_path: Path, kind: str
) -> None:
    # DuckDB raised an internal error on it; pyarrow writes it without complaint
    value = pa.array([1], pa.int8())
    for _ in range(400):
        value = (
            pa.StructArray.from_arrays([value], names=["s"])
            if kind == "struct"
            else pa.ListArray.from_arrays(pa.array([0, 1], pa.int32()), value)
        )
    pq.write_table(pa.table({"deep": value}), tmp_path / "deep.parquet")
    p = _refused(workspace, tmp_path / "deep.parquet")
    assert "32 levels" in p.expected and "ingest.max_nesting" in p.expected


def test_nesting_within_the_limit_is_read_and_the_limit_is_configurable(
    workspace: Workspace, tmp_path: Path
) -> None:
    value = pa.array([1, 2], pa.int8())
    for _ in range(5):
        value = pa.StructArray.from_arrays([value], names=["s"])
    pq.write_table(_ok_table(2, extra=value), tmp_path / "nested.parquet")
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(
        cfg.read_text(encoding="utf-8") + '\n[mappings.t_payments]\ndrop = ["extra"]\n',
        encoding="utf-8",
    )
    snap = ingest_file(
        find_workspace(workspace.root), payments(), tmp_path / "nested.parquet", progress=False
    )
    assert snap.rows == 2
    p = _refused(_configured(workspace, max_nesting=4), tmp_path / "nested.parquet")
    assert p.column == "extra" and "4 levels" in p.expected


def test_parquet_footer_and_column_limits(workspace: Workspace, tmp_path: Path) -> None:
    extra = {f"x{i}": pa.array(["1", "2"]) for i in range(60)}
    pq.write_table(_ok_table(2, **extra), tmp_path / "wide.parquet")
    p = _refused(_configured(workspace, max_columns=50), tmp_path / "wide.parquet")
    assert "at most 50 columns; the file has 71" in p.expected
    p = _refused(_configured(workspace, max_footer_bytes=1000), tmp_path / "wide.parquet")
    assert "1,000 bytes" in p.expected and "ingest.max_footer_bytes" in p.expected


# -- JSON Lines -------------------------------------------------------------------------------


def test_a_long_json_line_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    src = tmp_path / "long.jsonl"
    lines = [good_row(1), good_row(2, memo="z" * (3 * MiB)), good_row(3)]
    src.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    p = _refused(workspace, src)
    assert p.line == 2 and "ingest.max_line_bytes" in p.expected


def test_json_keys_over_the_column_limit_are_refused(workspace: Workspace, tmp_path: Path) -> None:
    ws = _configured(workspace, max_columns=20)
    src = tmp_path / "keys.jsonl"
    # every line a different shape: 11 + 40 keys in all, never more than 12 in one object
    lines = [{**good_row(i), f"k{i}": "v"} for i in range(40)]
    src.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    p = _refused(ws, src)
    assert "at most 20 columns; the file has more" in p.expected
    assert "ingest.max_columns" in p.expected


def test_an_object_of_100000_keys_naming_one_twice_is_found_quickly(
    workspace: Workspace, tmp_path: Path
) -> None:
    # naming a key twice used to be found with list.count per key: 10^10 steps here
    keys = ", ".join(f'"k{i}": 1' for i in range(100_000))
    src = tmp_path / "twice.jsonl"
    src.write_text(
        json.dumps(good_row(1))[:-1] + ", " + keys + ', "k99999": 2}\n', encoding="utf-8"
    )
    start = time.perf_counter()
    p = _refused(_configured(workspace, max_columns=200_000), src)
    assert time.perf_counter() - start < 10
    assert (p.line, p.column) == (1, "k99999") and "once" in p.expected


def test_a_json_line_nested_too_deep_for_python_is_named_not_a_traceback(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = tmp_path / "deep.jsonl"
    src.write_text(json.dumps(good_row(1)) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n")
    p = _refused(workspace, src)
    assert p.line == 2 and "nested" in p.expected


# -- rendering --------------------------------------------------------------------------------


def test_a_huge_column_name_is_never_echoed_whole(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a 128 MB one-line CSV once spent minutes and gigabytes rendering its one column name
    src = tmp_path / "name.csv"
    names = get_contract("withdrawals").column_names
    src.write_text(",".join(names) + "," + "N" * 900_000 + "\n", encoding="utf-8")
    for extra in ([], ["--json"]):
        argv = ["kansa", "-w", str(workspace.root), "ingest", "withdrawals", str(src), *extra]
        monkeypatch.setattr("sys.argv", argv)
        with pytest.raises(SystemExit) as info:
            main()
        out, err = capsys.readouterr()
        assert info.value.code == 1
        assert "N" * 300 not in out + err and len(out + err) < 20_000


def test_problem_text_is_cut_whatever_makes_it() -> None:
    p = Problem("f.csv", 1, None, "c" * 10_000, "v" * 10_000, "e" * 10_000)
    assert len(p.column or "") <= 200 and len(p.expected) <= 500 and len(p.describe()) < 1000


# -- configuration ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "table",
    [
        'max_columns = "many"',
        "max_columns = 0",
        "max_rows = 5",
        "max_line_bytes = 100000000",
        "max_nesting = 1000",
    ],
)
def test_bad_ingest_settings_are_configuration_errors(
    workspace: Workspace, tmp_path: Path, table: str
) -> None:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + f"\n[ingest]\n{table}\n", encoding="utf-8")
    ws = find_workspace(workspace.root)
    before = tree_digest(workspace.root)
    with pytest.raises(ConfigError, match=r"ingest") as info:
        ingest_file(ws, payments(), write_csv(tmp_path / "ok.csv", [good_row(1)]), progress=False)
    assert isinstance(info.value, KansaError) and info.value.exit_code == 2
    assert tree_digest(workspace.root) == before


def test_a_long_line_inside_a_gzip_export_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    import gzip

    body = csv_text([good_row(1), good_row(2, memo="g" * (3 * MiB))])
    src = tmp_path / "export.csv.gz"
    src.write_bytes(gzip.compress(body.encode()))
    p = _refused(workspace, src)
    assert p.line == 3 and "ingest.max_line_bytes" in p.expected


def test_a_dry_run_refuses_a_long_line_too(workspace: Workspace, tmp_path: Path) -> None:
    from kansa.ingest.dryrun import check_file

    src = tmp_path / "dropped.csv"
    with src.open("wb") as f:
        f.write(csv_text([good_row(1)]).encode())
        f.write(b"P2," + b"x" * (40 * MiB))  # DuckDB would skip this line and call the file fine
    report = check_file(workspace, payments(), src)
    assert not report.ok and len(report.problems) == 1
    assert report.problems[0].line == 3 and "max_line_bytes" in report.problems[0].expected


# -- compression bombs ------------------------------------------------------------------------


def _bomb_body(rows: int) -> bytes:
    """A genuine-looking CSV that deflates about 500:1 (the same row again and again)."""
    return csv_text([good_row(1)] * rows).encode()


def test_a_gzip_bomb_is_refused_at_the_unpacked_limit(workspace: Workspace, tmp_path: Path) -> None:
    import gzip

    ws = _configured(workspace, max_unpacked_bytes=4 * MiB)
    src = tmp_path / "export.csv.gz"
    src.write_bytes(gzip.compress(_bomb_body(200_000), compresslevel=9))
    assert src.stat().st_size < MiB  # small on disk, tens of MB unpacked
    p = _refused(ws, src)
    assert "4,194,304 bytes once unpacked" in p.expected
    assert "ingest.max_unpacked_bytes" in p.expected


def test_a_zip_member_bomb_is_refused_at_the_unpacked_limit(
    workspace: Workspace, tmp_path: Path
) -> None:
    import zipfile

    ws = _configured(workspace, max_unpacked_bytes=4 * MiB)
    src = tmp_path / "exports.zip"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("payments.csv", _bomb_body(200_000))
    p = _refused(ws, src)
    assert "ingest.max_unpacked_bytes" in p.expected


def test_an_xlsx_whose_parts_declare_more_than_the_limit_is_refused_before_reading(
    workspace: Workspace, tmp_path: Path
) -> None:
    import zipfile

    ws = _configured(workspace, max_unpacked_bytes=1 * MiB)
    src = tmp_path / "staff.xlsx"
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (2 * MiB))
    p = _refused(ws, src)
    assert "ingest.max_unpacked_bytes" in p.expected


def test_an_export_under_the_unpacked_limit_still_loads(
    workspace: Workspace, tmp_path: Path
) -> None:
    import gzip

    ws = _configured(workspace, max_unpacked_bytes=4 * MiB)
    src = tmp_path / "export.csv.gz"
    src.write_bytes(gzip.compress(csv_text([good_row(i) for i in range(50)]).encode()))
    snap = ingest_file(ws, payments(), src, progress=False)
    assert snap.rows == 50

"""Bad files are refused with the file, line, column, value and what was expected, and leave
the workspace byte-for-byte as it was."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from ingest_testlib import HEADER, csv_text, good_row, payments, tree_digest, write_csv

from kansa.contracts.loader import parse_contract
from kansa.errors import KansaError
from kansa.ingest import MAX_REPORTED, InvalidData, Problem, ingest_file
from kansa.workspace import Workspace

MULTILINE = good_row(1, memo="first line\nsecond line")  # one record over physical lines 2-3


def _refuse(workspace: Workspace, src: Path, **kw: str) -> InvalidData:
    """Ingest must fail and change nothing in the workspace."""
    ingest_file(
        workspace, payments(), write_csv(src.parent / "seed.csv", [good_row(0)]), progress=False
    )
    before = tree_digest(workspace.root)
    with pytest.raises(InvalidData) as info:
        ingest_file(workspace, payments(), src, progress=False, **kw)
    assert tree_digest(workspace.root) == before
    return info.value


def _only(exc: InvalidData) -> Problem:
    assert len(exc.problems) == 1, exc.message
    return exc.problems[0]


def _text(tmp_path: Path, body: str, name: str = "bad.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(body.encode(encoding))
    return p


def test_truncated_csv_names_the_unclosed_quote(workspace: Workspace, tmp_path: Path) -> None:
    full = csv_text([MULTILINE, good_row(2, memo="cut here, please"), good_row(3)])
    cut = full[: full.index("cut here") + 3]  # the file ends inside a quoted field
    p = _only(_refuse(workspace, _text(tmp_path, cut)))
    assert (p.file, p.line) == ("bad.csv", 4)
    assert "quote" in p.expected


def test_wrong_field_count_names_the_physical_line(workspace: Workspace, tmp_path: Path) -> None:
    body = (
        csv_text([MULTILINE, good_row(2)])
        + "P3,short row\n"
        + csv_text([good_row(4)]).split("\n", 1)[1]
    )
    p = _only(_refuse(workspace, _text(tmp_path, body)))
    assert p.line == 5  # header 1, multi-line record 2-3, P2 on 4
    assert f"{len(HEADER)} fields" in p.expected and "found 2" in p.expected


def test_text_after_a_closing_quote_is_malformed(workspace: Workspace, tmp_path: Path) -> None:
    body = csv_text([good_row(1)]) + 'P2,"memo"x,1,0,0.5,1,2026-11-20T00:00:00Z,,,ok,\n'
    p = _only(_refuse(workspace, _text(tmp_path, body)))
    assert p.line == 3 and "closing quote" in p.expected


def test_cp932_file_read_as_utf8_points_at_the_line_and_suggests_cp932(
    workspace: Workspace, tmp_path: Path
) -> None:
    src = write_csv(
        tmp_path / "sjis.csv", [good_row(1), good_row(2, memo="出金")], encoding="cp932"
    )
    p = _only(_refuse(workspace, src))
    assert p.line == 3 and "UTF-8" in p.expected and "cp932" in p.expected


def test_utf8_file_read_as_cp932_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    src = write_csv(tmp_path / "u8.csv", [good_row(1), good_row(2, memo="出金依頼")])
    p = _only(_refuse(workspace, src, encoding="cp932"))
    assert p.line == 3 and "UTF-8" in p.expected


def test_undecodable_bytes_in_a_cp932_file(workspace: Workspace, tmp_path: Path) -> None:
    body = csv_text([good_row(1, memo="表"), good_row(2)]).encode("cp932")
    body = body.replace(b"memo 2", b"memo \x82\xff")  # 0x82 0xFF is no CP932 character
    src = tmp_path / "broken.csv"
    src.write_bytes(body)
    p = _only(_refuse(workspace, src, encoding="cp932"))
    assert p.line == 3 and "0x82 0xFF" in p.expected


def test_missing_and_unexpected_columns_are_listed_together(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = [h for h in HEADER if h != "status"] + ["colour"]
    exc = _refuse(workspace, write_csv(tmp_path / "cols.csv", [good_row(1)], header=header))
    by_col = {p.column: p for p in exc.problems}
    assert set(by_col) == {"status", "colour"}
    assert "missing" in by_col["status"].expected and by_col["status"].line == 1
    assert "unexpected" in by_col["colour"].expected


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("amount", "-1", "non-negative"),
        ("amount", "1.5", "whole number"),
        ("amount", "1" * 39, "38 digits"),
        ("balance", "12a", "whole number"),
        ("tries", "0", ">= 1"),
        ("tries", "9223372036854775808", "64-bit"),
        ("rate", "1.5", "<= 1"),
        ("rate", "nan", "finite"),
        ("paid_at", "2026-11-20 09:00:00", "offset"),
        ("paid_at", "2026-02-30T00:00:00Z", "ISO 8601"),
        ("value_date", "20/11/2026", "YYYY-MM-DD"),
        ("approved", "maybe", "true/false"),
        ("status", "paid", "one of ok, held"),
        ("ref", "X1", "matching"),
        ("payment_id", "", "required"),
    ],
)
def test_bad_value_names_line_column_value_and_expectation(
    workspace: Workspace, tmp_path: Path, column: str, value: str, words: str
) -> None:
    rows = [MULTILINE, good_row(2), good_row(3, **{column: value})]
    p = _only(_refuse(workspace, write_csv(tmp_path / "bad.csv", rows)))
    assert (p.file, p.line, p.row, p.column) == ("bad.csv", 5, 3, column)
    assert p.value == (value or None)
    assert words in p.expected


def test_duplicate_primary_key_reports_both_lines(workspace: Workspace, tmp_path: Path) -> None:
    rows = [MULTILINE, good_row(2), good_row(1, ref="R99")]
    p = _only(_refuse(workspace, write_csv(tmp_path / "dup.csv", rows)))
    assert (p.line, p.column, p.value) == (5, "payment_id", "P1")
    assert "line 2" in p.expected


def test_duplicate_in_a_unique_column(workspace: Workspace, tmp_path: Path) -> None:
    rows = [good_row(1), good_row(2, ref="R1"), good_row(3, ref="")]
    p = _only(_refuse(workspace, write_csv(tmp_path / "dup.csv", rows)))
    assert (p.line, p.column) == (3, "ref") and "line 2" in p.expected


def test_keys_compare_as_values_not_text(workspace: Workspace, tmp_path: Path) -> None:
    """The same instant written two ways is the same key when the key is a timestamp."""
    yaml = (
        "name: t_events\nversion: 1\ntitle: {en: x, ja: x}\ndescription: {en: x, ja: x}\n"
        "primary_key: [at]\ncolumns:\n"
        "  - {name: at, type: timestamp, description: {en: x, ja: x}}\n"
    )
    events = parse_contract(yaml, "test")
    src = _text(tmp_path, "at\n2026-01-01T09:00:00+09:00\n2026-01-01T00:00:00Z\n")
    with pytest.raises(InvalidData) as info:
        ingest_file(workspace, events, src, progress=False)
    assert _only(info.value).line == 3


def test_many_errors_show_the_first_fifty_and_count_the_rest(
    workspace: Workspace, tmp_path: Path
) -> None:
    rows = [good_row(i, status="bad", amount="-1") for i in range(100)]
    exc = _refuse(workspace, write_csv(tmp_path / "many.csv", rows))
    assert exc.total == 200 and len(exc.problems) == MAX_REPORTED
    assert [p.line for p in exc.problems[:4]] == [2, 2, 3, 3]
    assert "150 more" in exc.message


def test_bad_jsonl_line_is_named(workspace: Workspace, tmp_path: Path) -> None:
    import json

    body = (
        json.dumps(good_row(1)) + "\n\n" + '{"payment_id": "P2",\n' + json.dumps(good_row(3)) + "\n"
    )
    p = _only(_refuse(workspace, _text(tmp_path, body, "bad.jsonl")))
    assert p.line == 3


def test_jsonl_line_that_is_not_an_object(workspace: Workspace, tmp_path: Path) -> None:
    import json

    body = json.dumps(good_row(1)) + "\n[1, 2]\n"
    p = _only(_refuse(workspace, _text(tmp_path, body, "bad.jsonl")))
    assert p.line == 2 and "object" in p.expected


def test_jsonl_value_error_names_its_line(workspace: Workspace, tmp_path: Path) -> None:
    import json

    body = json.dumps(good_row(1)) + "\n\n" + json.dumps(good_row(2, amount="-3")) + "\n"
    p = _only(_refuse(workspace, _text(tmp_path, body, "bad.jsonl")))
    assert (p.line, p.column) == (3, "amount")


def test_not_a_parquet_file(workspace: Workspace, tmp_path: Path) -> None:
    p = _only(_refuse(workspace, _text(tmp_path, "not parquet", "fake.parquet")))
    assert "Parquet" in p.expected


def test_empty_file_and_duplicate_header(workspace: Workspace, tmp_path: Path) -> None:
    assert "empty" in _only(_refuse(workspace, _text(tmp_path, ""))).expected
    body = ",".join([*HEADER, "memo"]) + "\n"
    p = _only(_refuse(workspace, _text(tmp_path, body, "dup_header.csv")))
    assert p.column == "memo" and "once" in p.expected


@pytest.mark.parametrize(
    "call",
    [
        lambda ws, p: ingest_file(ws, "no_such_dataset", p, progress=False),
        lambda ws, p: ingest_file(ws, payments(), p.with_name("missing.csv"), progress=False),
        lambda ws, p: ingest_file(ws, payments(), p.with_suffix(".xls"), progress=False),
        lambda ws, p: ingest_file(ws, payments(), p, encoding="latin-1", progress=False),
    ],
)
def test_usage_errors_change_nothing(
    workspace: Workspace, tmp_path: Path, call: Callable[[Workspace, Path], object]
) -> None:
    src = write_csv(tmp_path / "ok.csv", [good_row(1)])
    src.with_suffix(".xls").write_bytes(src.read_bytes())
    before = tree_digest(workspace.root)
    with pytest.raises(KansaError) as info:
        call(workspace, src)
    assert not isinstance(info.value, InvalidData) and info.value.exit_code == 2
    assert tree_digest(workspace.root) == before


def test_running_out_of_memory_is_not_blamed_on_the_data(
    workspace: Workspace, tmp_path: Path
) -> None:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('"2GB"', '"2MB"'), encoding="utf-8")
    from kansa.workspace import find_workspace

    tiny = find_workspace(workspace.root)
    src = write_csv(tmp_path / "ok.csv", [good_row(i) for i in range(20_000)])
    before = tree_digest(workspace.root)
    with pytest.raises(KansaError, match="Out of Memory") as info:
        ingest_file(tiny, payments(), src, progress=False)
    assert not isinstance(info.value, InvalidData) and "memory_limit" in (info.value.hint or "")
    assert tree_digest(workspace.root) == before


def test_file_changed_during_ingest_is_refused(
    workspace: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kansa.ingest import pipeline

    src = write_csv(tmp_path / "growing.csv", [good_row(1)])
    real_validate = pipeline.validate

    def validate_then_append(*args: object, **kwargs: object) -> int:
        rows = real_validate(*args, **kwargs)  # type: ignore[arg-type]
        with src.open("a", encoding="utf-8") as f:  # the exporter is still writing
            f.write(csv_text([good_row(2)]).split("\n", 1)[1])
        return rows

    monkeypatch.setattr(pipeline, "validate", validate_then_append)
    before = tree_digest(workspace.root)
    with pytest.raises(KansaError, match="changed while it was being ingested"):
        ingest_file(workspace, payments(), src, progress=False)
    assert tree_digest(workspace.root) == before


def test_a_line_too_long_to_read_is_named_without_echoing_its_content(
    workspace: Workspace, tmp_path: Path
) -> None:
    secret = "C" * 2_100_000  # one value longer than DuckDB reads in a line
    body = csv_text([good_row(1), good_row(2, memo=secret)])
    p = _only(_refuse(workspace, _text(tmp_path, body)))
    assert p.line == 3 and "bytes" in p.expected
    assert "CCCCCCCC" not in p.expected and len(p.expected) < 300


def test_jsonl_object_naming_a_key_twice_is_refused(workspace: Workspace, tmp_path: Path) -> None:
    import json

    # which of the two values counts differs from tool to tool: the record is ambiguous
    twice = json.dumps(good_row(2))[:-1] + ', "payment_id": "P9"}'
    body = json.dumps(good_row(1)) + "\n" + twice + "\n"
    p = _only(_refuse(workspace, _text(tmp_path, body, "bad.jsonl")))
    assert (p.line, p.column) == (2, "payment_id") and "once" in p.expected

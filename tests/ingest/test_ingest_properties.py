"""Properties over generated files: values survive exactly, and the line named in an error is
the physical line a person finds in an editor, whatever quoted newlines and blank lines precede."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ingest_testlib import HEADER, csv_text, good_row, payments, rows_of

from kansa.ingest import InvalidData, ingest_file
from kansa.workspace import create_workspace

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# text any export might hold: delimiters, quotes, newlines, Japanese (CP932-encodable subset)
CP932_SAFE = st.sampled_from(list("abcXYZ 019,\"'\n\t;|-_.表示出金①ｶﾀｶﾅ漢字ー、。"))
memo = st.text(CP932_SAFE, max_size=12)
amount = st.integers(min_value=0, max_value=10**38 - 1)
signed = st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1)


@SETTINGS
@given(
    memos=st.lists(memo, min_size=1, max_size=8),
    amounts=st.lists(amount, min_size=8, max_size=8),
    balances=st.lists(signed, min_size=8, max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]),
)
def test_values_round_trip_exactly(
    memos: list[str], amounts: list[int], balances: list[int], encoding: str
) -> None:
    rows = [
        good_row(i, memo=m, amount=str(amounts[i]), balance=str(balances[i]))
        for i, m in enumerate(memos)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        ws = create_workspace(Path(tmp) / "ws")
        src = Path(tmp) / "gen.csv"
        src.write_bytes(csv_text(rows).encode(encoding))
        snap = ingest_file(ws, payments(), src, encoding=encoding, progress=False)
        got = rows_of(snap)
    assert [r["memo"] for r in got] == [m or None for m in memos]  # empty field reads as NULL
    assert [r["amount"] for r in got] == [Decimal(a) for a in amounts[: len(memos)]]
    assert [r["balance"] for r in got] == [Decimal(b) for b in balances[: len(memos)]]


@SETTINGS
@given(
    newlines=st.lists(st.integers(min_value=0, max_value=3), min_size=2, max_size=30),
    blanks=st.lists(st.booleans(), min_size=30, max_size=30),
    data=st.data(),
)
def test_reported_line_is_the_physical_line(
    newlines: list[int], blanks: list[bool], data: st.DataObject
) -> None:
    bad = data.draw(st.integers(min_value=0, max_value=len(newlines) - 1))
    lines = [",".join(HEADER)]
    expected_line = 0
    for i, n in enumerate(newlines):
        if blanks[i]:
            lines.append("")  # a blank line between records (DuckDB skips it)
        row = good_row(i, memo="x" + "\n" * n + "y", amount="-7" if i == bad else "1")
        if i == bad:
            expected_line = len("\n".join(lines).split("\n")) + 1
        lines.append(csv_text([row]).split("\n", 1)[1].rstrip("\n"))
    with tempfile.TemporaryDirectory() as tmp:
        ws = create_workspace(Path(tmp) / "ws")
        src = Path(tmp) / "lines.csv"
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            ingest_file(ws, payments(), src, progress=False)
        except InvalidData as exc:
            [problem] = exc.problems
        else:
            raise AssertionError("a negative amount was accepted")
    assert (problem.line, problem.row, problem.column) == (expected_line, bad + 1, "amount")

"""The line guard: the first physical line longer than a limit, found at memchr speed in the
pass that hashes the file (see :mod:`kansa.ingest.long_lines`)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.ingest.long_lines import (
    LineGuard,
    LineTooLong,
    bounded_lines,
    first_long_line,
    line_number_at,
)


def _longest_line_start(data: bytes, limit: int) -> int | None:
    start = 0
    for i in range(len(data) + 1):
        if i == len(data) or data[i] in b"\r\n":
            if i - start > limit:
                return start
            start = i + 1
    return None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.sampled_from([b"\n", b"\r", b"\r\n", b""]))),
    st.integers(1, 30),
    st.integers(1, 25),
)
def test_the_line_guard_finds_exactly_the_first_long_line(
    parts: list[tuple[int, bytes]], limit: int, block: int
) -> None:
    data = b"".join(b"x" * n + end for n, end in parts)
    guard = LineGuard(limit)
    found = None
    try:
        for i in range(0, len(data), block):
            guard.feed(data[i : i + block])
        guard.finish()
    except LineTooLong as exc:
        found = exc.offset
    assert found == _longest_line_start(data, limit)


def test_line_numbers_count_every_kind_of_line_break(tmp_path: Path) -> None:
    src = tmp_path / "mixed.txt"
    src.write_bytes(b"a\r\nb\rc\n" + b"x" * 50 + b"\nd")
    found = first_long_line(src, 10)
    assert found is not None and found.offset == 7 and line_number_at(src, found.offset) == 4


def test_bounded_lines_stop_at_a_long_line_with_its_number(tmp_path: Path) -> None:
    src = tmp_path / "lines.txt"
    src.write_bytes(b"short\n" + b"y" * 5000 + b"\nshort\n")
    seen = []
    with src.open("rb") as f:
        try:
            for line in bounded_lines(f, 100):
                seen.append(line)
        except LineTooLong as exc:
            assert exc.line == 2
        else:
            raise AssertionError("the long line was read")
    assert seen == [b"short\n"]

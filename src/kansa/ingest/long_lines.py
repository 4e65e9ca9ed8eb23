"""Find a physical line longer than a limit while the file streams past, at memchr speed.

Why: DuckDB's CSV reader silently drops a last line without a final newline once it is longer
than its 32 MiB buffer (the file is then "valid" with a row missing), and every Python walk on
the error path (``csv``, ``json``, ``for line in f``) holds a whole line in memory. So the line
length is bounded for every text input, in the pass that already hashes (or transcodes) it.

A line ends at ``\n`` or ``\r`` (DuckDB's CSV reader accepts old Mac line ends; counting
``\r`` can only make a line shorter, never hide a long one from DuckDB's own limit). A
:class:`LineGuard` is fed the file block by block. Per block it asks only a few ``bytes.find``
questions: is there a line break in each window of ``ceil((limit + 1) / 2)`` bytes?
Any line longer than the limit contains a whole window with none; when a window has none, the
exact length of the line around it is measured. A valid file costs a handful of calls per
4 MiB block.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO, AnyStr

BLOCK = 4 << 20


class LineTooLong(Exception):
    """A physical line is longer than ``limit`` bytes: the one starting at byte ``offset``, or
    (from a reader that counts lines rather than bytes) line number ``line``."""

    def __init__(self, offset: int | None, limit: int, line: int | None = None) -> None:
        super().__init__(f"a line is longer than {limit} bytes")
        self.offset = offset
        self.limit = limit
        self.line = line


class LineGuard:
    """Remembers the start of the first line longer than ``limit`` bytes (without its line
    break) in the bytes fed to it, in order."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.window = (limit + 2) // 2
        self.found: int | None = None
        self._pos = 0  # bytes fed so far
        self._run = 0  # length of the line still open at the end of what was fed

    def feed(self, block: bytes) -> None:
        """Look at the next bytes of the file; raises :class:`LineTooLong` at the first long line."""
        if self.found is None:
            self._scan(block)
        self._pos += len(block)
        if self.found is not None:
            raise LineTooLong(self.found, self.limit)

    def finish(self) -> None:
        """The end of the file: the last line may have no line break."""
        if self.found is None and self._run > self.limit:
            self.found = self._pos - self._run
        if self.found is not None:
            raise LineTooLong(self.found, self.limit)

    def _scan(self, block: bytes) -> None:
        first = _find_break(block, 0, len(block))
        if first < 0:
            self._run += len(block)
            if self._run > self.limit:
                self.found = self._pos + len(block) - self._run
            return
        if self._run + first > self.limit:
            self.found = self._pos - self._run
            return
        last = _rfind_break(block, 0, len(block))
        long_at = self._long_line_between(block, first, last)
        if long_at is not None:
            self.found = self._pos + long_at
            return
        self._run = len(block) - last - 1

    def _long_line_between(self, block: bytes, first: int, last: int) -> int | None:
        """Start of a line longer than the limit lying between the newlines at ``first`` and
        ``last`` of ``block``."""
        start = first + 1
        while start + self.window <= last:
            if _find_break(block, start, start + self.window) >= 0:
                start += self.window
                continue
            before = _rfind_break(block, first, start)  # ``first`` is a line break
            after = _find_break(block, start + self.window, last + 1)  # so is ``last``
            if after - before - 1 > self.limit:
                return before + 1
            start = after + 1
        return None


def _find_break(block: bytes, start: int, end: int) -> int:
    """Index of the first ``\n`` or ``\r`` in ``block[start:end]``, or -1."""
    n = block.find(b"\n", start, end)
    r = block.find(b"\r", start, n if n >= 0 else end)
    return r if r >= 0 else n


def _rfind_break(block: bytes, start: int, end: int) -> int:
    """Index of the last ``\n`` or ``\r`` in ``block[start:end]``, or -1."""
    n = block.rfind(b"\n", start, end)
    return max(n, block.rfind(b"\r", n + 1 if n >= 0 else start, end))


def first_long_line(path: Path, limit: int) -> LineTooLong | None:
    """The first line longer than ``limit`` bytes, or ``None``."""
    guard = LineGuard(limit)
    try:
        with path.open("rb") as f:
            while chunk := f.read(BLOCK):
                guard.feed(chunk)
        guard.finish()
    except LineTooLong as exc:
        return exc
    return None


def bounded_lines(lines: IO[AnyStr], limit: int) -> Iterator[AnyStr]:
    """The lines of an open file, each read with at most ``limit`` + 2 units of memory;
    raises :class:`LineTooLong` (with its line number) instead of reading a longer one."""
    no = 0
    while line := lines.readline(limit + 2):
        no += 1
        ends = len(line) - len(line.rstrip("\r\n" if isinstance(line, str) else b"\r\n"))
        if len(line) - ends > limit:
            raise LineTooLong(None, limit, line=no)
        yield line


def line_number_at(path: Path, offset: int) -> int:
    """The 1-based physical line that holds byte ``offset`` (``\n``, ``\r\n`` and a lone
    ``\r`` each end a line), counted block by block."""
    breaks = 0
    done = 0
    previous = b""
    with path.open("rb") as f:
        while done < offset and (chunk := f.read(min(BLOCK, offset - done))):
            pairs = chunk.count(b"\r\n") + (previous == b"\r" and chunk[:1] == b"\n")
            breaks += chunk.count(b"\n") + chunk.count(b"\r") - pairs
            done += len(chunk)
            previous = chunk[-1:]
    return breaks + 1

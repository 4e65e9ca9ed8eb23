"""The source's SHA-256, computed in a thread while DuckDB reads the file, with the line guard.

The same pass checks the length of every line (:class:`~kansa.ingest.long_lines.LineGuard`):
DuckDB silently drops an overlong last line, and a 1 GB line costs DuckDB seconds per pass.
When the guard trips it stops DuckDB's running query at once, and :meth:`Hashing.check` turns
whatever the main thread was doing into the refusal of that line (an
:class:`~kansa.ingest.problems.InvalidData` naming it). A failed ingest abandons the
hashing, so that a 5 GB file refused for its header is not read to its end.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from kansa.ingest.encoding import SourceDigest, hash_file
from kansa.ingest.long_lines import LineGuard, LineTooLong
from kansa.ingest.prechecks import line_too_long


class Hashing:
    """A source's digest: already known (the transcoding pass computed it), or on its way."""

    def check(self) -> None:
        """Refuse the file if the guard found a long line (nothing otherwise)."""

    def abandon(self) -> None:
        """The ingest failed: stop reading the file."""

    def result(self) -> SourceDigest:
        raise NotImplementedError


class Hashed(Hashing):
    def __init__(self, digest: SourceDigest) -> None:
        self._digest = digest

    def result(self) -> SourceDigest:
        return self._digest


class HashingInBackground(Hashing):
    """Hash ``path`` in ``pool``; with ``max_line``, refuse a longer line (naming it as a line of
    ``display_name``) and interrupt ``con``'s running query when one is found."""

    def __init__(
        self,
        pool: ThreadPoolExecutor,
        path: Path,
        display_name: str,
        con: duckdb.DuckDBPyConnection | None,
        max_line: int | None,
    ) -> None:
        self._tripped = threading.Event()
        self._stop = threading.Event()
        self._path = path
        self._display_name = display_name
        self._con = con
        guard = LineGuard(max_line) if max_line is not None else None
        self._future = pool.submit(self._run, path, guard)

    def _run(self, path: Path, guard: LineGuard | None) -> SourceDigest:
        try:
            return hash_file(path, None, guard, self._stop)
        except LineTooLong:
            self._tripped.set()
            if self._con is not None:
                self._con.interrupt()  # the file is refused whatever the running query finds
            raise

    def check(self) -> None:
        if self._tripped.is_set():
            self.result()

    def abandon(self) -> None:
        self._stop.set()

    def result(self) -> SourceDigest:
        try:
            return self._future.result()
        except LineTooLong as exc:
            raise line_too_long(self._display_name, self._path, exc) from None

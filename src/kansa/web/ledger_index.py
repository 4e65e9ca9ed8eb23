"""The ledger as the web app reads it: parsed once per process, then only what was appended.

The pages show a control's trail, the reports filed and the last verification, all found in
the vault's ledger. Reading and parsing the whole file on every request cost time in
proportion to the ledger, which grows with every run, ingest and page view (a year of daily
runs plus the views: tens of thousands of lines). The ledger is append-only, so each server
process keeps the entries it parsed and, on each request, reads only the bytes added since.

A ledger that was not simply appended to (another file put in its place, cut shorter, or
the last line read changed) is read again from the start. The entries are only shown, never
trusted: ``kansa verify`` checks the hash chain, as before.
"""

from __future__ import annotations

import json
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.vault import LedgerEntry
from kansa.vault.ledger import LedgerCorrupt
from kansa.vault.nofollow import open_regular


@dataclass
class _Parsed:
    """What one process has read of one ledger file."""

    identity: tuple[int, int] = (0, 0)  # (device, inode) of the file read
    offset: int = 0  # bytes consumed: up to the end of ``last_line``
    last_line: bytes = b""
    entries: list[LedgerEntry] = field(default_factory=list)
    # payload key -> value -> positions in ``entries``, built for the keys asked about
    by_key: dict[str, dict[Any, list[int]]] = field(default_factory=dict)
    last_by_kind_action: dict[tuple[str, Any], int] = field(default_factory=dict)


def _entry(no: int, raw: bytes) -> LedgerEntry:
    try:
        return LedgerEntry.from_dict(json.loads(raw.decode("utf-8")))
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError,
            AttributeError) as exc:  # fmt: skip
        raise LedgerCorrupt(no, f"not a ledger entry ({exc})") from exc


class LedgerIndex:
    """Entries of one ledger file, refreshed incrementally (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._parsed = _Parsed()

    def _still_appended_to(self, fd: int, st: os.stat_result) -> bool:
        p = self._parsed
        if (st.st_dev, st.st_ino) != p.identity or st.st_size < p.offset:
            return False
        if not p.last_line:
            return p.offset == 0
        start = p.offset - len(p.last_line)
        return os.pread(fd, len(p.last_line), start) == p.last_line

    def _refresh(self) -> _Parsed:
        try:
            fd = open_regular(self.path)
        except FileNotFoundError:
            self._parsed = _Parsed()
            return self._parsed
        try:
            st = os.fstat(fd)
            if not self._still_appended_to(fd, st):
                self._parsed = _Parsed(identity=(st.st_dev, st.st_ino))
            p = self._parsed
            if st.st_size > p.offset:
                self._consume(p, os.pread(fd, st.st_size - p.offset, p.offset))
        finally:
            os.close(fd)
        return p

    def _consume(self, p: _Parsed, data: bytes) -> None:
        end = data.rfind(b"\n")  # a last line without its newline is an append in flight
        if end < 0:
            return
        for raw in data[: end + 1].splitlines(keepends=True):
            entry = _entry(len(p.entries) + 1, raw)
            pos = len(p.entries)
            p.entries.append(entry)
            p.last_by_kind_action[(entry.kind, entry.payload.get("action"))] = pos
            for key, values in p.by_key.items():
                if key in entry.payload:
                    values[_hashable(entry.payload[key])].append(pos)
            p.last_line = raw
        p.offset += end + 1

    def entries(self) -> list[LedgerEntry]:
        """Every complete entry, in file order (a copy of the list: safe to keep)."""
        with self._lock:
            return list(self._refresh().entries)

    def about(self, kind: str, key: str, value: Any, limit: int) -> list[LedgerEntry]:
        """The newest ``limit`` entries of ``kind`` whose payload has ``key == value``,
        newest first. Walks back from the newest and stops at ``limit``: a control viewed
        thousands of times (each page of its exceptions is an entry) costs no more."""
        found: list[LedgerEntry] = []
        with self._lock:
            p = self._refresh()
            if key not in p.by_key:
                p.by_key[key] = _index(p.entries, key)
            for pos in reversed(p.by_key[key].get(_hashable(value), [])):
                if len(found) >= limit:
                    break
                if p.entries[pos].kind == kind:
                    found.append(p.entries[pos])
        return found

    def last(self, kind: str, action: Any) -> LedgerEntry | None:
        """The newest entry of ``kind`` whose payload's ``action`` is ``action``."""
        with self._lock:
            p = self._refresh()
            pos = p.last_by_kind_action.get((kind, action))
            return None if pos is None else p.entries[pos]


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | None) else repr(value)


def _index(entries: Iterable[LedgerEntry], key: str) -> dict[Any, list[int]]:
    out: dict[Any, list[int]] = defaultdict(list)
    for pos, e in enumerate(entries):
        if key in e.payload:
            out[_hashable(e.payload[key])].append(pos)
    return out


_INDEXES: dict[Path, LedgerIndex] = {}
_INDEXES_LOCK = threading.Lock()


def of(ledger_path: Path) -> LedgerIndex:
    """This process's index of the ledger at ``ledger_path``."""
    with _INDEXES_LOCK:
        return _INDEXES.setdefault(ledger_path, LedgerIndex(ledger_path))

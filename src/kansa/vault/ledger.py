"""The append-only ledger: one JSON line per entry, each carrying the hash of the one before.

Entry fields: ``seq`` (0, 1, 2...), ``time`` (UTC ISO 8601), ``kind`` (``ingest``, ``run``,
``report``, ``workpaper``, ``reserves``...), ``actor``, ``payload`` (what happened), ``outputs``
(vault-relative path -> SHA-256 of every file the entry produced), ``prev`` (hash of the previous
entry, 64 zeros for the first), ``os_user`` (the OS account that wrote it; absent in entries
written before it was recorded, so older vaults still verify) and ``hash`` = SHA-256 of the
canonical JSON of all other fields. Changing, adding, removing or reordering any byte breaks the
chain at that entry. Entry times never go backwards (an append takes the later of the clock and
the head's time; verify reports an entry older than the one before it).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.actor import current_actor, os_user
from kansa.vault.hashing import canonical_json, sha256_text
from kansa.vault.nofollow import ends_with_newline, open_regular, truncate_quietly, write_all

GENESIS = "0" * 64


@dataclass(frozen=True)
class LedgerEntry:
    seq: int
    time: str
    kind: str
    actor: str
    payload: dict[str, Any]
    outputs: dict[str, str]
    prev: str
    hash: str = field(default="")
    os_user: str | None = None

    def body(self) -> dict[str, Any]:
        body = {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "actor": self.actor,
            "payload": self.payload,
            "outputs": self.outputs,
            "prev": self.prev,
        }
        if self.os_user is not None:  # absent from entries written before it was recorded
            body["os_user"] = self.os_user
        return body

    def computed_hash(self) -> str:
        return sha256_text(canonical_json(self.body()))

    def to_line(self) -> str:
        return canonical_json({**self.body(), "hash": self.hash}) + "\n"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LedgerEntry:
        return cls(
            seq=int(d["seq"]),
            time=str(d["time"]),
            kind=str(d["kind"]),
            actor=str(d["actor"]),
            payload=dict(d["payload"]),
            outputs={str(k): str(v) for k, v in d["outputs"].items()},
            prev=str(d["prev"]),
            hash=str(d["hash"]),
            os_user=None if d.get("os_user") is None else str(d["os_user"]),
        )


class LedgerCorrupt(KansaError):
    """A line that cannot be read as an entry (``line`` is 1-based, -1 for the last line).

    A :class:`KansaError`, so that any command meeting a damaged ledger says so in one line."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(
            f"ledger line {line}: {reason}",
            hint=tr(
                "The vault's ledger is damaged; run `kansa verify` for details.",
                "証跡保管庫の台帳が破損しています。`kansa verify` で詳細を確認してください。",
            ),
        )
        self.line = line
        self.reason = reason


__all__ = ["GENESIS", "Ledger", "LedgerCorrupt", "LedgerEntry", "current_actor"]


def _later(now: str, head: LedgerEntry | None) -> str:
    """``now``, or the head's time if the clock is behind it: times never go backwards."""
    if head is None:
        return now
    try:
        behind = datetime.fromisoformat(now) < datetime.fromisoformat(head.time)
    except ValueError:
        return now
    return head.time if behind else now


_BLOCK = 1 << 16


_NOT_AN_ENTRY = (
    UnicodeDecodeError,
    json.JSONDecodeError,
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
)


def _parse(raw: bytes) -> LedgerEntry:
    """The entry on one line; raises one of :data:`_NOT_AN_ENTRY` if it is none."""
    return LedgerEntry.from_dict(json.loads(raw.decode("utf-8")))


def _complete_end(f: BinaryIO) -> int:
    """Offset just after the last newline: a final line without one is not committed."""
    pos = f.seek(0, os.SEEK_END)
    while pos > 0:
        step = min(_BLOCK, pos)
        pos -= step
        f.seek(pos)
        cut = f.read(step).rfind(b"\n")
        if cut >= 0:
            return pos + cut + 1
    return 0


def _lines_newest_first(f: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(start offset, line with its newline) of every complete line, the last first."""
    pos = _complete_end(f)
    pending = b""  # from pos to the start of the lines already given: whole lines but the first
    while pos > 0:
        step = min(_BLOCK, pos)
        pos -= step
        f.seek(pos)
        pending = f.read(step) + pending
        first = 0 if pos == 0 else pending.find(b"\n") + 1  # the first may have begun earlier
        body, pending = pending[first:], pending[:first]
        if not body:
            continue  # one line longer than the block: read on
        lines = [line + b"\n" for line in body[:-1].split(b"\n")]
        starts = [pos + first]
        for line in lines[:-1]:
            starts.append(starts[-1] + len(line))
        yield from zip(reversed(starts), reversed(lines), strict=True)


def _line_number(f: BinaryIO, start: int) -> int:
    """1-based number of the line starting at ``start`` (on the error path only)."""
    f.seek(0)
    return f.read(start).count(b"\n") + 1


def _open_read(path: Path) -> int | None:
    try:
        return open_regular(path)
    except FileNotFoundError:
        return None


def _torn_tail() -> LedgerCorrupt:
    return LedgerCorrupt(
        -1,
        tr(
            "the ledger does not end in a newline and no interrupted commit explains it; "
            "refusing to append after a torn line",
            "台帳が改行で終わっておらず、中断されたコミットでも説明できません。"
            "途切れた行の後には追記しません",
        ),
    )


class Ledger:
    """The ledger file. Appends must hold the vault lock (see :class:`kansa.vault.Vault`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Iterator[LedgerEntry]:
        """Entries in file order; raises :class:`LedgerCorrupt` on an unreadable line.

        A last line without its newline is skipped: the writer has not finished it (or was
        killed half way, which :meth:`truncate_torn_tail` cleans up under the lock).
        """
        fd = _open_read(self.path)
        if fd is None:
            return
        with os.fdopen(fd, "rb") as f:
            for no, raw in enumerate(f, start=1):
                if not raw.endswith(b"\n"):
                    return  # an append in flight (or cut short by a crash): not committed
                try:
                    entry = _parse(raw)
                except _NOT_AN_ENTRY as exc:
                    raise LedgerCorrupt(no, f"not a ledger entry ({exc})") from exc
                yield entry

    def read_newest_first(self) -> Iterator[LedgerEntry]:
        """Entries from the last to the first, read from the end of the file in blocks.

        For a reader that wants the newest entries (the current snapshot of a dataset): it
        parses only the lines after what it looks for, so its cost does not grow with the
        ledger (a year of daily loads is thousands of entries, and every ingest asks for the
        current view). A last line without its newline is skipped, as in :meth:`read`; a line
        it reaches that is not an entry raises :class:`LedgerCorrupt` with its line number.
        Checking every entry and the hash chain is ``kansa verify``'s work, as before.
        """
        fd = _open_read(self.path)
        if fd is None:
            return
        with os.fdopen(fd, "rb") as f:
            for start, raw in _lines_newest_first(f):
                try:
                    entry = _parse(raw)
                except _NOT_AN_ENTRY as exc:
                    no = _line_number(f, start)
                    raise LedgerCorrupt(no, f"not a ledger entry ({exc})") from exc
                yield entry

    def entries(self) -> list[LedgerEntry]:
        return list(self.read())

    def head(self) -> LedgerEntry | None:
        """The last entry, read from the end of the file (cheap however long the ledger)."""
        line = self._last_line()
        if line is None:
            return None
        try:
            return _parse(line)
        except _NOT_AN_ENTRY as exc:
            raise LedgerCorrupt(-1, f"the last entry is not a ledger entry ({exc})") from exc

    def _last_line(self) -> bytes | None:
        """The last complete line; a final line without its newline is an append still in
        flight (or torn by a crash) and not part of the ledger yet."""
        fd = _open_read(self.path)
        if fd is None:
            return None
        with os.fdopen(fd, "rb") as f:
            end = f.seek(0, os.SEEK_END)
            data = b""
            pos = end
            while pos > 0:
                step = min(1 << 16, pos)
                pos -= step
                f.seek(pos)
                data = f.read(step) + data
                complete = data[: data.rfind(b"\n") + 1]
                if not complete:
                    continue
                body = complete[:-1]
                cut = body.rfind(b"\n")
                if cut >= 0:
                    return body[cut + 1 :]
                if pos == 0:
                    return body
            return None

    def refuse_torn_tail(self) -> None:
        """Raise :class:`LedgerCorrupt` if the file does not end in a newline. Writers call it
        before they journal a commit, so that recovery never mistakes an old torn line (one no
        journal explains) for their own append in flight."""
        try:
            fd = open_regular(self.path)
        except FileNotFoundError:
            return
        try:
            if not ends_with_newline(fd):
                raise _torn_tail()
        finally:
            os.close(fd)

    def truncate_torn_tail(self) -> bool:
        """Drop a last line that was cut short by a crash mid-append (no final newline).

        Only :meth:`kansa.vault.Vault.recover` calls this, and only while a commit journal
        shows an append was in flight. Returns True if bytes were removed.
        """
        try:
            fd = open_regular(self.path, os.O_RDWR)
        except FileNotFoundError:
            return False
        with os.fdopen(fd, "r+b") as f:
            end = f.seek(0, os.SEEK_END)
            if end == 0:
                return False
            f.seek(end - 1)
            if f.read(1) == b"\n":
                return False
            keep = 0
            pos = end
            while pos > 0:
                step = min(1 << 16, pos)
                pos -= step
                f.seek(pos)
                chunk = f.read(step)
                cut = chunk.rfind(b"\n")
                if cut >= 0:
                    keep = pos + cut + 1
                    break
            f.truncate(keep)
            f.flush()
            os.fsync(f.fileno())
        return True

    def append(
        self,
        kind: str,
        payload: dict[str, Any],
        outputs: dict[str, str] | None = None,
        *,
        actor: str | None = None,
    ) -> LedgerEntry:
        """Append one entry and fsync; every byte is written or the file is cut back.

        Refuses a ledger that does not end in a newline (a torn line that no recovery under a
        journal explained): appending after it would damage the ledger for good. On any write
        or fsync error the file is truncated to its previous length and the error raised.
        """
        return self.append_many([(kind, payload, outputs, actor)])[0]

    def append_many(
        self, items: list[tuple[str, dict[str, Any], dict[str, str] | None, str | None]]
    ) -> list[LedgerEntry]:
        """Append several entries (kind, payload, outputs, actor), chained in order, with ONE
        fsync: all are written or none (the file is cut back on any error), as :meth:`append`.
        Many small entries written at once (the web app's page views) then cost one flush
        of the disk instead of one each."""
        fd = open_regular(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
        entries: list[LedgerEntry] = []
        try:
            if not ends_with_newline(fd):
                raise _torn_tail()
            size = os.fstat(fd).st_size
            head = self.head()
            for kind, payload, outputs, actor in items:
                now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
                draft = LedgerEntry(
                    seq=0 if head is None else head.seq + 1,
                    time=_later(now, head),
                    kind=kind,
                    actor=actor or current_actor(),
                    payload=payload,
                    outputs=dict(outputs or {}),
                    prev=GENESIS if head is None else head.hash,
                    os_user=os_user(),
                )
                head = LedgerEntry(**{**draft.body(), "hash": draft.computed_hash()})
                entries.append(head)
            try:
                write_all(fd, "".join(e.to_line() for e in entries).encode("utf-8"))
                os.fsync(fd)
            except OSError:
                truncate_quietly(fd, size)
                raise
        finally:
            os.close(fd)
        return entries

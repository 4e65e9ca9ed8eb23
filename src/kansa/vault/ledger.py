"""The append-only ledger: one JSON line per entry, each carrying the hash of the one before.

Entry fields: ``seq`` (0, 1, 2...), ``time`` (UTC ISO 8601), ``kind`` (``ingest``, ``run``,
``report``, ``workpaper``, ``reserves``...), ``actor``, ``payload`` (what happened), ``outputs``
(vault-relative path -> SHA-256 of every file the entry produced), ``prev`` (hash of the previous
entry, 64 zeros for the first) and ``hash`` = SHA-256 of the canonical JSON of all other fields.
Changing, adding, removing or reordering any byte breaks the chain at that entry.
"""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.hashing import canonical_json, sha256_text

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

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "kind": self.kind,
            "actor": self.actor,
            "payload": self.payload,
            "outputs": self.outputs,
            "prev": self.prev,
        }

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


def current_actor() -> str:
    for var in ("KANSA_ACTOR", "USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


class Ledger:
    """The ledger file. Appends must hold the vault lock (see :class:`kansa.vault.Vault`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> Iterator[LedgerEntry]:
        """Entries in file order; raises :class:`LedgerCorrupt` on an unreadable line.

        A last line without its newline is skipped: the writer has not finished it (or was
        killed half way, which :meth:`truncate_torn_tail` cleans up under the lock).
        """
        if not self.path.exists():
            return
        with self.path.open("rb") as f:
            for no, raw in enumerate(f, start=1):
                if not raw.endswith(b"\n"):
                    return  # an append in flight (or cut short by a crash): not committed
                try:
                    data = json.loads(raw.decode("utf-8"))
                    yield LedgerEntry.from_dict(data)
                except (
                    UnicodeDecodeError,
                    json.JSONDecodeError,
                    KeyError,
                    TypeError,
                    ValueError,
                    AttributeError,
                ) as exc:
                    raise LedgerCorrupt(no, f"not a ledger entry ({exc})") from exc

    def entries(self) -> list[LedgerEntry]:
        return list(self.read())

    def head(self) -> LedgerEntry | None:
        """The last entry, read from the end of the file (cheap however long the ledger)."""
        line = self._last_line()
        if line is None:
            return None
        try:
            return LedgerEntry.from_dict(json.loads(line.decode("utf-8")))
        except (
            UnicodeDecodeError,
            json.JSONDecodeError,
            KeyError,
            TypeError,
            ValueError,
            AttributeError,
        ) as exc:
            raise LedgerCorrupt(-1, f"the last entry is not a ledger entry ({exc})") from exc

    def _last_line(self) -> bytes | None:
        """The last complete line; a final line without its newline is an append still in
        flight (or torn by a crash) and not part of the ledger yet."""
        if not self.path.exists():
            return None
        with self.path.open("rb") as f:
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

    def truncate_torn_tail(self) -> bool:
        """Drop a last line that was cut short by a crash mid-append (no final newline).

        Only :meth:`kansa.vault.Vault.recover` calls this, and only while a commit journal
        shows an append was in flight. Returns True if bytes were removed.
        """
        if not self.path.exists():
            return False
        with self.path.open("r+b") as f:
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
        """Append one entry with a single write and fsync (a torn write leaves no valid entry)."""
        head = self.head()
        draft = LedgerEntry(
            seq=0 if head is None else head.seq + 1,
            time=datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z"),
            kind=kind,
            actor=actor or current_actor(),
            payload=payload,
            outputs=dict(outputs or {}),
            prev=GENESIS if head is None else head.hash,
        )
        entry = LedgerEntry(**{**draft.body(), "hash": draft.computed_hash()})
        data = entry.to_line().encode("utf-8")
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

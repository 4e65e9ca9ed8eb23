"""The vault folder: committed files plus the ledger that vouches for them.

Layout::

    vault/
      ledger.jsonl                       the hash chain (see ledger.py)
      snapshots/DATASET/SHA256.parquet   accepted ingests, addressed by content
      runs/, workpapers/, reports/ ...   files other entries produced
      .staging/                          work in progress, never evidence
      .pending.json                      intent journal of a commit in flight
      .lock                              writers' lock

A commit is all-or-nothing even if the process is killed: the intent is journalled, files are
renamed into place (atomic on one file system), then one ledger line is appended. Nothing is
visible to readers until its ledger line exists, and :meth:`Vault.recover` (run by every writer
before it starts) rolls an interrupted commit back or forward.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import Ledger, LedgerEntry

PENDING = ".pending.json"
STAGING = ".staging"
LEDGER = "ledger.jsonl"
SIGNATURES = "signatures.jsonl"
LOCK = ".lock"
# names at the vault's top level that are bookkeeping, never an output of a commit
RESERVED = frozenset({LEDGER, SIGNATURES, LOCK, PENDING, ".pending.tmp", STAGING})


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX: the directory entry is data of the directory)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_empty_parents(path: Path, root: Path) -> None:
    parent = path.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:
            return
        parent = parent.parent


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Snapshot:
    """An accepted ingest: one immutable Parquet file."""

    dataset: str
    sha256: str
    path: Path
    rows: int
    contract_version: str
    seq: int
    time: str
    payload: dict[str, Any]


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ledger = Ledger(root / LEDGER)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self) -> Iterator[list[str]]:
        """Exclusive writer lock; recovers an interrupted commit first and yields what that
        recovery removed (usually nothing)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / LOCK).open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield self.recover()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def staging_dir(self) -> Path:
        """A fresh private folder for work in progress (same file system as the vault).

        Named after this process, so that :meth:`recover` can remove it once the process is
        gone; a caller that finishes should remove it itself (or use :meth:`staging`).
        """
        d = self.root / STAGING / f"{os.getpid()}-{uuid.uuid4().hex}"
        for attempt in range(3):  # recover() may remove an empty .staging at the same moment
            try:
                d.mkdir(parents=True)
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise
        return d

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A staging folder removed on exit, success or failure, together with any parent
        folder it had to create: a failed stage leaves the workspace byte-for-byte as before."""
        created = [p for p in (self.root, self.root / STAGING) if not p.exists()]
        d = self.staging_dir()
        try:
            yield d
        finally:
            shutil.rmtree(d, ignore_errors=True)
            for p in reversed(created):
                with suppress(OSError):
                    p.rmdir()  # only if empty: another writer may be using it

    def commit(
        self,
        kind: str,
        payload: dict[str, Any],
        files: dict[str, Path] | None = None,
        *,
        hashes: dict[str, str] | None = None,
    ) -> LedgerEntry:
        """Move ``files`` (vault-relative destination -> staged path) in and append one entry.

        ``hashes`` may carry SHA-256 values the caller already computed for some destinations
        (saves a read of a large file). A destination that already exists must hold the same
        bytes (content-addressed duplicates); otherwise nothing is committed.
        """
        with self.lock():
            return self._commit_locked(kind, payload, files or {}, hashes or {})

    def _commit_locked(
        self,
        kind: str,
        payload: dict[str, Any],
        files: dict[str, Path],
        hashes: dict[str, str],
    ) -> LedgerEntry:
        outputs = {rel: hashes.get(rel) or sha256_file(src) for rel, src in files.items()}
        for rel in files:
            self._check_destination(rel, outputs[rel])
        for src in files.values():
            _fsync_file(src)  # the bytes are on disk before the ledger vouches for them
        head = self.ledger.head()
        if head is None:
            self._refuse_orphaned_evidence()
        expected_seq = 0 if head is None else head.seq + 1
        journal = {"seq": expected_seq, "files": sorted(files)}
        self._write_json_atomic(self.root / PENDING, journal)
        for rel, src in files.items():
            dest = self.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():  # content-addressed duplicate: identical bytes already there
                src.unlink()
            else:
                os.chmod(src, 0o444)
                os.replace(src, dest)
                _fsync_dir(dest.parent)
        entry = self.ledger.append(kind, payload, outputs)
        (self.root / PENDING).unlink()
        _fsync_dir(self.root)
        return entry

    def _refuse_orphaned_evidence(self) -> None:
        """No ledger but evidence files: the ledger was deleted. Starting a new chain on top
        would make the old evidence look unvouched-for and the new chain look complete."""
        for child in self.root.iterdir():
            if child.name in RESERVED:
                continue
            if child.is_file() or any(p.is_file() for p in child.rglob("*")):
                raise KansaError(
                    tr(
                        f"vault: {child.name}/ holds evidence but the ledger is missing or empty; "
                        "refusing to start a new chain over it.",
                        f"vault: {child.name}/ に証跡がありますが台帳がありません（または空です）。"
                        "新しい台帳は開始しません。",
                    ),
                    hint=tr(
                        "Restore vault/ledger.jsonl from a backup, then run `kansa verify`.",
                        "バックアップから vault/ledger.jsonl を復元し、`kansa verify` を実行してください。",
                    ),
                )

    def _check_destination(self, rel: str, digest: str) -> None:
        """Refuse paths that escape the vault, reserved names, and overwrites."""
        dest = (self.root / rel).resolve()
        root = self.root.resolve()
        parts = Path(rel).parts
        if (
            Path(rel).is_absolute()
            or ".." in parts
            or not dest.is_relative_to(root)
            or parts[0] in RESERVED
        ):
            raise KansaError(f"vault: {rel!r} is not a valid vault path")
        if dest.exists() and sha256_file(dest) != digest:
            raise KansaError(
                tr(
                    f"vault: {rel} already exists with different content; evidence is never overwritten.",
                    f"vault: {rel} は別の内容で既に存在します。証跡は上書きできません。",
                )
            )

    def commit_snapshot(self, dataset: str, staged: Path, meta: dict[str, Any]) -> Snapshot:
        """Commit an accepted ingest as ``snapshots/DATASET/SHA256.parquet``."""
        digest = sha256_file(staged)
        rel = f"snapshots/{dataset}/{digest}.parquet"
        payload = {"dataset": dataset, "sha256": digest, "file": rel, **meta}
        entry = self.commit("ingest", payload, {rel: staged}, hashes={rel: digest})
        return self._snapshot(entry)

    def recover(self) -> list[str]:
        """Roll back a commit whose ledger line was never written; clear dead staging.

        Called under the writer lock before every commit. Returns what it removed (vault-relative
        paths), so that ``kansa verify`` can say so.
        """
        removed: list[str] = []
        pending = self.root / PENDING
        (self.root / PENDING).with_suffix(".tmp").unlink(missing_ok=True)
        if pending.exists():
            self.ledger.truncate_torn_tail()
            try:
                journal = json.loads(pending.read_text(encoding="utf-8") or "{}")
            except json.JSONDecodeError:
                journal = {}
            head = self.ledger.head()
            committed = head is not None and head.seq >= int(journal.get("seq", 0))
            if not committed:
                referenced = self._referenced_files()
                for rel in journal.get("files", []):
                    if rel not in referenced and (self.root / rel).exists():
                        (self.root / rel).unlink()
                        removed.append(rel)
                        _remove_empty_parents(self.root / rel, self.root)
            pending.unlink()
        removed += self._clear_dead_staging()
        return removed

    def _clear_dead_staging(self) -> list[str]:
        """Remove staging folders whose process is gone (killed half way)."""
        staging = self.root / STAGING
        removed: list[str] = []
        if not staging.is_dir():
            return removed
        for d in staging.iterdir():
            pid = d.name.split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                shutil.rmtree(d, ignore_errors=True)
                removed.append(f"{STAGING}/{d.name}")
        with suppress(OSError):
            staging.rmdir()
        return removed

    @staticmethod
    def _write_json_atomic(path: Path, obj: Any) -> None:
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            json.dump(obj, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    # -- reading ---------------------------------------------------------------------------

    def _referenced_files(self) -> set[str]:
        return {rel for e in self.ledger.read() for rel in e.outputs}

    def _snapshot(self, e: LedgerEntry) -> Snapshot:
        p = e.payload
        return Snapshot(
            dataset=p["dataset"],
            sha256=p["sha256"],
            path=self.root / p["file"],
            rows=int(p.get("rows", 0)),
            contract_version=str(p.get("contract_version", "")),
            seq=e.seq,
            time=e.time,
            payload=p,
        )

    def snapshots(self, dataset: str | None = None) -> list[Snapshot]:
        """Every committed snapshot, oldest first."""
        return [
            self._snapshot(e)
            for e in self.ledger.read()
            if e.kind == "ingest" and (dataset is None or e.payload.get("dataset") == dataset)
        ]

    def latest(self, dataset: str) -> Snapshot | None:
        snaps = self.snapshots(dataset)
        return snaps[-1] if snaps else None

    def latest_all(self) -> dict[str, Snapshot]:
        """The newest snapshot of each dataset."""
        out: dict[str, Snapshot] = {}
        for s in self.snapshots():
            out[s.dataset] = s
        return out

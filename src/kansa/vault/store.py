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

from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import Ledger, LedgerEntry

PENDING = ".pending.json"
STAGING = ".staging"


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
        self.ledger = Ledger(root / "ledger.jsonl")

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive writer lock; also recovers an interrupted commit first."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                self.recover()
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def staging_dir(self) -> Path:
        """A fresh private folder for work in progress (same file system as the vault).

        Named after this process, so that :meth:`recover` can remove it once the process is
        gone; a caller that finishes should remove it itself (or use :meth:`staging`).
        """
        d = self.root / STAGING / f"{os.getpid()}-{uuid.uuid4().hex}"
        d.mkdir(parents=True)
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
        self, kind: str, payload: dict[str, Any], files: dict[str, Path] | None = None
    ) -> LedgerEntry:
        """Move ``files`` (vault-relative destination -> staged path) in and append one entry."""
        with self.lock():
            return self._commit_locked(kind, payload, files or {})

    def _commit_locked(
        self, kind: str, payload: dict[str, Any], files: dict[str, Path]
    ) -> LedgerEntry:
        outputs = {rel: sha256_file(src) for rel, src in files.items()}
        head = self.ledger.head()
        expected_seq = 0 if head is None else head.seq + 1
        journal = {"seq": expected_seq, "files": sorted(files)}
        self._write_json_atomic(self.root / PENDING, journal)
        for rel, src in files.items():
            dest = self.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():  # content-addressed duplicate: identical bytes already there
                src.unlink()
            else:
                os.replace(src, dest)
                os.chmod(dest, 0o444)
        entry = self.ledger.append(kind, payload, outputs)
        (self.root / PENDING).unlink()
        return entry

    def commit_snapshot(self, dataset: str, staged: Path, meta: dict[str, Any]) -> Snapshot:
        """Commit an accepted ingest as ``snapshots/DATASET/SHA256.parquet``."""
        digest = sha256_file(staged)
        rel = f"snapshots/{dataset}/{digest}.parquet"
        payload = {"dataset": dataset, "sha256": digest, "file": rel, **meta}
        entry = self.commit("ingest", payload, {rel: staged})
        return self._snapshot(entry)

    def recover(self) -> None:
        """Undo a commit whose ledger line was never written; clear stale staging."""
        pending = self.root / PENDING
        if pending.exists():
            journal = json.loads(pending.read_text(encoding="utf-8") or "{}")
            head = self.ledger.head()
            committed = head is not None and head.seq >= int(journal.get("seq", 0))
            if not committed:
                referenced = self._referenced_files()
                for rel in journal.get("files", []):
                    if rel not in referenced:
                        (self.root / rel).unlink(missing_ok=True)
            pending.unlink()
        self._clear_dead_staging()

    def _clear_dead_staging(self) -> None:
        """Remove staging folders whose process is gone (killed half way)."""
        staging = self.root / STAGING
        if not staging.is_dir():
            return
        for d in staging.iterdir():
            pid = d.name.split("-", 1)[0]
            if not (pid.isdigit() and _alive(int(pid))):
                shutil.rmtree(d, ignore_errors=True)

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

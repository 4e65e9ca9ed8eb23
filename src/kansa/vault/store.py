"""The vault folder: committed files plus the ledger that vouches for them.

Layout::

    vault/
      ledger.jsonl                       the hash chain (see ledger.py)
      snapshots/DATASET/SHA256.parquet   accepted ingests, addressed by content
      runs/, workpapers/, reports/ ...   files other entries produced
      .staging/PID-UUID/                 work in progress, never evidence
      .pending.json                      intent journal of a commit (or signature) in flight
      .lock                              writers' lock

A commit is all-or-nothing even if the process is killed: the intent is journalled, files are
renamed into place (atomic on one file system), then one ledger line is appended. Nothing is
visible to readers until its ledger line exists. :meth:`Vault.recover` rolls an interrupted
commit back or forward; writers run it under the lock (:meth:`Vault.writer`) before they write,
readers never do (``kansa verify`` only with ``--recover``).

The vault is not trusted: it may come from the audited party. A vault folder, bookkeeping file,
evidence file or folder that is a symbolic link is refused by every command, and recovery acts
only on journal entries that are plain relative paths to regular files inside the vault
(:mod:`kansa.vault.nofollow`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.actor import checked_actor, current_actor
from kansa.vault.hashing import sha256_file
from kansa.vault.ledger import Ledger, LedgerEntry
from kansa.vault.nofollow import (
    UnsafeVaultPath,
    check_no_links,
    check_no_links_all,
    lstat_or_none,
    open_regular,
    read_regular,
    refuse_link,
    relative_parts,
    remove_regular_in,
    sha256_in,
    truncate_quietly,
    write_all,
)
from kansa.vault.parts import LAYOUT, Part, read_parts
from kansa.vault.write_errors import VaultWriteError

PENDING = ".pending.json"
PENDING_TMP = ".pending.tmp"
STAGING = ".staging"
LEDGER = "ledger.jsonl"
SIGNATURES = "signatures.jsonl"
LOCK = ".lock"
# names at the vault's top level that are bookkeeping, never an output of a commit
RESERVED = frozenset({LEDGER, SIGNATURES, LOCK, PENDING, PENDING_TMP, STAGING})
# bookkeeping files that must be regular files when present
BOOKKEEPING_FILES = (LEDGER, SIGNATURES, LOCK, PENDING, PENDING_TMP)
# what staging_dir() creates: recovery removes nothing else from .staging
STAGING_NAME = re.compile(r"(\d+)-[0-9a-f]{32}")


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


class JournalRefused(UnsafeVaultPath):
    """A commit journal that is not what Kansa writes: recovery changes nothing."""

    def __init__(self, why: str) -> None:
        super().__init__(
            tr(
                f"vault: {PENDING} {why}; recovery refused, nothing was changed.",
                f"vault: {PENDING} {why}。復旧を拒否しました（何も変更していません）。",
            ),
            hint=tr(
                f"Someone other than Kansa wrote {PENDING}: inspect it, then remove it by hand.",
                f"{PENDING} は Kansa 以外が書いたものです。内容を確認してから手で削除してください。",
            ),
        )


@dataclass(frozen=True)
class Snapshot:
    """A dataset's view after an accepted ingest.

    A reference dataset: one immutable Parquet file (``path``, ``sha256``). A dated dataset
    (see :mod:`kansa.vault.parts`): ``path``/``sha256`` are its manifest's, ``parts`` the
    Parquet file of each day.
    """

    dataset: str
    sha256: str
    path: Path
    rows: int
    contract_version: str
    seq: int
    time: str
    payload: dict[str, Any]
    parts: tuple[Part, ...] = ()

    @property
    def dated(self) -> bool:
        return self.payload.get("layout") == LAYOUT

    @property
    def files(self) -> tuple[tuple[Path, str], ...]:
        """Every Parquet file of the view with the SHA-256 its ledger entry recorded."""
        if not self.dated:
            return ((self.path, self.sha256),)
        root = self.path.parents[3]  # vault/snapshots/DATASET/manifests/SHA.json
        return tuple((root / p.file, p.sha256) for p in self.parts)

    @property
    def days(self) -> tuple[dt.date, ...]:
        return tuple(p.day for p in self.parts)


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.ledger = Ledger(root / LEDGER)

    # -- safety ----------------------------------------------------------------------------

    def check_layout(self) -> None:
        """Refuse a vault whose folder, ledger, signatures, journal, lock or staging folder is a
        symbolic link (or a FIFO, a device, a folder where a file belongs...)."""
        refuse_link(self.root, "vault/", want_dir=True)
        for name in BOOKKEEPING_FILES:
            refuse_link(self.root / name, name)
        refuse_link(self.root / STAGING, STAGING, want_dir=True)

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive writer lock, and nothing else: writers use :meth:`writer`, which also
        recovers an interrupted commit."""
        self.check_layout()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = open_regular(self.root / LOCK, os.O_RDWR | os.O_CREAT)
        except OSError as exc:  # a read-only copy, a full disk: one message, exit 2
            raise VaultWriteError(LOCK, exc) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @contextmanager
    def writer(self) -> Iterator[list[str]]:
        """The writer lock, then :meth:`recover`; yields what recovery removed."""
        with self.lock():
            yield self.recover()

    @contextmanager
    def read_lock(self) -> Iterator[None]:
        """A shared lock, so a reader (``kansa verify``) never sees a commit half done; writes
        nothing: without a lock file there is no writer to wait for."""
        self.check_layout()
        try:
            fd = open_regular(self.root / LOCK)
        except (FileNotFoundError, PermissionError):  # no writer yet, or a read-only copy
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def staging_dir(self) -> Path:
        """A fresh private folder for work in progress (same file system as the vault).

        Named after this process, so that :meth:`recover` can remove it once the process is
        gone; a caller that finishes should remove it itself (or use :meth:`staging`).
        """
        refuse_link(self.root, "vault/", want_dir=True)
        d = self.root / STAGING / f"{os.getpid()}-{uuid.uuid4().hex}"
        for attempt in range(3):  # recover() may remove an empty .staging at the same moment
            refuse_link(self.root / STAGING, STAGING, want_dir=True)
            try:
                d.mkdir(parents=True)
                break
            except FileNotFoundError:
                if attempt == 2:
                    raise
            except OSError as exc:  # a full disk, a read-only copy: one message, exit 2
                raise VaultWriteError(STAGING, exc) from None
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
        actor: str | None = None,
    ) -> LedgerEntry:
        """Move ``files`` (vault-relative destination -> staged path) in and append one entry.

        ``actor``: who the entry names (default :func:`current_actor`); a service acting for a
        signed-in person passes that person's name, checked like ``$KANSA_ACTOR``.

        ``hashes`` may carry SHA-256 values the caller already computed for some destinations
        (saves a read of a large file). A destination that already exists must hold the same
        bytes (content-addressed duplicates); otherwise nothing is committed. A failed write
        (a full disk) rolls the commit back and raises :class:`VaultWriteError` (exit 2).
        """
        with self.writer():
            return self._commit_locked(kind, payload, files or {}, hashes or {}, actor)

    def commit_checked(
        self,
        kind: str,
        payload: dict[str, Any],
        files: dict[str, Path],
        check: Callable[[], None],
        hashes: dict[str, str] | None = None,
    ) -> LedgerEntry:
        """:meth:`commit`, after ``check()`` passes under the writer lock (e.g. "the view this
        commit was built on is still the latest": two writers must not both extend it)."""
        with self.writer():
            check()
            return self._commit_locked(kind, payload, files, hashes or {})

    def _commit_locked(
        self,
        kind: str,
        payload: dict[str, Any],
        files: dict[str, Path],
        hashes: dict[str, str],
        claimed: str | None = None,
    ) -> LedgerEntry:
        # an unacceptable actor is refused before anything moves
        actor = checked_actor(claimed) if claimed is not None else current_actor()
        outputs = {rel: hashes.get(rel) or sha256_file(src) for rel, src in files.items()}
        for rel in files:
            self._check_destination(rel, outputs[rel])
        for src in files.values():
            _fsync_file(src)  # the bytes are on disk before the ledger vouches for them
        self.ledger.refuse_torn_tail()
        head = self.ledger.head()
        if head is None:
            self._refuse_orphaned_evidence()
        expected_seq = 0 if head is None else head.seq + 1
        self.write_journal({"seq": expected_seq, "files": sorted(files)})
        try:
            self._move_in(files)
            entry = self.ledger.append(kind, payload, outputs, actor=actor)
        except OSError as exc:
            with suppress(OSError, KansaError):
                self.recover()  # roll back now; if that fails too, the journal stays
            raise VaultWriteError(
                LEDGER if exc.filename is None else Path(exc.filename).name, exc
            ) from None
        self.clear_journal()
        return entry

    def _move_in(self, files: dict[str, Path]) -> None:
        for rel, src in files.items():
            dest = self.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if lstat_or_none(dest) is not None:  # content-addressed duplicate, checked already
                src.unlink()
            else:
                os.chmod(src, 0o444)
                os.replace(src, dest)
                _fsync_dir(dest.parent)

    def write_journal(self, journal: dict[str, Any]) -> None:
        """Write ``.pending.json`` atomically (a full disk: exit 2, nothing changed)."""
        tmp = self.root / PENDING_TMP
        with suppress(FileNotFoundError):
            os.unlink(tmp)  # a leftover (regular file: check_layout ran under the lock)
        try:
            fd = open_regular(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            try:
                write_all(fd, json.dumps(journal).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.root / PENDING)
            _fsync_dir(self.root)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(tmp)
            raise VaultWriteError(PENDING, exc) from None

    def clear_journal(self) -> None:
        (self.root / PENDING).unlink()
        _fsync_dir(self.root)

    def _refuse_orphaned_evidence(self) -> None:
        """No ledger but evidence files: the ledger was deleted. Starting a new chain on top
        would make the old evidence look unvouched-for and the new chain look complete."""
        for child in self.root.iterdir():
            if child.name in RESERVED:
                continue
            if child.is_symlink():
                raise UnsafeVaultPath(
                    tr(
                        f"vault: {child.name} is a symbolic link; refused (a vault never "
                        "contains links).",
                        f"vault: {child.name} はシンボリックリンクです。処理を拒否しました。",
                    )
                )
            if child.is_file() or any(files for _, _, files in os.walk(child)):
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
        """Refuse paths that escape the vault, reserved names, links, and overwrites."""
        try:
            parts = relative_parts(rel)
        except UnsafeVaultPath:
            raise KansaError(f"vault: {rel!r} is not a valid vault path") from None
        if parts[0] in RESERVED:
            raise KansaError(f"vault: {rel!r} is not a valid vault path")
        check_no_links(self.root, rel)
        existing = sha256_in(self.root, rel)
        if existing is not None and existing[0] != digest:
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

    # -- recovery (writers, under the lock) -----------------------------------------------

    def recover(self) -> list[str]:
        """Roll back a commit whose ledger line was never written (or cut a signature line a
        killed ``ledger sign`` left torn); clear staging folders of dead processes.

        Call only under :meth:`lock`. Acts only on a journal Kansa could have written: every
        file it lists must be a relative path inside the vault to a regular file (or missing),
        reached without following a link; otherwise it raises :class:`JournalRefused` having
        changed nothing. Returns what it removed (vault-relative paths).
        """
        self.check_layout()
        with suppress(FileNotFoundError):
            os.unlink(self.root / PENDING_TMP)
        journal = self._read_journal()
        removed: list[str] = []
        if journal is not None:
            if "signatures_size" in journal:
                self._roll_back_signature(int(journal["signatures_size"]))
            else:
                removed += self._roll_back_commit(int(journal["seq"]), list(journal["files"]))
            self.clear_journal()
        removed += self._clear_dead_staging()
        return removed

    def _read_journal(self) -> dict[str, Any] | None:
        raw = read_regular(self.root / PENDING)
        if raw is None:
            return None
        try:
            journal = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise JournalRefused(tr("is not JSON", "は JSON ではありません")) from None
        if isinstance(journal, dict) and set(journal) == {"signatures_size"}:
            size = journal["signatures_size"]
            if isinstance(size, int) and not isinstance(size, bool) and size >= 0:
                return journal
        if not (
            isinstance(journal, dict)
            and set(journal) == {"seq", "files"}
            and isinstance(journal["seq"], int)
            and not isinstance(journal["seq"], bool)
            and journal["seq"] >= 0
            and isinstance(journal["files"], list)
        ):
            raise JournalRefused(
                tr("is not a Kansa journal", "は Kansa のジャーナルではありません")
            )
        for rel in journal["files"]:
            try:
                parts = relative_parts(rel)
                if parts[0] in RESERVED:
                    raise UnsafeVaultPath(rel)
                check_no_links(self.root, rel)
            except UnsafeVaultPath:
                raise JournalRefused(
                    tr(
                        f"lists {rel!r}, which is not a regular file inside the vault",
                        f"に {rel!r} が記載されていますが、保管庫内の通常ファイルではありません",
                    )
                ) from None
        return journal

    def _roll_back_commit(self, seq: int, files: list[str]) -> list[str]:
        self.ledger.truncate_torn_tail()
        head = self.ledger.head()
        if head is not None and head.seq >= seq:
            return []  # the ledger line was written: the commit is complete
        referenced = self._referenced_files()
        return [rel for rel in files if rel not in referenced and remove_regular_in(self.root, rel)]

    def _roll_back_signature(self, size: int) -> None:
        """Cut what a signing killed mid-append left after ``size`` bytes, if it is torn."""
        try:
            fd = open_regular(self.root / SIGNATURES, os.O_RDWR)
        except FileNotFoundError:
            return
        try:
            end = os.fstat(fd).st_size
            if end > size and os.pread(fd, 1, end - 1) != b"\n":
                truncate_quietly(fd, size)
        finally:
            os.close(fd)

    def _clear_dead_staging(self) -> list[str]:
        """Remove staging folders (named PID-UUID by :meth:`staging_dir`, real folders) whose
        process is gone; anything else in ``.staging`` is left alone."""
        staging = self.root / STAGING
        st = lstat_or_none(staging)
        if st is None or not stat.S_ISDIR(st.st_mode):
            return []
        removed: list[str] = []
        dfd = os.open(staging, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            for name in os.listdir(dfd):
                match = STAGING_NAME.fullmatch(name)
                if match is None or _alive(int(match.group(1))):
                    continue
                if not stat.S_ISDIR(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode):
                    continue
                shutil.rmtree(name, dir_fd=dfd, ignore_errors=True)
                removed.append(f"{STAGING}/{name}")
        finally:
            os.close(dfd)
        with suppress(OSError):
            staging.rmdir()
        return removed

    # -- reading ---------------------------------------------------------------------------

    def _referenced_files(self) -> set[str]:
        return {rel for e in self.ledger.read() for rel in e.outputs}

    def evidence_path(self, rel: str) -> Path:
        """``root/rel`` for reading, refusing a path outside the vault or through a link (so
        a snapshot replaced by a link to another file is never read as evidence)."""
        refuse_link(self.root, "vault/", want_dir=True)
        check_no_links(self.root, rel)
        return self.root / rel

    def snapshot_of(self, e: LedgerEntry) -> Snapshot:
        """The snapshot an ``ingest`` entry committed."""
        return self._snapshot(e)

    def _snapshot(self, e: LedgerEntry) -> Snapshot:
        p = e.payload
        parts = read_parts(self.evidence_path(p["file"])) if p.get("layout") == LAYOUT else ()
        # a day's part replaced by a link is never read as evidence
        check_no_links_all(self.root, [part.file for part in parts])
        return Snapshot(
            dataset=p["dataset"],
            sha256=p["sha256"],
            path=self.evidence_path(p["file"]),
            rows=int(p.get("rows", 0)),
            contract_version=str(p.get("contract_version", "")),
            seq=e.seq,
            time=e.time,
            payload=p,
            parts=parts,
        )

    def snapshots(self, dataset: str | None = None) -> list[Snapshot]:
        """Every committed snapshot, oldest first."""
        return [
            self._snapshot(e)
            for e in self.ledger.read()
            if e.kind == "ingest" and (dataset is None or e.payload.get("dataset") == dataset)
        ]

    def latest(self, dataset: str) -> Snapshot | None:
        return self.latest_all([dataset]).get(dataset)

    def latest_all(self, datasets: list[str] | None = None) -> dict[str, Snapshot]:
        """The newest snapshot of each dataset (only the newest entries are opened: a dated
        dataset's earlier manifests are not read)."""
        if datasets is not None:
            newest = self._newest_entries(datasets)
        else:
            newest = {}
            for e in self.ledger.read():
                if e.kind == "ingest":
                    newest[str(e.payload.get("dataset"))] = e
        return {name: self._snapshot(e) for name, e in newest.items()}

    def latest_sha256(self, dataset: str) -> str | None:
        """The hash of the dataset's newest snapshot, from its ledger entry alone (no file is
        opened): enough to tell whether another writer committed a newer view meanwhile."""
        entry = self._newest_entries([dataset]).get(dataset)
        return None if entry is None else str(entry.payload["sha256"])

    def _newest_entries(self, datasets: list[str]) -> dict[str, LedgerEntry]:
        """The newest ingest entry of each of ``datasets`` that has one, reading the ledger
        from its end and stopping once all are found (each ingest asks for its dataset's
        current view: reading the whole ledger every time made a year of daily loads
        quadratic in the number of entries)."""
        wanted = set(datasets)
        newest: dict[str, LedgerEntry] = {}
        for e in self.ledger.read_newest_first():
            name = str(e.payload.get("dataset"))
            if e.kind == "ingest" and name in wanted and name not in newest:
                newest[name] = e
                if len(newest) == len(wanted):
                    break
        return newest

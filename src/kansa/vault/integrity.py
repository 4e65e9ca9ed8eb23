"""Re-hash evidence before anything is built on it: the one read-check of every consumer.

The ledger vouches for each file by its SHA-256; a report, a reserves tree, an analytics
workpaper or an export that read a file without checking it would present edited bytes under
the ledger's name. Every consumer therefore calls :func:`require_intact` (or
:func:`require_snapshot`) on each vault file it reads, before reading it, and a file that is
missing, is not a regular file inside the vault (a symbolic link anywhere on its path), or
does not hash to the ledger's value is refused with :class:`EvidenceAltered` (exit 2): nothing
is computed, filed or written from it.

A file is hashed once per process: the result is remembered under the file's identity
(device, inode, size, modification and change times), so a consumer that checks the same
snapshot twice pays once, while any write to the file (which moves its change time) makes
the next check hash it again. What this cannot close is an edit made *between* the check and
the read by someone writing to the vault at that very moment; ``kansa verify`` afterwards,
and a signed ledger head, are the answer to that.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.nofollow import UnsafeVaultPath, check_no_links, relative_parts
from kansa.vault.store import Snapshot

_CHUNK = 1 << 20
# (real path, expected hash, dev, inode, size, mtime_ns, ctime_ns) of files found intact
_INTACT: set[tuple[str, str, int, int, int, int, int]] = set()


class EvidenceAltered(KansaError):
    """A vault file does not match the ledger entry that vouches for it."""


def _refuse(rel: str, seq: int, what_en: str, what_ja: str) -> EvidenceAltered:
    return EvidenceAltered(
        tr(
            f"vault/{rel} {what_en} (ledger entry #{seq}); refusing to use it, nothing was written.",
            f"vault/{rel} は{what_ja}（台帳エントリ #{seq}）。使用を拒否しました。何も書き込んでいません。",
        ),
        hint=tr(
            "Run `kansa verify` to see what changed in the vault.",
            "`kansa verify` で保管庫の変更箇所を確認してください。",
        ),
    )


def _inside(vault_root: Path, rel: str, seq: int) -> Path:
    """The file's path, refusing a name that leaves the vault, and a symbolic link (or
    anything but a regular file) anywhere on the way, checked without following links
    (:mod:`kansa.vault.nofollow`, shared with the vault's own readers)."""
    try:
        parts = relative_parts(rel)
    except UnsafeVaultPath:
        raise _refuse(
            rel, seq, "is not a path inside the vault", "保管庫内のパスではありません"
        ) from None
    try:
        check_no_links(vault_root, rel)
    except UnsafeVaultPath:
        raise _refuse(
            rel,
            seq,
            "is a symbolic link or not a regular file",
            "シンボリックリンク、または通常のファイルではありません",
        ) from None
    return vault_root.joinpath(*parts)


def _digest(fd: int) -> str:
    h = hashlib.sha256()
    while chunk := os.read(fd, _CHUNK):
        h.update(chunk)
    return h.hexdigest()


def require_intact(vault_root: Path, rel: str, expected: str | None, seq: int) -> Path:
    """The path of vault file ``rel`` after checking it hashes to ``expected``, the SHA-256
    that ledger entry ``seq`` records; raises :class:`EvidenceAltered` otherwise."""
    path = _inside(vault_root, rel, seq)
    if not expected:
        raise _refuse(rel, seq, "has no hash in the ledger", "台帳にハッシュがありません")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _refuse(rel, seq, "is missing", "存在しません") from None
    except OSError as exc:
        raise _refuse(
            rel, seq, f"cannot be read ({exc.strerror})", f"読み取れません（{exc.strerror}）"
        ) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(
                rel,
                seq,
                "is a symbolic link or not a regular file",
                "シンボリックリンク、または通常のファイルではありません",
            )
        key = (
            str(path),
            expected,
            st.st_dev,
            st.st_ino,
            st.st_size,
            st.st_mtime_ns,
            st.st_ctime_ns,
        )
        if key in _INTACT:
            return path
        found = _digest(fd)
    finally:
        os.close(fd)
    if found != expected:
        raise _refuse(
            rel,
            seq,
            f"does not match its ledger entry: SHA-256 {found[:16]}..., "
            f"the ledger says {expected[:16]}...",
            f"台帳エントリと一致しません: SHA-256 {found[:16]}...、台帳は {expected[:16]}...",
        )
    _INTACT.add(key)
    return path


def snapshot_file(snap: Snapshot) -> str:
    """A snapshot's vault-relative file name, as its ledger entry records it."""
    return str(snap.payload.get("file") or f"snapshots/{snap.dataset}/{snap.sha256}.parquet")


def require_snapshot(snap: Snapshot) -> Path:
    """The snapshot's file after checking its bytes against its ``ingest`` entry (a dated
    dataset's manifest, and then each day's part it lists: read them as ``snap.files``)."""
    rel = snapshot_file(snap)
    parts = Path(rel).parts
    if Path(rel).is_absolute() or ".." in parts or len(snap.path.parts) <= len(parts):
        raise _refuse(
            rel, snap.seq, "is not a path inside the vault", "保管庫内のパスではありません"
        )
    root = Path(*snap.path.parts[: -len(parts)])
    checked = require_intact(root, rel, snap.sha256, snap.seq)
    for part in snap.parts:  # a dated dataset: its manifest, then every day's part
        require_intact(root, part.file, part.sha256, snap.seq)
    return checked


def require_snapshots(snaps: Iterable[Snapshot]) -> None:
    """Check every snapshot (in dataset order, so the first refusal is the same each time)."""
    for snap in sorted(snaps, key=lambda s: s.dataset):
        require_snapshot(snap)

"""Open, hash and remove files inside the vault without ever following a symbolic link.

A vault may come from someone else (the audited party hands over a workspace), so nothing in it
is trusted to point where it seems to. Every path the tool reads, truncates or deletes in it is
reached one component at a time with ``O_NOFOLLOW`` relative to the folder above (POSIX
``openat(2)``), so a link planted anywhere cannot make Kansa read, truncate or delete a file
outside; ``O_NONBLOCK`` and an ``fstat`` that must say "regular file" keep a FIFO or a device in
place of a file from hanging or feeding it. Writes go through :func:`write_all`, which loops on
short writes (a full disk returns fewer bytes than asked before it raises ``ENOSPC``).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import tr

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_CHUNK = 1 << 20


class UnsafeVaultPath(KansaError):
    """A vault path that is a symbolic link, not the kind of file expected, or outside the vault.

    Exit code 2 (bad input), never 1 (which means "controls failed" / "not intact")."""


def _link_refused(where: str) -> UnsafeVaultPath:
    return UnsafeVaultPath(
        tr(
            f"vault: {where} is a symbolic link or not a plain file/folder; refused "
            "(a vault never contains links).",
            f"vault: {where} はシンボリックリンク、または通常のファイル・フォルダではありません。"
            "処理を拒否しました（証跡保管庫にリンクは置けません）。",
        ),
        hint=tr(
            "Run `kansa verify` to see every problem with this vault.",
            "`kansa verify` で証跡保管庫の問題を確認してください。",
        ),
    )


def relative_parts(rel: str) -> tuple[str, ...]:
    """The components of a vault-relative path; refuses absolute paths, ``..``, ``.`` and empty
    components (so a journal or ledger naming ``../kansa.toml`` or ``/etc/x`` is rejected)."""
    if not isinstance(rel, str) or not rel or "\\" in rel or "\x00" in rel:
        raise UnsafeVaultPath(
            tr(f"vault: {rel!r} is not a vault path", f"vault: {rel!r} は不正なパスです")
        )
    parts = tuple(rel.split("/"))
    # a POSIX path is absolute when it starts with "/" (no PurePosixPath: this runs for every
    # part of a dated view on every read of it)
    if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise UnsafeVaultPath(
            tr(
                f"vault: {rel!r} is not a path inside the vault",
                f"vault: {rel!r} は証跡保管庫の中のパスではありません",
            )
        )
    return parts


def lstat_or_none(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def refuse_link(path: Path, where: str, *, want_dir: bool = False) -> None:
    """Raise unless ``path`` is missing, or is a real folder (``want_dir``) / a regular file."""
    st = lstat_or_none(path)
    if st is None:
        return
    ok = stat.S_ISDIR(st.st_mode) if want_dir else stat.S_ISREG(st.st_mode)
    if not ok:
        raise _link_refused(where)


@contextmanager
def _dir_chain(root: Path, parts: tuple[str, ...]) -> Iterator[list[int]]:
    """Open ``root`` and each folder in ``parts`` without following links; yields the fds
    (root first). Raises FileNotFoundError when one is missing, UnsafeVaultPath on a link."""
    fds: list[int] = []
    try:
        try:
            fds.append(os.open(root, _DIR_FLAGS))
            for name in parts:
                fds.append(os.open(name, _DIR_FLAGS, dir_fd=fds[-1]))
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _link_refused("/".join(parts) or root.name) from None
            raise
        yield fds
    finally:
        for fd in reversed(fds):
            os.close(fd)


def lstat_in(root: Path, rel: str) -> os.stat_result | None:
    """``lstat`` of ``root/rel`` reached without following links (None when missing)."""
    parts = relative_parts(rel)
    try:
        with _dir_chain(root, parts[:-1]) as fds:
            return os.stat(parts[-1], dir_fd=fds[-1], follow_symlinks=False)
    except FileNotFoundError:
        return None


def check_no_links(root: Path, rel: str) -> None:
    """Raise if any component of ``root/rel`` is a link, or the last one exists but is not a
    regular file. A missing file is fine (callers say "missing" in their own words)."""
    st = lstat_in(root, rel)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise _link_refused(rel)


def check_no_links_all(root: Path, rels: Iterable[str]) -> None:
    """:func:`check_no_links` for many paths, each folder opened once (without following a
    link) however many files it holds: a dated dataset's manifest names one part per day, and
    every read of its view checks them all."""
    by_folder: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for rel in rels:
        parts = relative_parts(rel)
        by_folder.setdefault(parts[:-1], []).append((parts[-1], rel))
    opened: dict[tuple[str, ...], int] = {}
    try:
        for folder, files in by_folder.items():
            try:
                fd = _open_folder(root, folder, opened)
            except FileNotFoundError:
                continue  # missing files are fine here, as in check_no_links
            for name, rel in files:
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISREG(st.st_mode):
                    raise _link_refused(rel)
    finally:
        for fd in opened.values():
            os.close(fd)


def _open_folder(root: Path, folder: tuple[str, ...], opened: dict[tuple[str, ...], int]) -> int:
    """The fd of ``root/folder``, each component opened with ``O_NOFOLLOW`` below the one
    above it and kept in ``opened`` for the next path that shares it."""
    for depth in range(len(folder) + 1):
        prefix = folder[:depth]
        if prefix in opened:
            continue
        try:
            if depth == 0:
                opened[prefix] = os.open(root, _DIR_FLAGS)
            else:
                opened[prefix] = os.open(prefix[-1], _DIR_FLAGS, dir_fd=opened[prefix[:-1]])
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise _link_refused("/".join(prefix) or root.name) from None
            raise
    return opened[folder]


def remove_regular_in(root: Path, rel: str) -> bool:
    """Delete the regular file ``root/rel`` and any folders it leaves empty; never follows a
    link. Returns False when it is not there; raises UnsafeVaultPath when it is not a file."""
    parts = relative_parts(rel)
    try:
        with _dir_chain(root, parts[:-1]) as fds:
            st = os.stat(parts[-1], dir_fd=fds[-1], follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                raise _link_refused(rel)
            os.unlink(parts[-1], dir_fd=fds[-1])
            os.fsync(fds[-1])
            for depth in range(len(parts) - 1, 0, -1):  # empty parents, deepest first
                try:
                    os.rmdir(parts[depth - 1], dir_fd=fds[depth - 1])
                except OSError:
                    break
    except FileNotFoundError:
        return False
    return True


def open_regular(path: Path, flags: int = os.O_RDONLY, mode: int = 0o644) -> int:
    """``os.open`` that refuses a link (or FIFO, device, folder) as the last component."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EISDIR, errno.ENXIO):
            raise _link_refused(path.name) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _link_refused(path.name)
    return fd


def read_regular(path: Path) -> bytes | None:
    """The bytes of a regular file (None when missing), refusing a link."""
    try:
        fd = open_regular(path)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as f:
        return f.read()


def sha256_in(root: Path, rel: str) -> tuple[str, int] | None:
    """(SHA-256, size) of the regular file ``root/rel``; None if it is missing, a link, or
    anything but a regular file (verify reports that as "not a regular file")."""
    parts = relative_parts(rel)
    try:
        with _dir_chain(root, parts[:-1]) as fds:
            fd = os.open(
                parts[-1],
                os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC,
                dir_fd=fds[-1],
            )
    except (OSError, UnsafeVaultPath):
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            return None
        h = hashlib.sha256()
        size = 0
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
        return h.hexdigest(), size


def write_all(fd: int, data: bytes) -> None:
    """Write every byte or raise: ``os.write`` may write fewer bytes than asked (a full disk
    writes up to the last free block, then fails on the next call)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        if n <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        view = view[n:]


def truncate_quietly(fd: int, size: int) -> None:
    """Cut a file back to ``size`` after a failed append (best effort: the journal stays)."""
    with suppress(OSError):
        os.ftruncate(fd, size)
        os.fsync(fd)


def ends_with_newline(fd: int) -> bool:
    """Whether the file open at ``fd`` (readable) is empty or ends in ``\\n``."""
    size = os.fstat(fd).st_size
    return size == 0 or os.pread(fd, 1, size - 1) == b"\n"

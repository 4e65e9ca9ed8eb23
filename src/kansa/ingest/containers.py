"""Input that wraps the rows: ``.csv.gz`` (and ``.jsonl.gz``), a ``.zip`` of CSVs, an ``.xlsx``.

Each is unpacked into the private staging folder as the plain file it holds, which then goes
through the ordinary reader (encoding, CSV checks, line numbers). The hash recorded is always of
the file the user gave. A ``.zip`` holds several exports more often than not: the member is
chosen by name or pattern (``member`` in the mapping) and must be exactly one; problems name
``archive.zip:member.csv``. An Excel sheet is chosen by name (``sheet``), and problems name its
row numbers.
"""

from __future__ import annotations

import fnmatch
import gzip
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest.formats import detect_format
from kansa.ingest.limits import refuse
from kansa.ingest.problems import InvalidData, file_problem
from kansa.ingest.xlsx import sheet_to_csv

CHUNK = 1 << 20


@dataclass(frozen=True)
class Container:
    """How to get the plain file out of ``kind`` (``gzip``, ``zip``, ``xlsx``)."""

    kind: str
    display_name: str
    member: str | None = None
    sheet: str | None = None

    def record(self) -> dict[str, str]:
        """What the ledger entry says about it."""
        out = {"kind": self.kind}
        if self.member is not None:
            out["member"] = self.member
        if self.sheet is not None:
            out["sheet"] = self.sheet
        return out


@dataclass(frozen=True)
class Unpacked:
    path: Path
    sheet_rows: tuple[int, ...] | None = None


def detect(
    path: Path, fmt: str | None, member: str | None, sheet: str | None
) -> tuple[Container | None, str]:
    """The container of ``path`` (None for a plain file) and the format of what it holds."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        inner = detect_format(Path(path.stem), fmt)
        return (Container("gzip", path.name) if _gzipped(path) else None), inner
    if suffix == ".xlsx":
        return Container(
            "xlsx", f"{path.name}[{sheet}]" if sheet else path.name, sheet=sheet
        ), "csv"
    if suffix == ".zip":
        chosen = _member(path, member)
        return (
            Container("zip", f"{path.name}:{chosen}", member=chosen),
            detect_format(Path(PurePosixPath(chosen).name), fmt),
        )
    return None, detect_format(path, fmt)


def _gzipped(path: Path) -> bool:
    """A ``.gz`` name on a file that is not gzip (RFC 1952 magic 1f 8b) is read as it is."""
    with path.open("rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _member(path: Path, pattern: str | None) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = [i.filename for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise file_problem(
            path.name, tr(f"a ZIP archive ({exc})", f"ZIP アーカイブ（{exc}）")
        ) from None
    if pattern is None:
        matches = names
    else:
        matches = [
            n
            for n in names
            if fnmatch.fnmatchcase(n, pattern)
            or fnmatch.fnmatchcase(PurePosixPath(n).name, pattern)
        ]
    if len(matches) == 1:
        return matches[0]
    raise KansaError(
        tr(
            f"{path.name}: {len(matches)} members match {pattern or '*'}; one is needed. "
            f"Members: {', '.join(names)}",
            f"{path.name}: {pattern or '*'} に一致するファイルが {len(matches)} 個あります（1 個必要）。"
            f"内容: {', '.join(names)}",
        ),
        hint=tr(
            'Name it with member = "..." in kansa.toml mappings.DATASET (or --member).',
            'kansa.toml の mappings.DATASET に member = "..." を設定してください（または --member）。',
        ),
    )


def unpack(container: Container, src: Path, staging: Path, fmt: str, max_bytes: int) -> Unpacked:
    """Write the plain file ``container`` holds into ``staging``, at most ``max_bytes`` of it
    (a compression bomb is refused with the limit named, not left to fill the disk)."""
    dest = staging / f"unpacked.{fmt}"
    if container.kind == "xlsx":
        _check_declared_size(src, container.display_name, max_bytes)
        rows = sheet_to_csv(src, container.sheet, dest, container.display_name)
        return Unpacked(dest, rows)
    try:
        if container.kind == "gzip":
            with gzip.open(src, "rb") as f, dest.open("wb") as out:
                _copy_bounded(f, out, container.display_name, max_bytes)
        else:
            assert container.member is not None
            with zipfile.ZipFile(src) as zf, zf.open(container.member) as f, dest.open("wb") as out:
                _copy_bounded(f, out, container.display_name, max_bytes)
    except (gzip.BadGzipFile, EOFError, zlib.error, zipfile.BadZipFile) as exc:
        what = "gzip" if container.kind == "gzip" else "ZIP"
        raise file_problem(
            container.display_name,
            tr(f"a readable {what} file ({exc})", f"読み取り可能な {what} ファイル（{exc}）"),
        ) from None
    return Unpacked(dest)


def _copy_bounded(
    src: IO[bytes] | gzip.GzipFile, out: IO[bytes], name: str, max_bytes: int
) -> None:
    written = 0
    while chunk := src.read(CHUNK):
        written += len(chunk)
        if written > max_bytes:
            raise _too_big(name, max_bytes)
        out.write(chunk)


def _check_declared_size(path: Path, name: str, max_bytes: int) -> None:
    """An ``.xlsx`` is a ZIP: the sizes its members declare bound what reading it can unpack
    (Python's zipfile stops each member at its declared size and then fails its CRC check)."""
    try:
        with zipfile.ZipFile(path) as zf:
            declared = sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a readable ZIP: the Excel reader says so with its own message
    if declared > max_bytes:
        raise _too_big(name, max_bytes)


def _too_big(name: str, max_bytes: int) -> InvalidData:
    return refuse(
        name,
        "max_unpacked_bytes",
        tr(
            f"at most {max_bytes:,} bytes once unpacked (a compression bomb, or a bigger export)",
            f"展開後 {max_bytes:,} バイト以下（圧縮爆弾、またはそれより大きいエクスポート）",
        ),
    )

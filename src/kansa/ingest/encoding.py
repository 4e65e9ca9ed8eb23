"""Text encodings: transcode CP932/Shift_JIS to UTF-8 in one streaming pass, and find the exact
line of any byte that does not decode.

DuckDB reads UTF-8 only (no CP932 reader without a network extension), so a Japanese export is
rewritten as UTF-8 into the staging folder, one block of whole lines at a time: memory stays at
one block whatever the file size. Splitting at ``\\n`` is safe because neither UTF-8 nor CP932
ever uses byte 0x0A inside a multi-byte character (CP932 trail bytes are 0x40-0x7E, 0x80-0xFC).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kansa.i18n import tr
from kansa.ingest.formats import UTF8_BOM, python_codec
from kansa.ingest.long_lines import BLOCK, LineGuard
from kansa.ingest.problems import InvalidData, Problem


@dataclass(frozen=True)
class SourceDigest:
    sha256: str
    size: int


def line_blocks(
    path: Path, max_line: int, on_bytes: Callable[[int], None] | None = None
) -> Iterator[bytes]:
    """The file in blocks that each end at a line break (the last may not).

    A line longer than ``max_line`` bytes raises
    :class:`~kansa.ingest.long_lines.LineTooLong` as soon as it is seen, so a block never
    holds more than one read plus one line."""
    guard = LineGuard(max_line)
    done = 0
    with path.open("rb") as f:
        tail = b""
        while chunk := f.read(BLOCK):
            guard.feed(chunk)
            done += len(chunk)
            data = tail + chunk
            cut = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
            if cut == 0:
                tail = data
                continue
            tail = data[cut:]
            yield data[:cut]
            if on_bytes:
                on_bytes(done)
        guard.finish()
        if tail:
            yield tail


class Abandoned(Exception):
    """Hashing stopped because the ingest it served already failed."""


def hash_file(
    path: Path,
    on_bytes: Callable[[int], None] | None = None,
    guard: LineGuard | None = None,
    stop: threading.Event | None = None,
) -> SourceDigest:
    """SHA-256 and size of the file; with a ``guard``, also refuses a line that is too long
    (raising :class:`~kansa.ingest.long_lines.LineTooLong`) in the same pass. Setting ``stop``
    abandons the pass (a refused file is not read to its end)."""
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(BLOCK):
            if stop is not None and stop.is_set():
                raise Abandoned()
            h.update(chunk)
            size += len(chunk)
            if guard is not None:
                guard.feed(chunk)
            if on_bytes:
                on_bytes(size)
    if guard is not None:
        guard.finish()
    return SourceDigest(h.hexdigest(), size)


def _bad_bytes(block: bytes, start: int) -> str:
    return " ".join(f"0x{b:02X}" for b in block[start : start + 2])


def _decode_problem(
    name: str, lines_before: int, block: bytes, exc: UnicodeDecodeError, encoding: str
) -> Problem:
    line = lines_before + block.count(b"\n", 0, exc.start) + 1
    return Problem(
        name,
        line,
        None,
        None,
        None,
        tr(
            f"text in {encoding}, but bytes {_bad_bytes(block, exc.start)} do not decode",
            f"{encoding} の文字列ですが、バイト {_bad_bytes(block, exc.start)} を解読できません",
        ),
    )


_UTF8_WIDE_LEAD = re.compile(rb"[\xe0-\xf4]")


def _looks_like_utf8(block: bytes) -> bool:
    """True if the block is valid UTF-8 holding 3- or 4-byte characters (Japanese in UTF-8).

    A CP932 block of any length is almost never valid UTF-8; half-width katakana alone
    (single bytes 0xA1-0xDF) can be, so those do not count as evidence.
    """
    if not _UTF8_WIDE_LEAD.search(block):
        return False
    try:
        block.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a block may end inside a character only at end of file; anything else is not UTF-8
        return exc.reason == "unexpected end of data"
    return True


def transcode_to_utf8(
    src: Path,
    dest: Path,
    encoding: str,
    display_name: str,
    max_line: int,
    on_bytes: Callable[[int], None] | None = None,
) -> SourceDigest:
    """Rewrite ``src`` (CP932) as UTF-8 at ``dest``, hashing the original on the way; a line
    longer than ``max_line`` bytes stops it (:class:`~kansa.ingest.long_lines.LineTooLong`)."""
    codec = python_codec(encoding)
    h = hashlib.sha256()
    size = 0
    lines = 0
    checked_utf8 = False

    def count(n: int) -> None:
        if on_bytes:
            on_bytes(n)

    with dest.open("wb") as out:
        for block in line_blocks(src, max_line, count):
            h.update(block)
            size += len(block)
            if not checked_utf8 and not block.isascii():
                checked_utf8 = True
                if _looks_like_utf8(block):
                    raise _utf8_not_cp932(display_name, encoding, lines, block)
            try:
                text = block.decode(codec)
            except UnicodeDecodeError as exc:
                raise InvalidData(
                    display_name, [_decode_problem(display_name, lines, block, exc, encoding)]
                ) from None
            out.write(text.encode("utf-8"))
            lines += block.count(b"\n")
    return SourceDigest(h.hexdigest(), size)


def _utf8_not_cp932(name: str, encoding: str, lines: int, block: bytes) -> InvalidData:
    first = next(i for i, b in enumerate(block) if b >= 0x80)
    line = lines + block.count(b"\n", 0, first) + 1
    return InvalidData(
        name,
        [
            Problem(
                name,
                line,
                None,
                None,
                None,
                tr(
                    f"text in {encoding}, but the file is UTF-8 (it would turn into mojibake); "
                    "pass --encoding utf-8",
                    f"{encoding} の文字列のはずが、このファイルは UTF-8 です（文字化けします）。"
                    "--encoding utf-8 を指定してください",
                ),
            )
        ],
    )


def first_invalid_utf8(path: Path, display_name: str, max_line: int) -> InvalidData | None:
    """The first line that is not UTF-8, with a hint when the file is really CP932."""
    lines = 0
    for i, block in enumerate(line_blocks(path, max_line)):
        data = block[3:] if i == 0 and block.startswith(UTF8_BOM) else block
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            problem = _decode_problem(display_name, lines, data, exc, "UTF-8")
            if _decodes_as_cp932(data):
                problem = Problem(
                    problem.file,
                    problem.line,
                    None,
                    None,
                    None,
                    problem.expected
                    + tr(
                        "; the file looks like Shift_JIS/CP932: pass --encoding cp932",
                        "。Shift_JIS/CP932 のようです。--encoding cp932 を指定してください",
                    ),
                )
            return InvalidData(display_name, [problem])
        lines += block.count(b"\n")
    return None


def _decodes_as_cp932(block: bytes) -> bool:
    try:
        block.decode("cp932")
    except UnicodeDecodeError:
        return False
    return True

"""Derivation paths inside key expressions: origins ``[fingerprint/path]``, steps, ``/*`` and
BIP 389 multipath steps ``/<a;b>``.

Grammar (BIP 380 "Key Expressions", BIP 389 "Specification"): a step is a decimal NUM below
2^31, optionally followed by a hardened marker. BIP 380's text names ``h``, ``H`` and ``'`` as
markers, but its own test vectors refuse ``[deadbeef/0H/0H/0H]`` and Bitcoin Core accepts only
``h`` and ``'``; we follow the vectors and Core.
"""

from __future__ import annotations

from dataclasses import dataclass

from kansa.custody.bip32 import HARDENED, format_path
from kansa.custody.cursor import Cursor

HARDENED_MARKERS = ("h", "'")


@dataclass(frozen=True)
class KeyOrigin:
    """``[fingerprint/path]``: where the key sits under its master key."""

    fingerprint: bytes
    path: tuple[int, ...]

    def text(self) -> str:
        return f"[{self.fingerprint.hex()}{format_path(self.path)}]"


@dataclass(frozen=True)
class PathSpec:
    """Steps after an extended key: ``before / <multipath> / after / *``."""

    before: tuple[int, ...] = ()
    multipath: tuple[int, ...] | None = None
    after: tuple[int, ...] = ()
    wildcard: str | None = None  # None, "unhardened" or "hardened"

    def fixed_path(self, branch: int) -> tuple[int, ...]:
        """The steps taken before the wildcard, for one branch of a multipath step."""
        middle = () if self.multipath is None else (self.multipath[branch],)
        return self.before + middle + self.after

    def collapse(self, branch: int) -> PathSpec:
        """The single-path steps of one multipath branch (BIP 389 expansion)."""
        if self.multipath is None:
            return self
        return PathSpec(self.fixed_path(branch), None, (), self.wildcard)

    def text(self) -> str:
        out = format_path(self.before)
        if self.multipath is not None:
            out += "/<" + ";".join(format_path((i,))[1:] for i in self.multipath) + ">"
        out += format_path(self.after)
        if self.wildcard == "unhardened":
            out += "/*"
        elif self.wildcard == "hardened":
            out += "/*h"
        return out


def parse_index(text: str, pos: int, cur: Cursor) -> int:
    """One ``NUM`` or ``NUMh`` step; ``pos`` is where ``text`` starts in the descriptor."""
    if not text:
        raise cur.error("empty derivation step (a '/' must be followed by a number)", pos)
    hardened = text[-1] in HARDENED_MARKERS
    digits = text[:-1] if hardened else text
    if text[-1] == "H":
        raise cur.error(
            f"invalid hardened marker in {text!r}: use 'h' or \"'\" (BIP 380 test vectors "
            "refuse 'H')",
            pos + len(text) - 1,
        )
    if not digits.isdigit() or not digits.isascii():
        raise cur.error(f"invalid derivation index {text!r}: expected NUM, NUMh or NUM'", pos)
    value = int(digits)
    if value >= HARDENED:
        raise cur.error(
            f"derivation index {digits} out of range (at most {HARDENED - 1}; mark hardened "
            "steps with h)",
            pos,
        )
    return value + HARDENED if hardened else value


def parse_origin(cur: Cursor) -> KeyOrigin:
    """``[`` 8 hex digits, ``/NUM[h]`` steps, ``]``; the cursor stands on ``[``."""
    open_pos = cur.pos
    cur.expect("[")
    start, body = cur.take_until("]")
    if cur.peek() != "]":
        raise cur.error("key origin opened with '[' is never closed with ']'", open_pos)
    cur.pos += 1
    fp_text, *steps = body.split("/")
    if len(fp_text) != 8 or not _is_hex(fp_text):
        raise cur.error(
            f"key origin fingerprint must be exactly 8 hex characters, found {fp_text!r}", start
        )
    path: list[int] = []
    offset = start + len(fp_text) + 1
    for step in steps:
        if step.startswith("*"):
            raise cur.error("'*' (children) is not allowed in a key origin", offset)
        if step.startswith("<"):
            raise cur.error("a multipath step '<…>' is not allowed in a key origin", offset)
        path.append(parse_index(step, offset, cur))
        offset += len(step) + 1
    return KeyOrigin(bytes.fromhex(fp_text), tuple(path))


def parse_steps(parts: list[tuple[int, str]], cur: Cursor) -> PathSpec:
    """The ``/``-separated steps after an extended key; ``parts`` are (position, text)."""
    before: list[int] = []
    after: list[int] = []
    multipath: tuple[int, ...] | None = None
    wildcard: str | None = None
    for pos, part in parts:
        if wildcard is not None:
            raise cur.error("'*' must be the last derivation step", pos - 1)
        if part.startswith("*"):
            wildcard = _wildcard(part, pos, cur)
        elif part.startswith("<") or part.endswith(">"):
            if multipath is not None:
                raise cur.error("only one multipath step '<…>' is allowed per key (BIP 389)", pos)
            multipath = _multipath(part, pos, cur)
        else:
            (before if multipath is None else after).append(parse_index(part, pos, cur))
    return PathSpec(tuple(before), multipath, tuple(after), wildcard)


def _wildcard(part: str, pos: int, cur: Cursor) -> str:
    if part == "*":
        return "unhardened"
    if part in ("*h", "*'"):
        return "hardened"
    raise cur.error(f"invalid wildcard step {part!r}: expected '*', '*h' or \"*'\"", pos)


def _multipath(part: str, pos: int, cur: Cursor) -> tuple[int, ...]:
    """``<NUM;NUM;...>`` with at least two distinct values (BIP 389)."""
    if not part.startswith("<"):
        raise cur.error("multipath step closed with '>' but not opened with '<'", pos)
    if not part.endswith(">"):
        raise cur.error("multipath step opened with '<' is never closed with '>'", pos)
    items = part[1:-1].split(";")
    if len(items) < 2:
        raise cur.error("a multipath step needs at least two values, as in '<0;1>'", pos)
    values: list[int] = []
    offset = pos + 1
    for item in items:
        value = parse_index(item, offset, cur)
        if value in values:
            raise cur.error(f"duplicate value {item!r} in multipath step (BIP 389)", offset)
        values.append(value)
        offset += len(item) + 1
    return tuple(values)


def _is_hex(text: str) -> bool:
    return bool(text) and all(c in "0123456789abcdefABCDEF" for c in text)

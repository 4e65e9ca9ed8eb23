"""The byte-level rules of the proof-of-reserves format (version 1), in plain Python.

These are the definitions an independent verifier re-implements (docs/reserves.md):

* ``enc(v)``: an unsigned integer ``0 <= v < 2**128`` as 16 bytes big-endian; a vector is the
  concatenation of its elements in asset order (assets sorted by symbol).
* leaf hash: ``H(0x00 || nonce || H(utf8(customer_id)) || enc(balances))``.
* inner hash: ``H(0x01 || left.hash || enc(left.sums) || right.hash || enc(right.sums))``.
* padding node (completes a level of odd length): hash = 32 zero bytes, every sum zero.

H is SHA-256 (FIPS 180-4). The 0x00 / 0x01 prefixes separate leaves from inner nodes, so a leaf
can never be passed off as an inner node or the other way round (the second-preimage defence of
RFC 6962 section 2.1).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

FORMAT_VERSION = 1
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_BYTES = 32
NONCE_BYTES = 16
AMOUNT_BYTES = 16
MAX_AMOUNT = (1 << (8 * AMOUNT_BYTES)) - 1
PAD_HASH = b"\x00" * HASH_BYTES

_CANONICAL_INT = re.compile(r"(0|[1-9][0-9]*)")
_HEX = re.compile(r"[0-9a-f]*")


class FormatError(ValueError):
    """A value that the format does not allow (the message says which rule)."""


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def enc(v: int) -> bytes:
    """16 bytes big-endian; refuses what does not fit (negative or >= 2**128)."""
    if not 0 <= v <= MAX_AMOUNT:
        raise FormatError(f"amount {v} is outside 0 .. 2**128-1")
    return v.to_bytes(AMOUNT_BYTES, "big")


def enc_vector(values: Sequence[int]) -> bytes:
    return b"".join(enc(v) for v in values)


def leaf_hash(nonce: bytes, customer_id: str, balances: Sequence[int]) -> bytes:
    if len(nonce) != NONCE_BYTES:
        raise FormatError(f"nonce must be {NONCE_BYTES} bytes, not {len(nonce)}")
    cid_hash = sha256(customer_id.encode("utf-8"))
    return sha256(LEAF_PREFIX + nonce + cid_hash + enc_vector(balances))


def node_hash(
    left_hash: bytes, left_sums: Sequence[int], right_hash: bytes, right_sums: Sequence[int]
) -> bytes:
    return sha256(
        NODE_PREFIX + left_hash + enc_vector(left_sums) + right_hash + enc_vector(right_sums)
    )


def add_sums(a: Sequence[int], b: Sequence[int]) -> list[int]:
    """Elementwise sum; a total that no longer fits 16 bytes is a format error."""
    out = [x + y for x, y in zip(a, b, strict=True)]
    for v in out:
        if v > MAX_AMOUNT:
            raise FormatError("a sum exceeds 2**128-1")
    return out


def parse_amount(text: object) -> int:
    """A balance or sum as JSON carries it: a canonical decimal string (no sign, no leading 0)."""
    if not isinstance(text, str) or not _CANONICAL_INT.fullmatch(text):
        raise FormatError(f"{text!r} is not a canonical unsigned decimal string")
    value = int(text)
    if value > MAX_AMOUNT:
        raise FormatError(f"{text} exceeds 2**128-1")
    return value


def parse_hex(text: object, size: int) -> bytes:
    """Lower-case hex of exactly ``size`` bytes (one spelling per value, so any edit shows)."""
    if not isinstance(text, str) or len(text) != 2 * size or not _HEX.fullmatch(text):
        raise FormatError(f"{text!r} is not {size} bytes of lower-case hex")
    return bytes.fromhex(text)

"""Unsigned 128-bit amounts as numpy byte rows, so that millions of them are added at C speed.

An amount vector is stored exactly as the format encodes it: ``16 * A`` bytes per row, each
amount big-endian. Arithmetic splits a row into high and low 64-bit halves, adds with carry and
refuses any total that would not fit 16 bytes (it could not be encoded).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from kansa.reserves.encoding import AMOUNT_BYTES

_BE64 = np.dtype(">u8")


def _halves(be: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(n, 16*A) big-endian bytes -> high and low uint64 halves, each (n, A)."""
    words = np.ascontiguousarray(be).view(_BE64).astype(np.uint64)
    return words[:, 0::2], words[:, 1::2]


def _join(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    n, width = hi.shape
    words = np.empty((n, 2 * width), dtype=_BE64)
    words[:, 0::2] = hi
    words[:, 1::2] = lo
    return words.view(np.uint8)


def add(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Row-wise sum of two amount-vector arrays; OverflowError if a sum exceeds 2**128-1."""
    l_hi, l_lo = _halves(left)
    r_hi, r_lo = _halves(right)
    lo = l_lo + r_lo
    carry = (lo < l_lo).astype(np.uint64)
    r_hi_c = r_hi + carry
    hi = l_hi + r_hi_c
    if np.any(r_hi_c < r_hi) or np.any(hi < l_hi):
        raise OverflowError("a sum of balances exceeds 2**128-1")
    return _join(hi, lo)


def row_ints(row: np.ndarray) -> list[int]:
    """One amount vector (16*A bytes) as Python integers."""
    data = bytes(row)
    return [
        int.from_bytes(data[k : k + AMOUNT_BYTES], "big") for k in range(0, len(data), AMOUNT_BYTES)
    ]


def from_ints(rows: list[list[int]], width: int) -> np.ndarray:
    """Python integers -> (n, 16*width) big-endian bytes (small inputs: tests, proofs)."""
    data = b"".join(v.to_bytes(AMOUNT_BYTES, "big") for row in rows for v in row)
    return np.frombuffer(data, dtype=np.uint8).reshape(len(rows), AMOUNT_BYTES * width).copy()


def decimal_into(column: pa.Array | pa.ChunkedArray, words: np.ndarray) -> None:
    """Write a decimal128 column (no nulls) as big-endian amounts into ``words``.

    ``words`` is an (n, 2) big-endian uint64 view of the destination bytes. Arrow stores
    decimal128 as 16-byte little-endian two's complement (Arrow columnar format, "Decimal"):
    swapping the two 64-bit halves and letting numpy byte-swap each gives ``enc(v)``, one word
    copy instead of sixteen byte copies per value.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    if not pa.types.is_decimal128(column.type) or column.null_count:
        raise TypeError("expected a decimal128 column without nulls")
    n = len(column)
    raw = np.frombuffer(column.buffers()[1], dtype="<u8")
    words[:] = raw[2 * column.offset : 2 * (column.offset + n)].reshape(n, 2)[:, ::-1]


def decimal_strings(be: np.ndarray) -> list[list[str]]:
    """Amount vectors as canonical decimal strings.

    The low 64-bit halves go through ``tolist`` and ``str`` in bulk (faster than numpy's own
    string conversion); only the rare amounts past 64 bits take the long way.
    """
    n = be.shape[0]
    if n == 0:
        return []
    hi, lo = _halves(be)
    width = lo.shape[1]
    flat = list(map(str, lo.ravel().tolist()))
    rows = [flat[k : k + width] for k in range(0, n * width, width)]
    for r, c in zip(*np.nonzero(hi), strict=True):
        rows[r][c] = str((int(hi[r, c]) << 64) | int(lo[r, c]))
    return rows

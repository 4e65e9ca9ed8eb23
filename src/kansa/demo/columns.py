"""Vectorised Arrow columns: ids, hex strings, amounts and timestamps from NumPy arrays."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

AMOUNT = pa.decimal128(38, 0)
TIMESTAMP = pa.timestamp("us", tz="UTC")
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def numbered(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``PREFIX`` + zero-padded decimal numbers, e.g. ``W000000042``."""
    digits = pc.utf8_lpad(pa.array(numbers, pa.int64()).cast(pa.string()), width, "0")
    return pc.binary_join_element_wise(prefix, digits, "")


def fixed_strings(chars: np.ndarray) -> pa.Array:
    """An (n, w) uint8 matrix of ASCII characters as n strings of width w."""
    n, w = chars.shape
    offsets = np.arange(0, (n + 1) * w, w, dtype=np.int32)
    data = np.ascontiguousarray(chars).tobytes()
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets.tobytes()), pa.py_buffer(data))


def hex_strings(raw: np.ndarray, prefix: str = "") -> pa.Array:
    """An (n, k) uint8 matrix of bytes as lower-case hex strings with an optional prefix."""
    n, k = raw.shape
    head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    out = np.empty((n, len(head) + 2 * k), dtype=np.uint8)
    out[:, : len(head)] = head
    out[:, len(head) :: 2] = _HEX[raw >> 4]
    out[:, len(head) + 1 :: 2] = _HEX[raw & 15]
    return fixed_strings(out)


def amounts(values: np.ndarray, scale: int = 1) -> pa.Array:
    """int64 amounts (in units of ``scale`` smallest units) as DECIMAL(38,0) smallest units."""
    dec = pa.array(values, pa.int64()).cast(pa.decimal128(19, 0))
    if scale != 1:
        factor = pa.scalar(Decimal(scale), pa.decimal128(len(str(scale)), 0))
        dec = pc.multiply(dec, factor)
    return dec.cast(AMOUNT)


def epoch_us(moment: datetime) -> int:
    return int((moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()) * 1_000_000


def timestamps(micros: np.ndarray) -> pa.Array:
    return pa.array(micros.astype(np.int64), pa.int64()).cast(TIMESTAMP)

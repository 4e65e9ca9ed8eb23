"""Tree levels as numpy byte rows: the vectorised twin of :mod:`kansa.reserves.encoding`.

A *record* is one node as the format hashes it: ``hash (32 bytes) || enc(sums) (16*A bytes)``.
A level is a C-contiguous ``(n, 32 + 16*A)`` uint8 array. Because an inner node hashes
``0x01 || left record || right record``, a level's parents hash adjacent pairs of rows as they
lie in memory: each pair is one row of the level viewed two records wide, hashed in a tight
``hashlib`` loop (CPython's
hashlib keeps the GIL for messages under 2 KiB, so the parallelism is in processes, see
:mod:`kansa.reserves.parallel`).
"""

from __future__ import annotations

import hashlib
import itertools
import math
from typing import Any

import numpy as np

from kansa.reserves import u128
from kansa.reserves.encoding import AMOUNT_BYTES, HASH_BYTES, LEAF_PREFIX, NODE_PREFIX, NONCE_BYTES

_sha256 = hashlib.sha256


def record_size(width: int) -> int:
    return HASH_BYTES + AMOUNT_BYTES * width


def height(leaves: int) -> int:
    """Parent steps from the leaves to the root: 0 for one leaf, else ceil(log2(leaves))."""
    return 0 if leaves <= 1 else math.ceil(math.log2(leaves))


def level_length(leaves: int, level: int) -> int:
    """Real nodes on a level (the padding node, if any, is not counted)."""
    return -(-leaves // (1 << level))


def _row_bytes(rows: np.ndarray) -> list[Any]:
    """Each row of a 2-D uint8 array as ``bytes``, in one C call (numpy ``void`` scalars keep
    trailing zero bytes, unlike ``S`` strings)."""
    rows = np.ascontiguousarray(rows)
    values: list[Any] = rows.view(np.dtype((np.void, rows.shape[1]))).ravel().tolist()
    return values


def _digests(digests: bytes) -> np.ndarray:
    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, HASH_BYTES)


def hash_strings(data: bytes | memoryview, offsets: np.ndarray) -> np.ndarray:
    """SHA-256 of each byte string ``data[offsets[i]:offsets[i+1]]`` -> (m, 32)."""
    bounds = offsets.tolist()
    view = memoryview(data)
    digests = b"".join([_sha256(view[a:b]).digest() for a, b in itertools.pairwise(bounds)])
    return np.frombuffer(digests, dtype=np.uint8).reshape(-1, HASH_BYTES)


def leaf_hashes(nonces: np.ndarray, id_hashes: np.ndarray, balances: np.ndarray) -> np.ndarray:
    """``H(0x00 || nonce || H(id) || enc(balances))`` of each leaf -> (m, 32).

    The first 49 bytes are assembled by numpy, the balances appended by one ``bytes`` concat
    per leaf: cheaper than assembling whole messages in numpy (docs/perf/reserves.md).
    """
    m = balances.shape[0]
    head = np.empty((m, 1 + NONCE_BYTES + HASH_BYTES), dtype=np.uint8)
    head[:, 0] = LEAF_PREFIX[0]
    head[:, 1 : 1 + NONCE_BYTES] = nonces
    head[:, 1 + NONCE_BYTES :] = id_hashes
    sha = _sha256
    return _digests(
        b"".join(
            [
                sha(h + b).digest()
                for h, b in zip(_row_bytes(head), _row_bytes(balances), strict=True)
            ]
        )
    )


def leaf_records(nonces: np.ndarray, id_hashes: np.ndarray, balances: np.ndarray) -> np.ndarray:
    """Leaf records ``leaf hash || enc(balances)``."""
    out = np.empty((balances.shape[0], HASH_BYTES + balances.shape[1]), dtype=np.uint8)
    out[:, :HASH_BYTES] = leaf_hashes(nonces, id_hashes, balances)
    out[:, HASH_BYTES:] = balances
    return out


def parent_level(records: np.ndarray) -> np.ndarray:
    """The level above: pairs of adjacent nodes, an odd level completed by the padding node.

    A pair's message is ``0x01 || left record || right record``: the two records lie side by
    side in memory, so each message is one row of the level viewed two records wide.
    """
    m, size = records.shape
    if m % 2:
        records = np.concatenate([records, np.zeros((1, size), dtype=np.uint8)])
        m += 1
    half = m // 2
    out = np.empty((half, size), dtype=np.uint8)
    out[:, HASH_BYTES:] = u128.add(records[0::2, HASH_BYTES:], records[1::2, HASH_BYTES:])
    sha, prefix = _sha256, NODE_PREFIX
    pairs = _row_bytes(records.reshape(half, 2 * size))
    out[:, :HASH_BYTES] = _digests(b"".join([sha(prefix + p).digest() for p in pairs]))
    return out


def build_levels(records: np.ndarray, steps: int) -> list[np.ndarray]:
    """``[records, level 1, ..., level steps]``; every odd level is padded, even a single node.

    Padding a single node matters when ``records`` is the last block of a larger tree: there
    the global level is odd too, and the padding node is the same one.
    """
    levels = [records]
    for _ in range(steps):
        levels.append(parent_level(levels[-1]))
    return levels

"""Build the Merkle-sum tree over millions of customers, on every core, in bounded memory.

Three passes, each over numpy arrays shared with forked workers:

1. leaf hashes, in input order, in chunks (shared output array);
2. the order of the leaves by hash (one sort of the hashes' first 8 bytes, exact fallback);
3. the levels, over aligned blocks of ``2**k`` sorted leaves: a block is a complete subtree
   (see :func:`kansa.reserves.levels.build_levels`), so workers build blocks independently and
   return only the levels the artifact keeps (from :data:`STORED_FROM` up); the parent
   finishes the few levels above the blocks.

Only the levels from :data:`STORED_FROM` up are kept: a proof recomputes the lower levels of its
own block of ``2**STORED_FROM`` leaves from the stored leaves and checks the result against
the stored node, which also proves the artifact intact.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from kansa.reserves import levels as lv
from kansa.reserves.encoding import HASH_BYTES, NONCE_BYTES
from kansa.reserves.parallel import default_workers, run_tasks, shared_array, state

STORED_FROM = 6
LEAF_CHUNK = 1 << 16
BLOCK_STEPS = 16
SERIAL_BELOW = 1 << 15
_SEED_TAG = b"kansa-reserves-seeded-nonce-v1"

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class TreeInput:
    """Customers in any order: ``id_hashes`` = H(utf8(customer_id)), ``balances`` enc rows."""

    assets: tuple[str, ...]
    id_hashes: np.ndarray  # (n, 32) uint8
    balances: np.ndarray  # (n, 16 * len(assets)) uint8, big-endian amounts

    @property
    def size(self) -> int:
        return int(self.balances.shape[0])


@dataclass(frozen=True)
class BuiltTree:
    """A built tree: leaf order, nonces (input order) and the stored levels."""

    assets: tuple[str, ...]
    leaf_count: int
    order: np.ndarray  # sorted position -> input row
    nonces: np.ndarray  # (n, 16), input order
    stored_from: int
    stored: list[np.ndarray]  # levels stored_from .. height, records

    @property
    def height(self) -> int:
        return lv.height(self.leaf_count)

    @property
    def root(self) -> np.ndarray:
        return self.stored[-1][0]


def seeded_nonces(seed: int, id_hashes: np.ndarray) -> np.ndarray:
    """Test-only nonces: SHA-256(tag || seed || H(id))[:16]; reproducible, order-independent."""
    prefix = _SEED_TAG + seed.to_bytes(8, "big", signed=True)
    data = id_hashes.tobytes()
    out = b"".join(
        hashlib.sha256(prefix + data[i : i + HASH_BYTES]).digest()[:NONCE_BYTES]
        for i in range(0, len(data), HASH_BYTES)
    )
    return np.frombuffer(out, dtype=np.uint8).reshape(-1, NONCE_BYTES)


def _leaf_task(bounds: tuple[int, int]) -> None:
    s = state()
    a, b = bounds
    if s["seed"] is not None:
        s["nonces"][a:b] = seeded_nonces(s["seed"], s["id_hashes"][a:b])
    s["leaf_hashes"][a:b] = lv.leaf_hashes(
        s["nonces"][a:b], s["id_hashes"][a:b], s["balances"][a:b]
    )


def _block_task(block: tuple[int, int]) -> list[np.ndarray]:
    s = state()
    index, size = block
    rows = s["order"][index * size : (index + 1) * size]
    width = s["balances"].shape[1]
    records = np.empty((len(rows), HASH_BYTES + width), dtype=np.uint8)
    records[:, :HASH_BYTES] = s["leaf_hashes"][rows]
    records[:, HASH_BYTES:] = s["balances"][rows]
    levels = lv.build_levels(records, s["block_steps"])
    return levels[s["stored_from"] :]


def leaf_order(leaf_hashes: np.ndarray) -> np.ndarray:
    """Positions sorted by hash (bytewise). The 8-byte prefix sort is exact unless two prefixes
    tie, then all 32 bytes decide."""
    n = leaf_hashes.shape[0]
    prefix = np.ascontiguousarray(leaf_hashes[:, :8]).view(">u8").ravel().astype(np.uint64)
    order = np.argsort(prefix)  # ties (rare) are settled below, so stability is not needed
    ranked = prefix[order]
    if n > 1 and np.any(ranked[1:] == ranked[:-1]):
        words = np.ascontiguousarray(leaf_hashes).view(">u8").reshape(n, 4).astype(np.uint64)
        order = np.lexsort(tuple(words[:, k] for k in (3, 2, 1, 0)))
        ranked_full = leaf_hashes[order]
        if np.any(np.all(ranked_full[1:] == ranked_full[:-1], axis=1)):
            raise ValueError("two leaves have the same hash (a customer appears twice)")
    return order


def _chunks(n: int, size: int) -> list[tuple[int, int]]:
    return [(a, min(a + size, n)) for a in range(0, n, size)]


def _block_steps(n: int, stored_from: int) -> int:
    """Steps each block climbs: blocks of 2**16 leaves (about 10 MB of records at 8 assets).

    Small blocks keep every temporary array under glibc's mmap threshold, so memory is reused
    instead of being mapped and page-faulted afresh (that cost more than the hashing).
    """
    return min(lv.height(n), max(stored_from, BLOCK_STEPS))


def _hash_leaves(
    tree_input: TreeInput, seed: int | None, workers: int, report: Progress
) -> dict[str, Any]:
    """Pass 1: nonces and leaf hashes in input order, in shared memory."""
    n = tree_input.size
    nonces = shared_array((n, NONCE_BYTES))
    if seed is None:
        random = secrets.token_bytes(n * NONCE_BYTES)
        nonces[:] = np.frombuffer(random, dtype=np.uint8).reshape(n, NONCE_BYTES)
    shared = {
        "seed": seed,
        "nonces": nonces,
        "id_hashes": tree_input.id_hashes,
        "balances": tree_input.balances,
        "leaf_hashes": shared_array((n, HASH_BYTES)),
    }
    chunks = _chunks(n, LEAF_CHUNK)
    for done, _ in enumerate(run_tasks(_leaf_task, chunks, shared, workers=workers), start=1):
        report("leaves", done, len(chunks))
    return shared


def _build_levels(
    shared: dict[str, Any], n: int, workers: int, report: Progress
) -> tuple[int, list[np.ndarray]]:
    """Pass 3: blocks in parallel, then the levels above them; returns the stored levels."""
    stored_from = min(STORED_FROM, lv.height(n))
    steps = _block_steps(n, stored_from)
    blocks = [(i, 1 << steps) for i in range(-(-n // (1 << steps)))]
    shared.update(block_steps=steps, stored_from=stored_from)
    parts: list[list[np.ndarray]] = [[] for _ in blocks]
    tasks = run_tasks(_block_task, blocks, shared, workers=workers)
    for done, (i, part) in enumerate(tasks, start=1):
        parts[i] = part
        report("tree", done, len(blocks))
    stored = [np.concatenate([p[k] for p in parts]) for k in range(len(parts[0]))]
    stored.extend(lv.build_levels(stored[-1], lv.height(n) - steps)[1:])
    return stored_from, stored


def build_tree(
    tree_input: TreeInput,
    *,
    seed: int | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BuiltTree:
    """Build the tree. Nonces come from :mod:`secrets` unless a test ``seed`` is given."""
    n = tree_input.size
    if n == 0:
        raise ValueError("no customers to build a tree over")
    workers = default_workers() if workers is None else workers
    if n < SERIAL_BELOW:
        workers = 1
    report = progress or (lambda stage, done, total: None)
    shared = _hash_leaves(tree_input, seed, workers, report)
    shared["order"] = leaf_order(shared["leaf_hashes"])  # pass 2
    stored_from, stored = _build_levels(shared, n, workers, report)
    return BuiltTree(
        assets=tree_input.assets,
        leaf_count=n,
        order=shared["order"],
        nonces=np.array(shared["nonces"]),
        stored_from=stored_from,
        stored=stored,
    )

"""Open a committed tree and produce customers' proofs (proof.json, format version 1).

A proof's lower steps come from recomputing the customer's block of ``2**stored_from`` leaves;
the block's top must equal the stored node, so a proof is only ever issued from an intact
artifact. Upper steps are read from the stored levels.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reserves import levels as lv
from kansa.reserves import u128
from kansa.reserves.artifact import ARTIFACT_FORMAT, root_json
from kansa.reserves.encoding import FORMAT_VERSION, HASH_BYTES


class ArtifactCorrupt(KansaError):
    """The stored tree does not recompute: no proof may be issued from it."""


@dataclass(frozen=True)
class LeafRows:
    """Consecutive leaves as stored: ids, nonces (m, 16), balances (m, 16*A)."""

    start: int
    customer_ids: list[str]
    nonces: np.ndarray
    balances: np.ndarray

    def id_hashes(self) -> np.ndarray:
        data = b"".join(c.encode("utf-8") for c in self.customer_ids)
        lengths = [len(c.encode("utf-8")) for c in self.customer_ids]
        offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
        return lv.hash_strings(data, offsets)

    def records(self) -> np.ndarray:
        return lv.leaf_records(self.nonces, self.id_hashes(), self.balances)


def _fixed_values(column: pa.ChunkedArray | pa.Array, size: int) -> np.ndarray:
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    raw = np.frombuffer(column.buffers()[1], dtype=np.uint8)
    start = column.offset * size
    return raw[start : start + len(column) * size].reshape(len(column), size)


def unchecked(name: str) -> None:
    """The ``check`` of a tree opened without its ledger entry (library use and tests)."""
    return None


class TreeArtifact:
    """A committed tree, opened read-only (nodes memory-mapped, leaves read per file).

    ``check(name)`` is called with each file's name in the tree folder before that file is
    read: the commands pass :class:`~kansa.reserves.artifact.ArtifactCheck`, which re-hashes it
    against the ledger entry (a proof must come from the bytes the ledger vouches for).
    """

    def __init__(self, manifest_path: Path, check: Callable[[str], object] = unchecked) -> None:
        self.folder = manifest_path.parent
        self._check = check
        check(manifest_path.name)
        self.manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        m = self.manifest
        if m.get("format") != ARTIFACT_FORMAT or m.get("version") != FORMAT_VERSION:
            raise ArtifactCorrupt(f"{manifest_path}: not a version-1 reserves tree")
        self.assets: list[str] = list(m["assets"])
        self.leaf_count = int(m["leaf_count"])
        self.height = int(m["height"])
        self.stored_from = int(m["stored_from"])
        self.row_group = int(m["row_group"])
        size = int(m["record_size"])
        check(m["files"]["nodes"])
        check(m["files"]["ids"])
        nodes = np.memmap(self.folder / m["files"]["nodes"], dtype=np.uint8, mode="r")
        self.stored = {
            int(e["level"]): nodes[e["offset"] : e["offset"] + e["nodes"] * size].reshape(
                e["nodes"], size
            )
            for e in m["levels"]
        }
        self.leaf_files: list[str] = list(m["files"]["leaves"])
        self._group: tuple[int, pa.Table] | None = None
        ids = np.memmap(self.folder / m["files"]["ids"], dtype="<u8", mode="r")
        self._id_keys = ids[: self.leaf_count]
        self._id_positions = ids[self.leaf_count :]
        self.root: dict[str, Any] = root_json(self.stored[self.height][0])
        if self.root != m["root"]:
            raise ArtifactCorrupt(f"{manifest_path}: stored root differs from the manifest")

    # -- reading leaves -----------------------------------------------------------------------

    def position(self, customer_id: str) -> int | None:
        """Leaf position of a customer (binary search in ids.bin), or None if not here."""
        key = np.uint64(int.from_bytes(hashlib.sha256(customer_id.encode("utf-8")).digest()[:8]))
        lo = int(np.searchsorted(self._id_keys, key, side="left"))
        hi = int(np.searchsorted(self._id_keys, key, side="right"))
        for at in self._id_positions[lo:hi].tolist():
            if self.read_leaves(at, at + 1).customer_ids[0] == customer_id:
                return int(at)
        return None

    def read_leaves(self, start: int, stop: int) -> LeafRows:
        """Leaves [start, stop), which must lie in one leaf file."""
        group = start // self.row_group
        if self._group is None or self._group[0] != group:
            self._check(self.leaf_files[group])
            self._group = (group, pq.read_table(self.folder / self.leaf_files[group]))
        table = self._group[1].slice(start - group * self.row_group, stop - start)
        width = len(self.assets)
        return LeafRows(
            start=start,
            customer_ids=table.column("customer_id").to_pylist(),
            nonces=_fixed_values(table.column("nonce"), 16),
            balances=_fixed_values(table.column("balances"), 16 * width),
        )

    def lower_levels(self, rows: LeafRows) -> list[np.ndarray]:
        """Levels 0..stored_from of whole blocks of leaves, checked against the stored level."""
        levels = lv.build_levels(rows.records(), self.stored_from)
        first = rows.start >> self.stored_from
        expected = self.stored[self.stored_from][first : first + len(levels[-1])]
        if not np.array_equal(levels[-1], expected):
            raise ArtifactCorrupt(
                tr(
                    f"The stored tree in {self.folder} does not recompute; no proof issued.",
                    f"{self.folder} の保存済みツリーが再計算と一致しません。証明は発行しません。",
                )
            )
        return levels

    # -- proofs ---------------------------------------------------------------------------------

    def node(self, level: int, index: int, lower: list[np.ndarray], base: int) -> np.ndarray | None:
        """A node's record, or None for the padding node (beyond the level's real nodes)."""
        if level < self.stored_from:
            nodes = lower[level]
            local = index - (base >> level)
            return nodes[local] if local < len(nodes) else None
        stored = self.stored[level]
        return stored[index] if index < len(stored) else None

    def path(self, position: int, lower: list[np.ndarray], base: int) -> list[dict[str, Any]]:
        steps = []
        width = len(self.assets)
        for level in range(self.height):
            index = position >> level
            sibling = index ^ 1
            record = self.node(level, sibling, lower, base)
            if record is None:
                record = np.zeros(lv.record_size(width), dtype=np.uint8)
            steps.append(
                {
                    "side": "left" if sibling < index else "right",
                    "hash": bytes(record[:HASH_BYTES]).hex(),
                    "sums": [str(v) for v in u128.row_ints(record[HASH_BYTES:])],
                }
            )
        return steps

    def proof_at(self, position: int) -> dict[str, Any]:
        block = 1 << self.stored_from
        base = position - position % block
        rows = self.read_leaves(base, min(base + block, self.leaf_count))
        lower = self.lower_levels(rows)
        i = position - base
        return {
            "version": FORMAT_VERSION,
            "assets": list(self.assets),
            "customer_id": rows.customer_ids[i],
            "nonce": bytes(rows.nonces[i]).hex(),
            "balances": [str(v) for v in u128.row_ints(rows.balances[i])],
            "path": self.path(position, lower, base),
            "root": dict(self.root),
        }

    def proof(self, customer_id: str) -> dict[str, Any]:
        position = self.position(customer_id)
        if position is None:
            raise KansaError(
                tr(
                    "That customer is not in this tree.",
                    "その顧客はこのツリーに含まれていません。",
                )
            )
        return self.proof_at(position)


def proof_line(proof: dict[str, Any]) -> str:
    """The compact one-line JSON form used in bulk exports (UTF-8, no spaces)."""
    return json.dumps(proof, separators=(",", ":"), ensure_ascii=False)

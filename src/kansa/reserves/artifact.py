"""The tree artifact in the vault: what it takes to hand any customer their proof later.

``reserves/AS_OF/ROOT_HASH/`` holds these files, committed as one ledger entry (kind
``reserves``):

* ``leaves/NNNNN.parquet``: one row per leaf in leaf order (by hash): ``customer_id``,
  ``nonce`` (16 bytes), ``balances`` (``enc(balances)``, 16 bytes per asset); file ``k`` holds
  leaves ``k * 65536`` up to ``(k + 1) * 65536`` (a multiple of the stored block, so a block
  never straddles two files). One file per slice lets every core compress its own.
* ``nodes.bin``: the levels from ``stored_from`` to the root, level after level, each node its
  record ``hash || enc(sums)``; the lower levels are recomputed per block from the leaves.
* ``ids.bin``: a lookup index, customer -> leaf position, so that one proof costs
  milliseconds: ``n`` keys (the first 8 bytes of ``H(utf8(customer_id))`` read as a big-endian
  integer, stored as little-endian uint64, ascending) then ``n`` leaf positions (little-endian
  uint64) in the same order. Keys may repeat; the leaf row decides.
* ``tree.json``: the manifest (assets, counts, level offsets, root, source snapshot).

The nonces are here and nowhere else: each customer receives theirs only inside their proof.
"""

from __future__ import annotations

import datetime as dt
import json
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
from kansa.reserves.encoding import AMOUNT_BYTES, FORMAT_VERSION, HASH_BYTES, NONCE_BYTES
from kansa.reserves.parallel import default_workers, run_tasks, state
from kansa.reserves.tree import BuiltTree, TreeInput
from kansa.vault import Snapshot, Vault
from kansa.vault.integrity import require_intact

KIND = "reserves"
ARTIFACT_FORMAT = "kansa-reserves-tree"
ROW_GROUP = 1 << 16
MANIFEST = "tree.json"
LEAVES = "leaves"
NODES = "nodes.bin"
IDS = "ids.bin"
LEAF_COMPRESSION = "zstd"


def _fixed(values: np.ndarray) -> pa.FixedSizeBinaryArray:
    """(n, k) uint8 -> Arrow fixed_size_binary(k) without a copy."""
    values = np.ascontiguousarray(values)
    n, k = values.shape
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(k), n, [None, pa.py_buffer(values)])


def _leaf_schema(width: int) -> pa.Schema:
    return pa.schema(
        [
            ("customer_id", pa.large_string()),
            ("nonce", pa.binary(NONCE_BYTES)),
            ("balances", pa.binary(AMOUNT_BYTES * width)),
        ]
    )


def leaf_file(index: int) -> str:
    return f"{LEAVES}/{index:05d}.parquet"


def _leaf_file_task(index: int) -> None:
    """Write one slice of leaves (a worker: arrays come from the forked parent)."""
    s = state()
    rows = s["order"][index * ROW_GROUP : (index + 1) * ROW_GROUP]
    table = pa.table(
        [
            s["customer_ids"].take(pa.array(rows)),
            _fixed(s["nonces"][rows]),
            _fixed(s["balances"][rows]),
        ],
        schema=_leaf_schema(s["balances"].shape[1] // AMOUNT_BYTES),
    )
    # ids, nonces and encodings are nearly all distinct: dictionary encoding only costs time
    # (and bytes); measured in docs/perf/reserves.md
    pq.write_table(
        table,
        s["folder"] / leaf_file(index),
        compression=LEAF_COMPRESSION,
        use_dictionary=False,
        row_group_size=ROW_GROUP,
    )


def _artifact_task(task: tuple[str, int]) -> None:
    kind, index = task
    if kind == "ids":
        s = state()
        write_ids(s["folder"] / IDS, s["order"], s["id_hashes"])
    else:
        _leaf_file_task(index)


def write_leaves_and_ids(
    folder: Path, built: BuiltTree, tree_input: TreeInput, customer_ids: pa.Array, workers: int
) -> list[str]:
    """The leaf files and the id index, in parallel; returns the leaf files written."""
    (folder / LEAVES).mkdir()
    files = -(-built.leaf_count // ROW_GROUP)
    tasks = [("ids", 0)] + [("leaves", k) for k in range(files)]
    shared = {
        "folder": folder,
        "order": built.order,
        "nonces": built.nonces,
        "balances": tree_input.balances,
        "id_hashes": tree_input.id_hashes,
        "customer_ids": customer_ids,
    }
    for _ in run_tasks(_artifact_task, tasks, shared, workers=workers):
        pass
    return [leaf_file(k) for k in range(files)]


def write_nodes(path: Path, built: BuiltTree) -> list[dict[str, int]]:
    """The stored levels back to back; returns where each level starts."""
    offsets, at = [], 0
    with path.open("wb") as f:
        for k, level in enumerate(built.stored):
            offsets.append({"level": built.stored_from + k, "nodes": len(level), "offset": at})
            f.write(np.ascontiguousarray(level).tobytes())
            at += level.nbytes
    return offsets


def id_keys(id_hashes: np.ndarray) -> np.ndarray:
    """The index key of each customer: the first 8 bytes of H(id) as an unsigned integer."""
    return np.ascontiguousarray(id_hashes[:, :8]).view(">u8").ravel().astype(np.uint64)


def write_ids(path: Path, order: np.ndarray, id_hashes: np.ndarray) -> None:
    """Keys ascending, then the leaf position of each (see the module docstring)."""
    positions = np.empty(len(order), dtype=np.uint64)
    positions[order] = np.arange(len(order), dtype=np.uint64)
    keys = id_keys(id_hashes)
    by_key = np.argsort(keys)
    with path.open("wb") as f:
        f.write(keys[by_key].astype("<u8").tobytes())
        f.write(positions[by_key].astype("<u8").tobytes())


def root_json(record: np.ndarray) -> dict[str, Any]:
    return {
        "hash": bytes(record[:HASH_BYTES]).hex(),
        "sums": [str(v) for v in u128.row_ints(record[HASH_BYTES:])],
    }


def commit_tree(
    vault: Vault,
    built: BuiltTree,
    tree_input: TreeInput,
    customer_ids: pa.Array,
    *,
    as_of: dt.date,
    source: Snapshot,
    seeded: bool,
    workers: int | None = None,
) -> dict[str, Any]:
    """Stage the files, commit them as one ``reserves`` ledger entry; return its payload."""
    staging = vault.staging_dir()
    workers = default_workers() if workers is None else workers
    leaf_files = write_leaves_and_ids(staging, built, tree_input, customer_ids, workers)
    level_index = write_nodes(staging / NODES, built)
    root = root_json(built.root)
    folder = f"reserves/{as_of.isoformat()}/{root['hash']}"
    manifest = {
        "format": ARTIFACT_FORMAT,
        "version": FORMAT_VERSION,
        "as_of": as_of.isoformat(),
        "assets": list(built.assets),
        "leaf_count": built.leaf_count,
        "height": built.height,
        "stored_from": built.stored_from,
        "record_size": lv.record_size(len(built.assets)),
        "row_group": ROW_GROUP,
        "levels": level_index,
        "root": root,
        "nonces": "seeded-test" if seeded else "random",
        "source": {"dataset": source.dataset, "sha256": source.sha256, "seq": source.seq},
        "files": {"leaves": leaf_files, "nodes": NODES, "ids": IDS},
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    payload = {
        "as_of": manifest["as_of"],
        "assets": manifest["assets"],
        "customers": built.leaf_count,
        "root": root,
        "nonces": manifest["nonces"],
        "source": manifest["source"],
        "tree": f"{folder}/{MANIFEST}",
    }
    names = [MANIFEST, NODES, IDS, *leaf_files]
    vault.commit(KIND, payload, {f"{folder}/{name}": staging / name for name in names})
    (staging / LEAVES).rmdir()
    staging.rmdir()
    return payload


@dataclass(frozen=True)
class ArtifactCheck:
    """Re-hashes a tree's files against its ``reserves`` ledger entry, one file at a time, just
    before each is read (a proof reads the manifest, the stored levels, the id index and one
    leaf file; an export reads them all)."""

    vault_root: Path
    folder: str
    outputs: dict[str, str]
    seq: int

    def __call__(self, name: str) -> Path:
        rel = f"{self.folder}/{name}"
        return require_intact(self.vault_root, rel, self.outputs.get(rel), self.seq)


@dataclass(frozen=True)
class TreeRef:
    """A committed tree: its manifest path, the ledger entry's payload and the check of its
    files against that entry."""

    manifest: Path
    payload: dict[str, Any]
    seq: int
    check: ArtifactCheck


def find_tree(vault: Vault, as_of: dt.date | None = None) -> TreeRef:
    """The tree of ``as_of`` (default: the latest day); the newest commit if several."""
    found: TreeRef | None = None
    for e in vault.ledger.read():
        if e.kind != KIND:
            continue
        day = e.payload.get("as_of", "")
        if as_of is not None and day != as_of.isoformat():
            continue
        if found is None or day >= found.payload["as_of"]:
            folder = str(Path(e.payload["tree"]).parent)
            check = ArtifactCheck(vault.root, folder, dict(e.outputs), e.seq)
            found = TreeRef(vault.root / e.payload["tree"], e.payload, e.seq, check)
    if found is None:
        en_when, ja_when = (f" for {as_of}", f"{as_of} の") if as_of else ("", "")
        raise KansaError(
            tr(
                f"No reserves tree has been built{en_when}.",
                f"{ja_when}準備金ツリーがまだ作成されていません。",
            ),
            hint=tr(
                "Run `kansa reserves build` first.",
                "先に `kansa reserves build` を実行してください。",
            ),
        )
    return found

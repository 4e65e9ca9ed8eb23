"""Every customer's proof at once: JSON Lines shards, written by all cores, streaming.

Each line is exactly :func:`kansa.reserves.proofs.proof_line` of that customer's proof. Lines
are assembled from string fragments instead of per-proof dicts: a node's JSON is made once and
shared by every proof that passes it (the upper path of a block of ``2**stored_from`` leaves is
one string), which is what makes millions of proofs affordable.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reserves import u128
from kansa.reserves.encoding import FORMAT_VERSION, HASH_BYTES
from kansa.reserves.parallel import default_workers, run_tasks, state
from kansa.reserves.proofs import TreeArtifact, unchecked

SHARD_GROUPS = 4
_WRITE_LINES = 4096
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')
_LEFT = '{"side":"left",'
_RIGHT = '{"side":"right",'


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def sums_json(amounts: np.ndarray) -> list[str]:
    """``["1","2"]`` for each row of amount vectors (16 bytes per asset)."""
    return ['["' + '","'.join(row) + '"]' for row in u128.decimal_strings(amounts)]


def node_bodies(records: np.ndarray) -> tuple[list[str], list[str]]:
    """For each record: ``"hash":"..","sums":[..]}`` (a path step after its side), and the sums
    alone."""
    hexes = records[:, :HASH_BYTES].tobytes().hex()
    sums = sums_json(records[:, HASH_BYTES:])
    bodies = [f'"hash":"{hexes[64 * k : 64 * k + 64]}","sums":{v}}}' for k, v in enumerate(sums)]
    return bodies, sums


def json_string(text: str) -> str:
    """``json.dumps(text, ensure_ascii=False)``, without the call when nothing needs escaping
    (that function escapes only quotes, backslashes and control characters)."""
    return _dumps(text) if _NEEDS_ESCAPE.search(text) else f'"{text}"'


class _Fragments:
    """Bodies of stored nodes, made on first use; the padding node's body."""

    def __init__(self, art: TreeArtifact) -> None:
        self.art = art
        width = len(art.assets)
        self.padding = '"hash":"' + "0" * 64 + '","sums":[' + ",".join(['"0"'] * width) + "]}"
        self._cache: dict[tuple[int, int], str] = {}

    def stored(self, level: int, index: int) -> str:
        nodes = self.art.stored[level]
        if index >= len(nodes):
            return self.padding
        key = (level, index)
        if key not in self._cache:
            self._cache[key] = node_bodies(np.asarray(nodes[index : index + 1]))[0][0]
        return self._cache[key]

    def upper_path(self, block: int) -> str:
        """The steps from level stored_from to the root, shared by a whole block."""
        art = self.art
        steps = []
        for level in range(art.stored_from, art.height):
            index = block >> (level - art.stored_from)
            sibling = index ^ 1
            steps.append((_LEFT if sibling < index else _RIGHT) + self.stored(level, sibling))
        return ",".join(steps)


def _block_paths(
    bodies: list[list[str]], sizes: list[int], first: int, upper: str, padding: str
) -> list[str]:
    """The whole path of each leaf of one block (leaves ``first`` onwards of the group).

    Built top-down: a node's path is its sibling step then its parent's path, so each step's
    text is made once per node, not once per leaf beneath it.
    """
    paths = [upper]
    for level in range(len(bodies) - 1, -1, -1):
        lo = first >> level
        hi = min(lo + 2 * len(paths), sizes[level])
        nodes = bodies[level]
        below = []
        for j in range(lo, hi):
            sibling = j ^ 1
            step = (_LEFT if sibling < j else _RIGHT) + (
                nodes[sibling] if sibling < len(nodes) else padding
            )
            above = paths[(j - lo) >> 1]
            below.append(step + "," + above if above else step)
        paths = below
    return paths


def group_lines(art: TreeArtifact, frags: _Fragments, group: int) -> Iterator[str]:
    """The proof lines of one leaf file, in leaf order."""
    start = group * art.row_group
    rows = art.read_leaves(start, min(start + art.row_group, art.leaf_count))
    lower = art.lower_levels(rows)
    sf = art.stored_from
    made = [node_bodies(level) for level in lower[: max(sf, 1)]]
    bodies = [b for b, _ in made][:sf]
    leaf_sums = made[0][1]
    sizes = [len(level) for level in lower]
    nonces = rows.nonces.tobytes().hex()
    head = '{"version":' + str(FORMAT_VERSION) + ',"assets":' + _dumps(art.assets)
    tail = '],"root":' + _dumps(art.root) + "}"
    block = 1 << sf
    ids = rows.customer_ids
    for first in range(0, len(ids), block):
        upper = frags.upper_path((start + first) >> sf)
        paths = _block_paths(bodies, sizes, first, upper, frags.padding)
        for k, path in enumerate(paths):
            i = first + k
            yield (
                f'{head},"customer_id":{json_string(ids[i])},'
                f'"nonce":"{nonces[32 * i : 32 * i + 32]}",'
                f'"balances":{leaf_sums[i]},"path":[{path}{tail}'
            )


def _shard_task(task: tuple[int, int, int]) -> dict[str, Any]:
    shard, first_group, last_group = task
    s = state()
    art = TreeArtifact(s["manifest"], s["check"])
    frags = _Fragments(art)
    name = f"proofs-{shard:05d}.jsonl"
    digest = hashlib.sha256()
    count = 0
    with (Path(s["out"]) / name).open("wb") as f:
        for group in range(first_group, last_group):
            lines = group_lines(art, frags, group)
            while batch := list(itertools.islice(lines, _WRITE_LINES)):
                chunk = ("\n".join(batch) + "\n").encode("utf-8")
                digest.update(chunk)
                f.write(chunk)
                count += len(batch)
    return {"file": name, "proofs": count, "sha256": digest.hexdigest()}


def export_proofs(
    manifest: Path,
    out: Path,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    check: Callable[[str], object] | None = None,
) -> dict[str, Any]:
    """Write every proof into ``out`` (created, must be empty) plus ``manifest.json``.

    With ``check`` (:class:`~kansa.reserves.artifact.ArtifactCheck`) every file of the tree is
    re-hashed against its ledger entry before ``out`` is created, so an altered tree writes
    nothing; the workers' own checks then cost a ``stat`` each.
    """
    verify = check or unchecked
    art = TreeArtifact(manifest, verify)
    for name in art.leaf_files:
        verify(name)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise KansaError(
            tr(f"{out} is not empty.", f"{out} が空ではありません。"),
            hint=tr("Choose a new folder.", "新しいフォルダーを指定してください。"),
        )
    groups = -(-art.leaf_count // art.row_group)
    tasks = [
        (k, g, min(g + SHARD_GROUPS, groups)) for k, g in enumerate(range(0, groups, SHARD_GROUPS))
    ]
    shared = {"manifest": manifest, "out": out, "check": verify}
    shards: list[dict[str, Any]] = [{} for _ in tasks]
    count = 0
    workers = default_workers() if workers is None else workers
    for done, (i, result) in enumerate(run_tasks(_shard_task, tasks, shared, workers=workers), 1):
        shards[i] = result
        count += result["proofs"]
        if progress:
            progress(done, len(tasks))
    index = {
        "format": "kansa-reserves-proofs",
        "version": FORMAT_VERSION,
        "as_of": art.manifest["as_of"],
        "assets": art.assets,
        "root": art.root,
        "proofs": count,
        "shards": shards,
    }
    (out / "manifest.json").write_text(json.dumps(index, indent=2) + "\n", encoding="utf-8")
    return index

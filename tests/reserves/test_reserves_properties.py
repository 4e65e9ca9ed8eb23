"""Properties over trees of 1 to 10,000 leaves: every proof verifies, the root is the one an
independent implementation computes, and the root sums are the customers' totals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reserves_support import DAY, balance_rows, commit_rows

from kansa.reserves import TreeArtifact, export_proofs, proof_line, verify_proof
from kansa.reserves import tree as tree_module
from kansa.reserves.artifact import commit_tree, find_tree
from kansa.reserves.tree import TreeInput, build_tree
from kansa.reserves.u128 import from_ints
from kansa.vault import Vault
from kansa.workspace import create_workspace

ASSETS = ("BTC", "ETH", "XRP")


def _input(balances: list[list[int]], ids: list[str]) -> TreeInput:
    import hashlib

    hashes = b"".join(hashlib.sha256(c.encode("utf-8")).digest() for c in ids)
    return TreeInput(
        assets=ASSETS,
        id_hashes=np.frombuffer(hashes, dtype=np.uint8).reshape(len(ids), 32).copy(),
        balances=from_ints(balances, len(ASSETS)),
    )


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[str], list[list[int]]]:
    n = draw(st.integers(min_value=1, max_value=10_000))
    seed = draw(st.integers(min_value=0, max_value=2**32 - 1))
    rng = np.random.default_rng(seed)
    wide = draw(st.booleans())  # amounts past 64 bits (wei) in the second asset
    small = rng.integers(0, 10**12, size=(n, len(ASSETS)), dtype=np.int64).tolist()
    if wide:
        for row in small:
            row[1] = row[1] * 10**12 + 7
    ids = [f"顧客-{i}-{seed % 997}" for i in range(n)]
    return ids, small


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=trees())
@example(case=(["a"], [[1, 2, 3]]))
@example(case=([f"c{i}" for i in range(65)], [[i, 2 * i, 0] for i in range(65)]))
@example(case=([f"c{i}" for i in range(128)], [[i, 0, 1] for i in range(128)]))
@example(case=([f"c{i}" for i in range(10_000)], [[i, 10**30 + i, 7] for i in range(10_000)]))
def test_every_proof_verifies_and_sums_are_totals(
    tmp_path_factory: pytest.TempPathFactory, reference, case: tuple[list[str], list[list[int]]]
) -> None:
    ids, balances = case
    ws = create_workspace(tmp_path_factory.mktemp("ws") / "ws")
    vault = Vault(ws.vault_dir)
    source = commit_rows(ws, "customer_balances", balance_rows({"x": {"BTC": 1}}))
    tree_input = _input(balances, ids)
    built = build_tree(tree_input, seed=5)
    payload = commit_tree(
        vault, built, tree_input, _ids_array(ids), as_of=DAY, source=source, seeded=True, workers=1
    )
    totals = [sum(col) for col in zip(*balances, strict=True)]
    assert payload["root"]["sums"] == [str(t) for t in totals]

    where = {cid: i for i, cid in enumerate(ids)}
    art = TreeArtifact(find_tree(vault, DAY).manifest)
    rows = art.read_leaves(0, len(ids)) if len(ids) <= art.row_group else None
    if rows is not None:
        leaves = [
            reference.leaf(bytes(rows.nonces[i]), cid, balances[where[cid]])
            for i, cid in enumerate(rows.customer_ids)
        ]
        assert reference.root(leaves)[0].hex() == payload["root"]["hash"]

    out = tmp_path_factory.mktemp("proofs")
    index = export_proofs(art.folder / "tree.json", out, workers=1)
    assert index["proofs"] == len(ids)
    seen = set()
    for shard in index["shards"]:
        for line in (out / shard["file"]).read_text(encoding="utf-8").splitlines():
            proof = json.loads(line)
            result = verify_proof(proof, payload["root"]["hash"], assets=list(ASSETS))
            assert result.ok, result.reason
            assert list(result.balances) == balances[where[proof["customer_id"]]]
            seen.add(proof["customer_id"])
    assert seen == set(ids)
    some = ids[len(ids) // 2]
    assert proof_line(art.proof(some)) == _line_of(out, index, some)


def _ids_array(ids: list[str]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.array(ids, pa.large_string())


def _line_of(out: Path, index: dict, cid: str) -> str:
    for shard in index["shards"]:
        for line in (out / shard["file"]).read_text(encoding="utf-8").splitlines():
            if json.loads(line)["customer_id"] == cid:
                return line
    raise AssertionError(cid)


def test_parallel_build_equals_serial(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forked workers over small chunks and blocks give the same tree as one process."""
    n = 3000
    rng = np.random.default_rng(3)
    balances = rng.integers(0, 10**9, size=(n, len(ASSETS)), dtype=np.int64).tolist()
    tree_input = _input(balances, [f"id{i}" for i in range(n)])
    serial = build_tree(tree_input, seed=1, workers=1)
    monkeypatch.setattr(tree_module, "SERIAL_BELOW", 1)
    monkeypatch.setattr(tree_module, "LEAF_CHUNK", 97)
    monkeypatch.setattr(tree_module, "BLOCK_STEPS", 7)
    forked = build_tree(tree_input, seed=1, workers=2)
    assert np.array_equal(serial.order, forked.order)
    assert np.array_equal(serial.nonces, forked.nonces)
    assert len(serial.stored) == len(forked.stored)
    for a, b in zip(serial.stored, forked.stored, strict=True):
        assert np.array_equal(a, b)


def test_random_nonces_differ_per_build() -> None:
    tree_input = _input([[1, 2, 3], [4, 5, 6]], ["a", "b"])
    first, second = build_tree(tree_input), build_tree(tree_input)
    assert not np.array_equal(first.nonces, second.nonces)
    assert not np.array_equal(first.root, second.root)
    assert np.array_equal(first.root[32:], second.root[32:])  # same sums


def test_leaf_order_settles_prefix_ties_on_the_full_hash() -> None:
    hashes = np.zeros((3, 32), dtype=np.uint8)
    hashes[:, 31] = [3, 1, 2]  # identical first 8 bytes
    assert tree_module.leaf_order(hashes).tolist() == [1, 2, 0]
    hashes[2] = hashes[0]
    with pytest.raises(ValueError, match="same hash"):
        tree_module.leaf_order(hashes)


def test_tree_across_several_leaf_files(tmp_path: Path) -> None:
    """70,000 customers: two leaf files, forked workers, proofs on both sides of the seam."""
    n = 70_000
    ws = create_workspace(tmp_path / "ws")
    vault = Vault(ws.vault_dir)
    source = commit_rows(ws, "customer_balances", balance_rows({"x": {"BTC": 1}}))
    rng = np.random.default_rng(8)
    balances = rng.integers(0, 10**15, size=(n, len(ASSETS)), dtype=np.int64).tolist()
    ids = [f"u{i}" for i in range(n)]
    tree_input = _input(balances, ids)
    built = build_tree(tree_input, seed=2, workers=2)
    payload = commit_tree(
        vault, built, tree_input, _ids_array(ids), as_of=DAY, source=source, seeded=True, workers=2
    )
    art = TreeArtifact(find_tree(vault, DAY).manifest)
    assert len(art.leaf_files) == 2
    out = tmp_path / "proofs"
    index = export_proofs(art.folder / "tree.json", out, workers=2)
    assert index["proofs"] == n
    lines = [
        line
        for shard in index["shards"]
        for line in (out / shard["file"]).read_text(encoding="utf-8").splitlines()
    ]
    for position in (0, 1, 65_535, 65_536, 65_537, n - 1, *range(7, n, 4999)):
        proof = json.loads(lines[position])
        assert verify_proof(proof, payload["root"]["hash"]).ok
        assert art.position(proof["customer_id"]) == position
        assert proof_line(art.proof(proof["customer_id"])) == lines[position]


@given(text=st.text())
def test_bulk_lines_spell_customer_ids_as_json_does(text: str) -> None:
    from kansa.reserves.export import json_string

    assert json_string(text) == json.dumps(text, ensure_ascii=False)

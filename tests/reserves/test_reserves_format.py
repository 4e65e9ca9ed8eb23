"""The proof format (version 1) byte for byte: test vector, hand-computed 2- and 3-leaf trees."""

from __future__ import annotations

import hashlib

import pytest
from reserves_support import DAY, balance_rows, commit_rows

from kansa.reserves import TreeArtifact, build_reserves, find_tree, verify_proof
from kansa.reserves.encoding import FormatError, enc, leaf_hash, node_hash, parse_amount
from kansa.vault import Vault
from kansa.workspace import Workspace

# Test vector published in docs/reserves.md ("Test vector"): two customers, fixed nonces.
VECTOR_ASSETS = ["BTC", "ETH"]
VECTOR_LEAVES = [
    ("alice", bytes(range(16)), [150_000_000, 2 * 10**18]),
    ("ボブ", bytes(range(16, 32)), [0, 10**20]),  # wider than 64 bits, like wei
]
VECTOR_LEAF_HEX = [
    "cd7dadf9ccc0b48ad08187a97d4b701b20b7acc4aad17f24ca58ede584073cd8",
    "b7216b2bfa598ee2a4a5e271e12af40456333ac4542ce5fc5957848652fd49f0",
]
VECTOR_ROOT_HEX = "0bb14d05c243ebeb986fae2aef17412939847a63dd0e89b442a36ca1d3376476"


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def test_enc_is_16_bytes_big_endian() -> None:
    assert enc(1) == b"\x00" * 15 + b"\x01"
    assert enc(2**128 - 1) == b"\xff" * 16
    assert enc(10**20).hex() == "00000000000000056bc75e2d63100000"
    for bad in (-1, 2**128):
        with pytest.raises(FormatError):
            enc(bad)


def test_amount_strings_have_one_spelling() -> None:
    assert parse_amount("0") == 0
    assert parse_amount(str(2**128 - 1)) == 2**128 - 1
    for bad in ("00", "01", "-1", "+1", " 1", "1.0", "", str(2**128), 5):
        with pytest.raises(FormatError):
            parse_amount(bad)


def test_leaf_and_node_hash_match_the_spelled_out_bytes(reference) -> None:
    nonce = bytes(range(16))
    message = (
        b"\x00"
        + nonce
        + sha(b"alice")
        + (150_000_000).to_bytes(16, "big")
        + (2 * 10**18).to_bytes(16, "big")
    )
    assert leaf_hash(nonce, "alice", [150_000_000, 2 * 10**18]) == sha(message)
    left, right = b"\x11" * 32, b"\x22" * 32
    inner = b"\x01" + left + enc(1) + enc(2) + right + enc(3) + enc(4)
    assert node_hash(left, [1, 2], right, [3, 4]) == sha(inner)
    assert reference.parent((left, [1, 2]), (right, [3, 4])) == (sha(inner), [4, 6])


def test_published_test_vector(reference) -> None:
    leaves = [reference.leaf(n, c, b) for c, n, b in VECTOR_LEAVES]
    root_hash, sums = reference.root(leaves)
    assert sums == [150_000_000, 2 * 10**18 + 10**20]
    assert root_hash.hex() == VECTOR_ROOT_HEX
    low, high = sorted(leaves)
    assert [leaf_hash(n, c, b).hex() for c, n, b in VECTOR_LEAVES] == VECTOR_LEAF_HEX
    for (cid, nonce, bal), (own, _) in zip(VECTOR_LEAVES, leaves, strict=True):
        sibling = high if own == low[0] else low
        proof = {
            "version": 1,
            "assets": VECTOR_ASSETS,
            "customer_id": cid,
            "nonce": nonce.hex(),
            "balances": [str(v) for v in bal],
            "path": [
                {
                    "side": "right" if own == low[0] else "left",
                    "hash": sibling[0].hex(),
                    "sums": [str(v) for v in sibling[1]],
                }
            ],
            "root": {"hash": root_hash.hex(), "sums": [str(v) for v in sums]},
        }
        assert verify_proof(proof, VECTOR_ROOT_HEX).ok


def _built(ws: Workspace, holdings: dict[str, dict[str, int]]) -> tuple[dict, TreeArtifact]:
    commit_rows(ws, "customer_balances", balance_rows(holdings))
    vault = Vault(ws.vault_dir)
    payload = build_reserves(vault, seed=11)
    return payload, TreeArtifact(find_tree(vault, DAY).manifest)


def _stored_leaves(art: TreeArtifact, reference) -> list[tuple[bytes, list[int], str]]:
    rows = art.read_leaves(0, art.leaf_count)
    out = []
    for i, cid in enumerate(rows.customer_ids):
        bal = [int.from_bytes(bytes(rows.balances[i][k : k + 16]), "big") for k in (0, 16)]
        digest, _ = reference.leaf(bytes(rows.nonces[i]), cid, bal)
        out.append((digest, bal, cid))
    return out


def test_two_leaf_tree_by_hand(workspace: Workspace, reference) -> None:
    payload, art = _built(workspace, {"alice": {"BTC": 5, "ETH": 10**20}, "bob": {"BTC": 7}})
    leaves = _stored_leaves(art, reference)
    (h0, s0, c0), (h1, s1, c1) = leaves
    assert h0 < h1  # stored in leaf order
    root = sha(b"\x01" + h0 + enc(s0[0]) + enc(s0[1]) + h1 + enc(s1[0]) + enc(s1[1]))
    assert payload["assets"] == ["BTC", "ETH"]
    assert payload["root"] == {"hash": root.hex(), "sums": ["12", str(10**20)]}
    proof = art.proof(c0)
    assert proof["path"] == [{"side": "right", "hash": h1.hex(), "sums": [str(v) for v in s1]}]
    assert art.proof(c1)["path"] == [
        {"side": "left", "hash": h0.hex(), "sums": [str(v) for v in s0]}
    ]
    assert verify_proof(proof, root.hex()).ok


def test_three_leaf_tree_by_hand(workspace: Workspace, reference) -> None:
    payload, art = _built(
        workspace,
        {"c1": {"BTC": 1}, "c2": {"ETH": 2}, "c3": {"BTC": 3, "ETH": 4}},
    )
    (h0, s0, _), (h1, s1, _), (h2, s2, c2) = _stored_leaves(art, reference)
    assert h0 < h1 < h2
    zero = b"\x00" * 32
    n0 = sha(b"\x01" + h0 + enc(s0[0]) + enc(s0[1]) + h1 + enc(s1[0]) + enc(s1[1]))
    n0_sums = [s0[0] + s1[0], s0[1] + s1[1]]
    n1 = sha(b"\x01" + h2 + enc(s2[0]) + enc(s2[1]) + zero + enc(0) + enc(0))
    root = sha(b"\x01" + n0 + enc(n0_sums[0]) + enc(n0_sums[1]) + n1 + enc(s2[0]) + enc(s2[1]))
    assert payload["root"] == {"hash": root.hex(), "sums": ["4", "6"]}
    assert art.proof(c2)["path"] == [
        {"side": "right", "hash": zero.hex(), "sums": ["0", "0"]},
        {"side": "left", "hash": n0.hex(), "sums": [str(v) for v in n0_sums]},
    ]
    for cid in ("c1", "c2", "c3"):
        assert verify_proof(art.proof(cid), root.hex()).ok


def test_one_leaf_tree_is_its_own_root(workspace: Workspace, reference) -> None:
    payload, art = _built(workspace, {"solo": {"BTC": 9}})
    proof = art.proof("solo")
    assert proof["path"] == []
    digest, _ = reference.leaf(bytes.fromhex(proof["nonce"]), "solo", [9])
    assert payload["root"] == {"hash": digest.hex(), "sums": ["9"]}
    assert verify_proof(proof, digest.hex()).ok

"""Verify one customer's proof of inclusion, with nothing but the proof and the published root.

This module needs no workspace, no vault and no numpy: it is what a customer or an outside
verifier runs. It is deliberately strict: every value has exactly one accepted spelling
(lower-case hex, canonical decimal strings, known keys only), so changing any byte of any field
either breaks a format rule or changes a hash, and the proof fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kansa.i18n import tr
from kansa.reserves.encoding import (
    FORMAT_VERSION,
    HASH_BYTES,
    NONCE_BYTES,
    FormatError,
    add_sums,
    leaf_hash,
    node_hash,
    parse_amount,
    parse_hex,
)

PROOF_KEYS = ("version", "assets", "customer_id", "nonce", "balances", "path", "root")
STEP_KEYS = ("side", "hash", "sums")
ROOT_KEYS = ("hash", "sums")
MAX_PATH = 128  # a tree of 2**128 leaves is far beyond any exchange


@dataclass(frozen=True)
class Verification:
    """The outcome: ``ok`` and, if not, the ``reason`` in plain words."""

    ok: bool
    reason: str
    assets: tuple[str, ...] = ()
    balances: tuple[int, ...] = ()
    root_hash: str = ""
    root_sums: tuple[int, ...] = ()


def _keys(obj: Any, keys: Sequence[str], where: str) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise FormatError(f"{where} must be a JSON object")
    if set(obj) != set(keys):
        raise FormatError(f"{where} must have exactly the keys {list(keys)}")
    return obj


def _vector(values: Any, width: int, where: str) -> list[int]:
    if not isinstance(values, list) or len(values) != width:
        raise FormatError(f"{where} must be a list of {width} decimal strings (one per asset)")
    return [parse_amount(v) for v in values]


def _assets(values: Any) -> list[str]:
    if not isinstance(values, list) or not values or not all(isinstance(a, str) for a in values):
        raise FormatError("assets must be a non-empty list of symbols")
    if values != sorted(set(values)):
        raise FormatError("assets must be sorted by symbol, without repeats")
    return values


def _recompute(proof: dict[str, Any], width: int) -> tuple[bytes, list[int]]:
    """Walk from the leaf to the root: the hash and sums the path leads to."""
    cid = proof["customer_id"]
    if not isinstance(cid, str):
        raise FormatError("customer_id must be a string")
    nonce = parse_hex(proof["nonce"], NONCE_BYTES)
    sums = _vector(proof["balances"], width, "balances")
    current = leaf_hash(nonce, cid, sums)
    path = proof["path"]
    if not isinstance(path, list) or len(path) > MAX_PATH:
        raise FormatError(f"path must be a list of at most {MAX_PATH} steps")
    for i, raw in enumerate(path):
        step = _keys(raw, STEP_KEYS, f"path[{i}]")
        sib_hash = parse_hex(step["hash"], HASH_BYTES)
        sib_sums = _vector(step["sums"], width, f"path[{i}].sums")
        if step["side"] == "left":
            current = node_hash(sib_hash, sib_sums, current, sums)
        elif step["side"] == "right":
            current = node_hash(current, sums, sib_hash, sib_sums)
        else:
            raise FormatError(f"path[{i}].side must be 'left' or 'right'")
        sums = add_sums(sums, sib_sums)
    return current, sums


def verify_proof(
    proof: Any, root_hash: str, *, assets: Sequence[str] | None = None
) -> Verification:
    """Check ``proof`` (parsed proof.json) against the published ``root_hash`` (hex).

    ``ok`` only if the format is exactly version 1, the path recomputes the proof's root hash
    and sums exactly, and that hash is the published one (and, if given, the asset list is the
    published one: the root hash does not commit to the symbols, only to their order).
    """
    try:
        published = parse_hex(root_hash.strip().lower(), HASH_BYTES)
    except FormatError:
        return Verification(
            False, tr("the published root must be 64 hex digits", "公開ルートは 16 進 64 桁です")
        )
    try:
        p = _keys(proof, PROOF_KEYS, "the proof")
        if type(p["version"]) is not int or p["version"] != FORMAT_VERSION:
            raise FormatError(f"version must be {FORMAT_VERSION}")
        symbols = _assets(p["assets"])
        root = _keys(p["root"], ROOT_KEYS, "root")
        claimed_hash = parse_hex(root["hash"], HASH_BYTES)
        claimed_sums = _vector(root["sums"], len(symbols), "root.sums")
        got_hash, got_sums = _recompute(p, len(symbols))
    except FormatError as exc:
        return Verification(False, tr("malformed proof: ", "証明の形式が不正です: ") + str(exc))
    balances = tuple(int(b) for b in p["balances"])
    reason = ""
    if assets is not None and list(assets) != symbols:
        reason = tr(
            "the proof's assets differ from the published list",
            "証明の資産一覧が公開された一覧と異なります",
        )
    elif got_hash != claimed_hash:
        reason = tr(
            "the path does not lead to the proof's root hash",
            "経路から証明のルートハッシュが再計算されません",
        )
    elif got_sums != claimed_sums:
        reason = tr(
            "the path's sums do not add up to the root sums",
            "経路の合計がルートの合計と一致しません",
        )
    elif claimed_hash != published:
        reason = tr(
            "the proof's root is not the published root",
            "証明のルートは公開されたルートではありません",
        )
    if reason:
        return Verification(False, reason, assets=tuple(symbols), balances=balances)
    return Verification(
        True,
        "ok",
        assets=tuple(symbols),
        balances=balances,
        root_hash=claimed_hash.hex(),
        root_sums=tuple(got_sums),
    )

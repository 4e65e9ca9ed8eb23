"""A tampered proof never verifies: any changed character of any field, a changed sum,
balance, nonce, customer id or side, path steps reordered, added or removed."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reserves_support import DAY, balance_rows, commit_rows

from kansa.reserves import TreeArtifact, build_reserves, find_tree, verify_proof
from kansa.vault import Vault
from kansa.workspace import create_workspace

ASSETS = ["BTC", "ETH", "XRP"]
HEX = "0123456789abcdef"
DIGITS = "0123456789"


@pytest.fixture(scope="module")
def proofs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict[str, Any]]]:
    """37 customers (a tree with padding on several levels) and five of their proofs."""
    ws = create_workspace(tmp_path_factory.mktemp("tamper") / "ws")
    holdings = {
        f"cust-{i:02d}": {"BTC": 10**8 * i, "ETH": 10**19 + i, "XRP": i % 3} for i in range(37)
    }
    commit_rows(ws, "customer_balances", balance_rows(holdings))
    vault = Vault(ws.vault_dir)
    root = build_reserves(vault, seed=2)["root"]["hash"]
    art = TreeArtifact(find_tree(vault, DAY).manifest)
    return root, [art.proof(f"cust-{i:02d}") for i in (0, 7, 18, 31, 36)]


def _string_fields(proof: dict[str, Any]) -> list[tuple[list[Any], str]]:
    """Every string value of a proof, as (path of keys, alphabet for a plausible edit)."""
    fields: list[tuple[list[Any], str]] = [(["customer_id"], "xyz-0123"), (["nonce"], HEX)]
    fields += [(["assets", i], "ABCXYZ") for i in range(len(proof["assets"]))]
    fields += [(["balances", i], DIGITS) for i in range(len(proof["balances"]))]
    fields += [(["root", "hash"], HEX)]
    fields += [(["root", "sums", i], DIGITS) for i in range(len(proof["root"]["sums"]))]
    for j, step in enumerate(proof["path"]):
        fields.append((["path", j, "hash"], HEX))
        fields.append((["path", j, "side"], "leftrigh"))
        fields += [(["path", j, "sums", i], DIGITS) for i in range(len(step["sums"]))]
    return fields


def _get(obj: Any, keys: list[Any]) -> Any:
    for k in keys:
        obj = obj[k]
    return obj


def _set(obj: Any, keys: list[Any], value: Any) -> None:
    _get(obj, keys[:-1])[keys[-1]] = value


def _check_fails(proof: dict[str, Any], root: str) -> None:
    result = verify_proof(json.loads(json.dumps(proof)), root, assets=ASSETS)
    assert not result.ok


def test_untampered_proofs_verify(proofs) -> None:
    root, docs = proofs
    for doc in docs:
        assert verify_proof(doc, root, assets=ASSETS).ok


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_any_changed_character_of_any_field_fails(proofs, data: st.DataObject) -> None:
    root, docs = proofs
    doc = copy.deepcopy(data.draw(st.sampled_from(docs)))
    keys, alphabet = data.draw(st.sampled_from(_string_fields(doc)))
    text = _get(doc, keys)
    at = data.draw(st.integers(0, len(text) - 1))
    new = data.draw(st.sampled_from(alphabet).filter(lambda c: c != text[at]))
    _set(doc, keys, text[:at] + new + text[at + 1 :])
    _check_fails(doc, root)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_changed_amounts_fail(proofs, data: st.DataObject) -> None:
    """Balances, path sums, root sums: +/- any amount (kept a valid unsigned integer)."""
    root, docs = proofs
    doc = copy.deepcopy(data.draw(st.sampled_from(docs)))
    amounts = [k for k, _ in _string_fields(doc) if "sums" in k or k[0] == "balances"]
    keys = data.draw(st.sampled_from(amounts))
    value = int(_get(doc, keys))
    delta = data.draw(st.integers(1, 10**20))
    changed = value + delta if data.draw(st.booleans()) or value < delta else value - delta
    _set(doc, keys, str(changed))
    _check_fails(doc, root)


def test_path_reordered_added_removed_or_side_flipped_fails(proofs) -> None:
    root, docs = proofs
    for doc in docs:
        n = len(doc["path"])
        for i in range(n):
            for j in range(i + 1, n):
                if doc["path"][i] == doc["path"][j]:
                    continue  # two padding siblings: swapping them changes nothing
                swapped = copy.deepcopy(doc)
                swapped["path"][i], swapped["path"][j] = doc["path"][j], doc["path"][i]
                _check_fails(swapped, root)
            flipped = copy.deepcopy(doc)
            side = doc["path"][i]["side"]
            flipped["path"][i]["side"] = "left" if side == "right" else "right"
            _check_fails(flipped, root)
            dropped = copy.deepcopy(doc)
            del dropped["path"][i]
            _check_fails(dropped, root)
        longer = copy.deepcopy(doc)
        longer["path"].append({"side": "right", "hash": "0" * 64, "sums": ["0", "0", "0"]})
        _check_fails(longer, root)


def test_other_customers_details_fail(proofs) -> None:
    """Proofs cannot be mixed: one customer's id, nonce or balances in another's proof."""
    root, docs = proofs
    a, b = docs[0], docs[1]
    for field in ("customer_id", "nonce", "balances"):
        mixed = copy.deepcopy(a)
        mixed[field] = b[field]
        _check_fails(mixed, root)


def test_structure_and_version_are_enforced(proofs) -> None:
    root, docs = proofs
    doc = docs[0]
    for mutate in (
        lambda d: d.update(version=2),
        lambda d: d.update(version=True),
        lambda d: d.update(version=1.0),
        lambda d: d.update(extra=1),
        lambda d: d.pop("nonce"),
        lambda d: d["balances"].append("0"),
        lambda d: d.update(assets=["ETH", "BTC", "XRP"]),
        lambda d: d.update(nonce=d["nonce"].upper()),
        lambda d: d["root"].update(hash="0" * 64),
    ):
        changed = copy.deepcopy(doc)
        mutate(changed)
        _check_fails(changed, root)
    assert not verify_proof(doc, "0" * 64).ok  # a different published root
    assert not verify_proof(doc, "zz").ok
    assert not verify_proof(None, root).ok
    assert not verify_proof(doc, root, assets=["BTC", "ETH", "XRQ"]).ok

"""Our derivation must agree with embit, an independent descriptor implementation, on random
keys, thresholds, templates, indices, branches and both networks (property test)."""

from __future__ import annotations

import hashlib

from embit import bip32
from embit.descriptor import Descriptor as EmbitDescriptor
from embit.networks import NETWORKS
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.custody import parse_descriptor
from kansa.custody.addresses import address_to_script
from kansa.custody.networks import network

EMBIT_NET = {"mainnet": NETWORKS["main"], "testnet": NETWORKS["test"]}
# Litecoin as embit is told about it (bech32 "ltc"; embit keeps Bitcoin's base58 prefixes).
EMBIT_LITECOIN = dict(NETWORKS["main"], name="Litecoin", bech32="ltc")
TEMPLATES = [
    "wsh(sortedmulti({k},{keys}))",
    "wsh(multi({k},{keys}))",
    "sh(wsh(sortedmulti({k},{keys})))",
    "sh(multi({k},{keys}))",
    "wpkh({key})",
    "sh(wpkh({key}))",
    "pkh({key})",
    "tr({key})",
    "tr({key},sortedmulti_a({k},{keys}))",
    "tr({key},{{pk({key}),multi_a({k},{keys})}})",
]


def _key_expression(seed: bytes, network: str, multipath: bool) -> str:
    """A signer's account xpub with its origin, as wallet software exports it (BIP 48 path)."""
    root = bip32.HDKey.from_seed(seed, version=EMBIT_NET[network]["xprv"])
    coin = "0h" if network == "mainnet" else "1h"
    account = root.derive(f"m/48h/{coin}/0h/2h").to_public()
    tail = "/<0;1>/*" if multipath else "/0/*"
    return f"[{root.my_fingerprint.hex()}/48h/{coin}/0h/2h]{account}{tail}"


@settings(max_examples=200, deadline=None)
@given(
    seeds=st.lists(st.binary(min_size=16, max_size=16), min_size=1, max_size=4, unique=True),
    threshold=st.integers(1, 4),
    template=st.sampled_from(TEMPLATES),
    index=st.integers(0, 2**31 - 1),
    network=st.sampled_from(["mainnet", "testnet"]),
    multipath=st.booleans(),
    branch=st.integers(0, 1),
)
def test_scripts_and_addresses_match_embit(
    seeds: list[bytes],
    threshold: int,
    template: str,
    index: int,
    network: str,
    multipath: bool,
    branch: int,
) -> None:
    keys = [_key_expression(hashlib.sha256(s).digest(), network, multipath) for s in seeds]
    k = min(threshold, len(keys))
    text = template.format(k=k, keys=",".join(keys), key=keys[0])
    branch = branch if multipath else 0

    ours = parse_descriptor(text).expand(index, branch, net=network)
    theirs = EmbitDescriptor.from_string(text).derive(index, branch_index=branch)
    script = theirs.script_pubkey()
    assert ours.script_pubkey == script.data
    assert ours.address == script.address(EMBIT_NET[network])


@settings(max_examples=20, deadline=None)
@given(
    seed=st.binary(min_size=16, max_size=64), path=st.lists(st.integers(0, 2**32 - 1), max_size=4)
)
def test_bip32_private_derivation_matches_embit(seed: bytes, path: list[int]) -> None:
    """Hardened and unhardened private derivation (CKDpriv) against embit."""
    from kansa.custody.bip32 import ExtendedKey

    root = bip32.HDKey.from_seed(seed)
    ours = ExtendedKey.decode(root.to_base58()).derive(tuple(path))
    assert ours.encode() == root.derive(path).to_base58()
    assert ours.neutered().encode() == root.derive(path).to_public().to_base58()


@settings(max_examples=50, deadline=None)
@given(
    seeds=st.lists(st.binary(min_size=16, max_size=16), min_size=1, max_size=3, unique=True),
    template=st.sampled_from(TEMPLATES),
    index=st.integers(0, 10_000),
)
def test_litecoin_outputs_match_embit(seeds: list[bytes], template: str, index: int) -> None:
    """Same scripts; segwit addresses with the "ltc" prefix; any other address decodes, on
    Litecoin, to the same script (its P2SH prefix is 0x32 where embit keeps Bitcoin's 0x05)."""
    keys = [_key_expression(hashlib.sha256(s).digest(), "mainnet", False) for s in seeds]
    text = template.format(k=len(keys), keys=",".join(keys), key=keys[0])
    net = network("mainnet", "litecoin")
    ours = parse_descriptor(text).expand(index, 0, net)
    script = EmbitDescriptor.from_string(text).derive(index).script_pubkey()
    assert ours.script_pubkey == script.data
    assert ours.address is not None
    assert address_to_script(ours.address, net)[0] == script.data
    if ours.address.startswith("ltc1"):
        assert ours.address == script.address(EMBIT_LITECOIN)

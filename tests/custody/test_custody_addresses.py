"""Segwit address encoding and decoding against BIP 350's "Test vectors for v0-v16 native
segregated witness addresses" (which supersede BIP 173's segwit address vectors)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kansa.custody import base58, bech32
from kansa.custody.addresses import address_to_script, script_to_address
from kansa.custody.networks import MAINNET, TESTNET

VALID = [
    ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "0014751e76e8199196d454941c45d1b3a323f1433bd6"),
    (
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        "00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
    ),
    (
        "bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y",
        "5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6",
    ),
    ("BC1SW50QGDZ25J", "6002751e"),
    ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "5210751e76e8199196d454941c45d1b3a323"),
    (
        "tb1qqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesrxh6hy",
        "0020000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c",
        "5120000000c4a5cad46221b2a187905e5266362b99d5e91c6ce24d165dab93e86433",
    ),
    (
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        "512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798",
    ),
]

INVALID = [
    "tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut",  # invalid HRP
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32 for v1
    "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",  # bech32 for v2
    "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",  # bech32 for v16
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # bech32m for v0
    "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",  # bech32m for v0
    "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # bad checksum char
    "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # witness version 17
    "bc1pw5dgrnzv",  # program of 1 byte
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",  # 41 bytes
    "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # v0 program of 16 bytes
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding > 4 bits
    "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",  # non-zero padding
    "bc1gmk9yu",  # empty data section
]


@pytest.mark.parametrize(("address", "script"), VALID)
def test_bip350_valid_segwit_addresses(address: str, script: str) -> None:
    decoded, net = address_to_script(address)
    assert decoded.hex() == script
    assert net is (MAINNET if address.lower().startswith("bc") else TESTNET)
    assert script_to_address(decoded, net) == address.lower()


@pytest.mark.parametrize("address", INVALID)
def test_bip350_invalid_segwit_addresses(address: str) -> None:
    with pytest.raises(ValueError):
        address_to_script(address)


def test_legacy_addresses_round_trip() -> None:
    script, net = address_to_script("3PUNyaW7M55oKWJ3kDukwk9bsKvryra15j")  # BIP 385 vector
    assert (script.hex(), net) == ("a914eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee87", MAINNET)
    assert script_to_address(script, TESTNET) is not None
    assert script_to_address(bytes.fromhex("deadbeef"), MAINNET) is None


@given(st.binary(max_size=80))
def test_base58check_round_trips(payload: bytes) -> None:
    assert base58.decode_check(base58.encode_check(payload)) == payload


@given(st.integers(0, 16), st.binary(min_size=2, max_size=40))
def test_segwit_encoding_round_trips(version: int, program: bytes) -> None:
    if version == 0 and len(program) not in (20, 32):
        return
    address = bech32.encode_segwit("bc", version, program)
    assert bech32.decode_segwit(address) == ("bc", version, program)

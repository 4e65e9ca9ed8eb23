"""Taproot output keys (BIP 341): leaf and branch hashes, the key tweak.

TapLeaf = tagged("TapLeaf", leaf_version || compact_size(len(script)) || script) with
leaf_version 0xc0; TapBranch = tagged("TapBranch", sorted pair); output key
Q = lift_x(P) + int(tagged("TapTweak", P || merkle_root))G, all as specified in BIP 341.
"""

from __future__ import annotations

import coincurve

from kansa.custody.hashes import tagged_hash
from kansa.custody.opcodes import compact_size

TAPSCRIPT_LEAF_VERSION = 0xC0
# BIP 341 "Constructing and spending Taproot outputs": the point H with unknown discrete
# logarithm, lift_x(SHA256(G uncompressed)); an internal key equal to it has no key path.
NUMS_H = bytes.fromhex("50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0")


def leaf_hash(script: bytes) -> bytes:
    return tagged_hash(
        "TapLeaf", bytes([TAPSCRIPT_LEAF_VERSION]) + compact_size(len(script)) + script
    )


def branch_hash(left: bytes, right: bytes) -> bytes:
    a, b = sorted((left, right))
    return tagged_hash("TapBranch", a + b)


def output_key(internal_xonly: bytes, merkle_root: bytes | None) -> bytes:
    """The 32-byte x-only output key Q committed to by a P2TR script."""
    tweak = tagged_hash("TapTweak", internal_xonly + (merkle_root or b""))
    key = coincurve.PublicKeyXOnly(internal_xonly)
    key.tweak_add(tweak)
    return key.format()

"""Output script <-> address, for the standard script templates.

P2PKH/P2SH: Base58Check with the network's version byte; segwit v0: bech32 (BIP 173);
segwit v1+ (taproot): bech32m (BIP 350). P2PK and bare multisig have no address.
"""

from __future__ import annotations

from kansa.custody import base58, bech32
from kansa.custody.networks import ALL_NETWORKS, Network
from kansa.custody.opcodes import (
    OP_0,
    OP_1,
    OP_CHECKSIG,
    OP_DUP,
    OP_EQUAL,
    OP_EQUALVERIFY,
    OP_HASH160,
)


def script_to_address(script: bytes, net: Network) -> str | None:
    """The address that pays to ``script``, or None when the template has none."""
    if (
        len(script) == 25
        and script[:3] == bytes([OP_DUP, OP_HASH160, 20])
        and script[23:] == bytes([OP_EQUALVERIFY, OP_CHECKSIG])
    ):
        return base58.encode_check(bytes([net.p2pkh]) + script[3:23])
    if len(script) == 23 and script[:2] == bytes([OP_HASH160, 20]) and script[22] == OP_EQUAL:
        return base58.encode_check(bytes([net.p2sh]) + script[2:22])
    witness = _witness_program(script)
    if witness is not None:
        version, program = witness
        return bech32.encode_segwit(net.hrp, version, program)
    return None


def _witness_program(script: bytes) -> tuple[int, bytes] | None:
    """BIP 141: a version opcode then one direct push of 2..40 bytes."""
    if not 4 <= len(script) <= 42 or script[1] != len(script) - 2:
        return None
    if script[0] == OP_0:
        return 0, script[2:]
    if OP_1 <= script[0] <= OP_1 + 15:
        return script[0] - OP_1 + 1, script[2:]
    return None


def address_to_script(address: str, net: Network | None = None) -> tuple[bytes, Network]:
    """The output script an address pays to and its network (only ``net``'s encodings when
    given); ValueError if it is not such an address."""
    candidates = (net,) if net is not None else ALL_NETWORKS
    try:
        payload = base58.decode_check(address)
    except ValueError:
        payload = b""
    if len(payload) == 21:
        for n in candidates:
            if payload[0] == n.p2pkh:
                return _p2pkh(payload[1:]), n
            if payload[0] in (n.p2sh, n.p2sh_legacy):
                return bytes([OP_HASH160, 20]) + payload[1:] + bytes([OP_EQUAL]), n
    try:
        hrp, version, program = bech32.decode_segwit(address)
    except ValueError as exc:
        where = f" on {net.label}" if net is not None else ""
        raise ValueError(f"not a valid address{where} ({exc})") from None
    for n in candidates:
        if hrp == n.hrp:
            op = OP_0 if version == 0 else OP_1 + version - 1
            return bytes([op, len(program)]) + program, n
    raise ValueError(f"address prefix {hrp!r} is not " + (net.label if net else "a known network"))


def _p2pkh(key_hash: bytes) -> bytes:
    return bytes([OP_DUP, OP_HASH160, 20]) + key_hash + bytes([OP_EQUALVERIFY, OP_CHECKSIG])

"""Bech32 (BIP 173) and bech32m (BIP 350) segwit addresses.

Checksum constants: 1 for bech32 (witness v0), 0x2BC830A3 for bech32m (v1+), per BIP 350.
Generator, character set and the 5-bit regrouping are those of BIP 173.
"""

from __future__ import annotations

CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _create_checksum(hrp: str, data: list[int], const: int) -> list[int]:
    value = _polymod(_hrp_expand(hrp) + data + [0] * 6) ^ const
    return [(value >> 5 * (5 - i)) & 31 for i in range(6)]


def _convert_bits(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    maxv = (1 << to_bits) - 1
    for value in data:
        if value < 0 or value >> from_bits:
            raise ValueError("value out of range")
        acc = (acc << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (to_bits - bits)) & maxv)
    elif bits >= from_bits or ((acc << (to_bits - bits)) & maxv):
        raise ValueError("invalid padding")
    return out


def encode_segwit(hrp: str, version: int, program: bytes) -> str:
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    data = [version, *_convert_bits(program, 8, 5, True)]
    checksum = _create_checksum(hrp, data, const)
    return hrp + "1" + "".join(CHARSET[d] for d in data + checksum)


def decode_segwit(address: str) -> tuple[str, int, bytes]:
    """``(hrp, witness version, program)``; ValueError on any rule of BIP 173/350 broken."""
    if address.lower() != address and address.upper() != address:
        raise ValueError("mixed case")
    if len(address) > 90:
        raise ValueError("too long")
    text = address.lower()
    sep = text.rfind("1")
    if sep < 1 or sep + 7 > len(text):
        raise ValueError("no separator or too short")
    hrp, rest = text[:sep], text[sep + 1 :]
    if any(ord(c) < 33 or ord(c) > 126 for c in hrp) or any(c not in CHARSET for c in rest):
        raise ValueError("invalid character")
    data = [CHARSET.index(c) for c in rest]
    if len(data) < 7:
        raise ValueError("empty data section")
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (BECH32_CONST, BECH32M_CONST):
        raise ValueError("checksum mismatch")
    version, program_5bit = data[0], data[1:-6]
    if version > 16:
        raise ValueError("witness version above 16")
    program = bytes(_convert_bits(program_5bit, 5, 8, False))
    if not 2 <= len(program) <= 40:
        raise ValueError("witness program length out of range")
    if version == 0 and len(program) not in (20, 32):
        raise ValueError("v0 witness program must be 20 or 32 bytes")
    expected = BECH32_CONST if version == 0 else BECH32M_CONST
    if const != expected:
        raise ValueError("wrong checksum variant for this witness version (BIP 350)")
    return hrp, version, program

"""The few Bitcoin script opcodes and push encodings that descriptor templates use.

Opcode values: Bitcoin Core script/script.h. Minimal pushes: BIP 62 ("Push operators") and the
CScriptNum encoding (little-endian, sign bit in the last byte).
"""

from __future__ import annotations

OP_0 = 0x00
OP_PUSHDATA1 = 0x4C
OP_PUSHDATA2 = 0x4D
OP_1 = 0x51
OP_DUP = 0x76
OP_EQUAL = 0x87
OP_EQUALVERIFY = 0x88
OP_NUMEQUAL = 0x9C
OP_HASH160 = 0xA9
OP_CHECKSIG = 0xAC
OP_CHECKMULTISIG = 0xAE
OP_CHECKSIGADD = 0xBA  # BIP 342


def push_data(data: bytes) -> bytes:
    """The shortest push of ``data``."""
    n = len(data)
    if n < OP_PUSHDATA1:
        return bytes([n]) + data
    if n <= 0xFF:
        return bytes([OP_PUSHDATA1, n]) + data
    return bytes([OP_PUSHDATA2]) + n.to_bytes(2, "little") + data


def push_int(n: int) -> bytes:
    """OP_0, OP_1..OP_16, or a minimal CScriptNum push for larger numbers."""
    if n == 0:
        return bytes([OP_0])
    if 1 <= n <= 16:
        return bytes([OP_1 + n - 1])
    if n < 0:
        raise ValueError("negative numbers are not used in descriptor templates")
    body = n.to_bytes((n.bit_length() + 8) // 8, "little")  # room for the sign bit
    if len(body) > 1 and body[-1] == 0 and not body[-2] & 0x80:
        body = body[:-1]
    return push_data(body)


def compact_size(n: int) -> bytes:
    """Bitcoin's variable-length integer (used by BIP 341 leaf hashes)."""
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")

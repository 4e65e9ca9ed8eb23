"""Base58Check, the encoding of legacy addresses, WIF keys and BIP 32 extended keys.

Alphabet and checksum (first 4 bytes of double SHA-256) as in Bitcoin Core's base58.cpp and
BIP 32 "Serialization format".
"""

from __future__ import annotations

from kansa.custody.hashes import double_sha256

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, rem = divmod(n, 58)
        out.append(ALPHABET[rem])
    zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * zeros + "".join(reversed(out))


def decode(text: str) -> bytes:
    """Raise ValueError on a character outside the alphabet."""
    n = 0
    for c in text:
        if c not in _INDEX:
            raise ValueError(f"{c!r} is not a base58 character")
        n = n * 58 + _INDEX[c]
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + body


def encode_check(payload: bytes) -> str:
    return encode(payload + double_sha256(payload)[:4])


def decode_check(text: str) -> bytes:
    """The payload; ValueError if the text is not base58 or its checksum is wrong."""
    raw = decode(text)
    if len(raw) < 4:
        raise ValueError("too short for base58check")
    payload, check = raw[:-4], raw[-4:]
    if double_sha256(payload)[:4] != check:
        raise ValueError("base58check checksum mismatch")
    return payload

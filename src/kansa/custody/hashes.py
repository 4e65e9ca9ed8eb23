"""The hash functions Bitcoin scripts and keys are built from."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _ripemd160_impl() -> Callable[[bytes], bytes]:
    """hashlib's RIPEMD-160 when OpenSSL provides it (OpenSSL 3 may not); else embit's."""
    try:
        hashlib.new("ripemd160")
    except ValueError:
        from embit.util.py_ripemd160 import ripemd160 as pure

        return pure
    return lambda data: hashlib.new("ripemd160", data).digest()


ripemd160 = _ripemd160_impl()


def hash160(data: bytes) -> bytes:
    """RIPEMD-160 of SHA-256: key and script hashes in P2PKH, P2SH, P2WPKH; BIP 32 ids."""
    return ripemd160(sha256(data))


def double_sha256(data: bytes) -> bytes:
    return sha256(sha256(data))


def hmac_sha512(key: bytes, data: bytes) -> bytes:
    return hmac.digest(key, data, "sha512")


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP 340: SHA256(SHA256(tag) || SHA256(tag) || data)."""
    tag_hash = sha256(tag.encode())
    return sha256(tag_hash + tag_hash + data)


def keccak256(data: bytes) -> bytes:
    """Keccak-256 as Ethereum and NEM use it: the original Keccak padding, not FIPS 202 SHA3-256
    (Ethereum Yellow Paper, appendix "KEC"). pycryptodome's implementation, not ours."""
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=data).digest()

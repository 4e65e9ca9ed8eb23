"""BIP 32 extended keys: decoding, encoding and child key derivation on libsecp256k1.

Serialization (78 bytes: version, depth, parent fingerprint, child number, chain code, key) and
the CKDpriv/CKDpub functions follow BIP 32 "Key derivation" and "Serialization format"; the
curve arithmetic is coincurve's.
"""

from __future__ import annotations

from dataclasses import dataclass

import coincurve

from kansa.custody import base58
from kansa.custody.hashes import hash160, hmac_sha512
from kansa.custody.networks import MAINNET, TESTNET, Network

HARDENED = 0x80000000
# Order of the secp256k1 group (SEC 2, section 2.4.1).
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


class ExtendedKeyError(ValueError):
    """An extended key string that BIP 32 does not accept."""


@dataclass(frozen=True)
class ExtendedKey:
    network: Network
    is_private: bool
    depth: int
    parent_fingerprint: bytes
    child_number: int
    chain_code: bytes
    key: bytes  # 32-byte secret for private keys, 33-byte compressed point for public ones

    @classmethod
    def decode(cls, text: str) -> ExtendedKey:
        try:
            raw = base58.decode_check(text)
        except ValueError as exc:
            raise ExtendedKeyError(str(exc)) from None
        if len(raw) != 78:
            raise ExtendedKeyError(f"extended key is {len(raw)} bytes, BIP 32 needs 78")
        version, depth, parent, child = raw[:4], raw[4], raw[5:9], int.from_bytes(raw[9:13])
        chain_code, keydata = raw[13:45], raw[45:78]
        for net in (MAINNET, TESTNET):
            if version in (net.xpub, net.xprv):
                is_private = version == net.xprv
                break
        else:
            raise ExtendedKeyError(f"unknown extended key version {version.hex()}")
        if depth == 0 and (parent != b"\x00" * 4 or child != 0):
            raise ExtendedKeyError("depth 0 key with a parent fingerprint or child number")
        if is_private:
            secret = _checked_secret(keydata)
            return cls(net, True, depth, parent, child, chain_code, secret)
        _checked_point(keydata)
        return cls(net, False, depth, parent, child, chain_code, keydata)

    def encode(self) -> str:
        version = self.network.xprv if self.is_private else self.network.xpub
        keydata = b"\x00" + self.key if self.is_private else self.key
        raw = (
            version
            + bytes([self.depth])
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + keydata
        )
        return base58.encode_check(raw)

    @property
    def public_key(self) -> bytes:
        """The compressed public key (33 bytes)."""
        if self.is_private:
            return coincurve.PrivateKey(self.key).public_key.format(compressed=True)
        return self.key

    @property
    def fingerprint(self) -> bytes:
        """BIP 32 key fingerprint: the first 4 bytes of HASH160 of the public key."""
        return hash160(self.public_key)[:4]

    def neutered(self) -> ExtendedKey:
        """The extended public key of this key (BIP 32 "N()")."""
        if not self.is_private:
            return self
        return ExtendedKey(
            self.network,
            False,
            self.depth,
            self.parent_fingerprint,
            self.child_number,
            self.chain_code,
            self.public_key,
        )

    def child(self, index: int) -> ExtendedKey:
        """CKDpriv or CKDpub; a hardened index needs a private key."""
        if not 0 <= index <= 0xFFFFFFFF:
            raise ExtendedKeyError(f"child index {index} out of range")
        hardened = index >= HARDENED
        if hardened and not self.is_private:
            raise ExtendedKeyError("hardened derivation needs the private key")
        if hardened:
            data = b"\x00" + self.key + index.to_bytes(4, "big")
        else:
            data = self.public_key + index.to_bytes(4, "big")
        digest = hmac_sha512(self.chain_code, data)
        tweak, chain_code = digest[:32], digest[32:]
        if int.from_bytes(tweak) >= CURVE_ORDER:
            raise ExtendedKeyError(f"child {index} is invalid (BIP 32: I_L >= n); use the next")
        if self.is_private:
            child_key = coincurve.PrivateKey(self.key).add(tweak).secret
        else:
            child_key = coincurve.PublicKey(self.key).add(tweak).format(compressed=True)
        if self.depth == 255:
            raise ExtendedKeyError("depth would exceed 255")
        return ExtendedKey(
            self.network,
            self.is_private,
            self.depth + 1,
            self.fingerprint,
            index,
            chain_code,
            child_key,
        )

    def derive(self, path: tuple[int, ...]) -> ExtendedKey:
        node = self
        for index in path:
            node = node.child(index)
        return node


def _checked_secret(keydata: bytes) -> bytes:
    if keydata[0] != 0:
        raise ExtendedKeyError("private key data must start with 0x00")
    secret = keydata[1:]
    if not 0 < int.from_bytes(secret) < CURVE_ORDER:
        raise ExtendedKeyError("private key out of range")
    return secret


def _checked_point(keydata: bytes) -> None:
    if keydata[0] not in (2, 3):
        raise ExtendedKeyError("public key data must be a compressed point")
    try:
        coincurve.PublicKey(keydata)
    except ValueError:
        raise ExtendedKeyError("public key is not on the curve") from None


def format_path(path: tuple[int, ...]) -> str:
    """``/0h/1/2`` with ``h`` as the hardened marker."""
    return "".join(f"/{i - HARDENED}h" if i >= HARDENED else f"/{i}" for i in path)

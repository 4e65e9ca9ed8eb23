"""Is this text an address of that chain? Format and checksum rules, one function per family.

Nothing here proves who controls an address: it refuses text that no key of the chain could
ever own (a typo, an address of another chain), which is what a register must not hold.
Each rule names its specification:

* ``bitcoin``: Base58Check P2PKH/P2SH or BIP 173/350 segwit, with the network's prefixes
  (:mod:`kansa.custody.addresses`; Bitcoin Core / Litecoin Core chainparams).
* ``evm``: ``0x`` + 20 bytes hex; a mixed-case address must carry its EIP-55 checksum
  (Keccak-256 of the lower-case hex, a nibble >= 8 upper-cases the letter).
* ``tron``: Base58Check (Bitcoin alphabet, double SHA-256 checksum) of 21 bytes starting with
  0x41, so a ``T`` address (developers.tron.network, "Account": address format).
* ``xrp``: XRP Ledger's own base58 alphabet ``rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1
  tuvAxyz``, type prefix 0x00, a 20-byte AccountID and a 4-byte double SHA-256 checksum
  (xrpl.org, "Addresses": Address Encoding).
* ``solana``: base58 (Bitcoin alphabet) of exactly 32 bytes, an ed25519 public key or a
  program-derived address (solana.com docs, "Accounts": address). No checksum exists.
* ``nem``: NEM NIS1, RFC 4648 base32 of 25 bytes: network byte (0x68 ``N`` mainnet, 0x98 ``T``
  testnet), RIPEMD-160 of the Keccak-256 of the public key, and the first 4 bytes of Keccak-256
  of those 21 bytes as checksum (NEM Technical Reference 1.2.1, section 3.6 "Addresses").
* ``symbol``: Symbol (XYM), NEM's successor chain: RFC 4648 base32 of 24 bytes, written as 39
  characters without padding: network byte (0x68 ``N`` mainnet, 0x98 ``T`` testnet),
  RIPEMD-160 of the SHA3-256 (FIPS 202, not Keccak) of the public key, and the first 3 bytes of
  SHA3-256 of those 21 bytes as checksum (Symbol SDK ``Address``; checked against the published
  testnet address ``TARDV42KTAIZEF64EQT4NXT7K55DHWBEFIXVJQY``).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable

from kansa.custody import base58
from kansa.custody.addresses import address_to_script
from kansa.custody.hashes import double_sha256, keccak256, ripemd160
from kansa.custody.networks import network

XRP_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
_TO_BITCOIN_ALPHABET = str.maketrans(XRP_ALPHABET, base58.ALPHABET)
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
NEM_NETWORK_BYTES = {"mainnet": 0x68, "testnet": 0x98}
TRON_PREFIX = 0x41


class AddressFormatError(ValueError):
    """The text is not an address of the chain; the message says what is wrong."""


def check_bitcoin_like(address: str, chain: str, net: str) -> None:
    try:
        address_to_script(address, network(net, chain))
    except ValueError as exc:
        raise AddressFormatError(str(exc)) from None


def eip55(address: str) -> str:
    """The EIP-55 mixed-case form of a 0x address."""
    hex_part = address[2:].lower()
    digest = keccak256(hex_part.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(hex_part)
    )


def check_evm(address: str, chain: str = "ethereum", net: str = "mainnet") -> None:
    if not _EVM.match(address):
        raise AddressFormatError("expected 0x and 40 hex digits")
    body = address[2:]
    if body != body.lower() and body != body.upper() and eip55(address) != address:
        raise AddressFormatError("mixed-case address whose EIP-55 checksum is wrong")


def check_tron(address: str, chain: str = "tron", net: str = "mainnet") -> None:
    try:
        payload = base58.decode_check(address)
    except ValueError as exc:
        raise AddressFormatError(f"not Base58Check ({exc})") from None
    if len(payload) != 21 or payload[0] != TRON_PREFIX:
        raise AddressFormatError("expected 21 bytes starting with 0x41 (a T address)")


def xrp_decode(address: str) -> bytes:
    """The 20-byte AccountID of a classic XRP Ledger address."""
    if any(c not in XRP_ALPHABET for c in address):
        raise AddressFormatError("a character outside the XRP Ledger base58 alphabet")
    raw = base58.decode(address.translate(_TO_BITCOIN_ALPHABET))
    if len(raw) != 25 or raw[0] != 0x00:
        raise AddressFormatError("expected type prefix 0x00 and a 20-byte account id")
    if double_sha256(raw[:21])[:4] != raw[21:]:
        raise AddressFormatError("XRP address checksum mismatch")
    return raw[1:21]


def check_xrp(address: str, chain: str = "xrp", net: str = "mainnet") -> None:
    xrp_decode(address)


def check_solana(address: str, chain: str = "solana", net: str = "mainnet") -> None:
    try:
        raw = base58.decode(address)
    except ValueError as exc:
        raise AddressFormatError(str(exc)) from None
    if len(raw) != 32:
        raise AddressFormatError(f"expected 32 bytes (an ed25519 key), got {len(raw)}")


def nem_address(public_key: bytes, net: str = "mainnet") -> str:
    """NIS1 address of a 32-byte public key (used by tests to cross-check vectors)."""
    body = bytes([NEM_NETWORK_BYTES[net]]) + ripemd160(keccak256(public_key))
    return base64.b32encode(body + keccak256(body)[:4]).decode("ascii")


def check_nem(address: str, chain: str = "nem", net: str = "mainnet") -> None:
    text = address.replace("-", "").upper()  # NEM shows addresses in groups of six
    if len(text) != 40:
        raise AddressFormatError("expected 40 base32 characters")
    try:
        raw = base64.b32decode(text)
    except ValueError:
        raise AddressFormatError("not base32 (RFC 4648)") from None
    if raw[0] != NEM_NETWORK_BYTES.get(net):
        raise AddressFormatError(f"network byte 0x{raw[0]:02x} is not NEM {net}")
    if keccak256(raw[:21])[:4] != raw[21:]:
        raise AddressFormatError("NEM address checksum mismatch")


def symbol_address(public_key: bytes, net: str = "mainnet") -> str:
    """Symbol address of a 32-byte public key (used by tests to build vectors)."""
    body = bytes([NEM_NETWORK_BYTES[net]]) + ripemd160(hashlib.sha3_256(public_key).digest())
    raw = body + hashlib.sha3_256(body).digest()[:3]
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def check_symbol(address: str, chain: str = "symbol", net: str = "mainnet") -> None:
    text = address.replace("-", "").upper()  # wallets show addresses in groups of six
    if len(text) != 39:
        raise AddressFormatError("expected 39 base32 characters")
    try:
        raw = base64.b32decode(text + "=")
    except ValueError:
        raise AddressFormatError("not base32 (RFC 4648)") from None
    if raw[0] != NEM_NETWORK_BYTES.get(net):
        raise AddressFormatError(f"network byte 0x{raw[0]:02x} is not Symbol {net}")
    if hashlib.sha3_256(raw[:21]).digest()[:3] != raw[21:]:
        raise AddressFormatError("Symbol address checksum mismatch")


AddressCheck = Callable[[str, str, str], None]
ADDRESS_FORMATS: dict[str, AddressCheck] = {
    "bitcoin": check_bitcoin_like,
    "evm": check_evm,
    "tron": check_tron,
    "xrp": check_xrp,
    "solana": check_solana,
    "nem": check_nem,
    "symbol": check_symbol,
}

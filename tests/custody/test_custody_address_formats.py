"""Address rules of the chain registry, on vectors from each chain's own documentation.

XRP: xrpl.org "Addresses" (genesis account rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh, AccountID
B5F762798A53D543A014CAF8B297CFF8F2F937E8) and "Special Addresses" (ACCOUNT_ZERO, ACCOUNT_ONE,
the "black hole" rrrrrrrrrrrrrrrrrNAMEtxvNvQ). Tron: developers.tron.network "Account"
(TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL = 41 8840E6C55B9ADA326D211D818C34A994AECED808). Solana:
the System Program 11111111111111111111111111111111 and the SPL Token program
TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA (solana.com docs, "Programs"). NEM: the NIS1
public-key -> address vectors of trezor-firmware's NEM tests. EIP-55: the examples in the EIP.
Symbol: the testnet address TARDV42KTAIZEF64EQT4NXT7K55DHWBEFIXVJQY published in a Symbol payment
tutorial (zenn.dev, "Symbolブロックチェーン入門").
"""

from __future__ import annotations

import pytest

from kansa.contracts.assets import ADDRESS_FORMATS as FORMAT_NAMES
from kansa.contracts.assets import BUILTIN_CHAINS, chain_registry, format_chains, parse_chains
from kansa.custody import base58
from kansa.custody.address_formats import (
    ADDRESS_FORMATS,
    AddressFormatError,
    check_evm,
    check_nem,
    check_solana,
    check_symbol,
    check_tron,
    check_xrp,
    eip55,
    nem_address,
    symbol_address,
    xrp_decode,
)

XRP = {
    "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh": "b5f762798a53d543a014caf8b297cff8f2f937e8",
    "rrrrrrrrrrrrrrrrrrrrrhoLvTp": "00" * 20,
    "rrrrrrrrrrrrrrrrrrrrBZbvji": "00" * 19 + "01",
    "rrrrrrrrrrrrrrrrrNAMEtxvNvQ": "00000000000000000000000000000000016fc69d",
}
EIP55 = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]
NEM = {
    "c5f54ba980fcbb657dbaaa42700539b207873e134d2375efeab5f1ab52f87844": "NDD2CT6LQLIYQ56KIXI3ENTM6EK3D44P5JFXJ4R4",
}


def _flip(text: str, alphabet: str, at: int = 5) -> str:
    c = text[at]
    other = next(a for a in alphabet if a != c)
    return text[:at] + other + text[at + 1 :]


@pytest.mark.parametrize(("address", "account_id"), sorted(XRP.items()))
def test_xrp_vectors(address: str, account_id: str) -> None:
    assert xrp_decode(address).hex() == account_id
    check_xrp(address)


def test_xrp_refuses_a_changed_character_and_the_bitcoin_alphabet() -> None:
    good = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh"
    with pytest.raises(AddressFormatError, match="checksum"):
        check_xrp(_flip(good, "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"))
    with pytest.raises(AddressFormatError, match="alphabet"):
        check_xrp("0" + good[1:])  # '0' is in neither alphabet
    with pytest.raises(AddressFormatError):
        check_xrp("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")  # a Bitcoin address


def test_tron_vector_and_refusals() -> None:
    good = "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL"
    check_tron(good)
    assert base58.decode_check(good).hex() == "418840e6c55b9ada326d211d818c34a994aeced808"
    with pytest.raises(AddressFormatError, match="Base58Check"):
        check_tron(_flip(good, base58.ALPHABET))
    with pytest.raises(AddressFormatError, match="0x41"):
        check_tron("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2")  # valid Base58Check, version 0x00


def test_solana_vectors_and_refusals() -> None:
    check_solana("11111111111111111111111111111111")
    check_solana("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA")
    key = bytes.fromhex("f98bc0832e705e2ba354fb4df4e521e622480fa08663280d3992e57df21001db")
    check_solana(base58.encode(key))
    with pytest.raises(AddressFormatError, match="32 bytes"):
        check_solana(base58.encode(key[:31]))
    with pytest.raises(AddressFormatError):
        check_solana("0OIl" + "1" * 28)


@pytest.mark.parametrize(("public_key", "address"), sorted(NEM.items()))
def test_nem_vectors(public_key: str, address: str) -> None:
    assert nem_address(bytes.fromhex(public_key)) == address
    check_nem(address)
    check_nem("-".join(address[i : i + 6] for i in range(0, 40, 6)))  # shown grouped


def test_nem_refusals() -> None:
    good = NEM[next(iter(NEM))]
    with pytest.raises(AddressFormatError, match="checksum"):
        check_nem(_flip(good, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", at=10))
    with pytest.raises(AddressFormatError, match="network byte"):
        check_nem(good, net="testnet")
    testnet = nem_address(bytes.fromhex(next(iter(NEM))), "testnet")
    assert testnet.startswith("T")
    check_nem(testnet, net="testnet")
    with pytest.raises(AddressFormatError, match="40"):
        check_nem(good[:-1])


@pytest.mark.parametrize("address", EIP55)
def test_eip55_vectors(address: str) -> None:
    assert eip55(address.lower()) == address
    check_evm(address)
    check_evm(address.lower())  # no checksum claimed: accepted
    wrong = address[:-1] + (address[-1].swapcase() if address[-1].isalpha() else address[-1])
    if wrong != address:
        with pytest.raises(AddressFormatError, match="EIP-55"):
            check_evm(wrong)


SYMBOL_TESTNET = "TARDV42KTAIZEF64EQT4NXT7K55DHWBEFIXVJQY"


def test_symbol_addresses() -> None:
    check_symbol(SYMBOL_TESTNET, net="testnet")  # a published address: the rule is Symbol's
    grouped = "-".join(SYMBOL_TESTNET[i : i + 6] for i in range(0, 39, 6))
    check_symbol(grouped.lower(), net="testnet")
    key = bytes.fromhex(next(iter(NEM)))
    mainnet = symbol_address(key)
    assert mainnet.startswith("N") and len(mainnet) == 39
    check_symbol(mainnet)
    assert symbol_address(key, "testnet").startswith("T")
    for bad, why in (
        (SYMBOL_TESTNET, "network byte"),  # a testnet address on mainnet
        (mainnet[:-1], "39 base32"),
        (_flip(mainnet, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", at=12), "checksum"),
        (NEM[next(iter(NEM))], "39 base32"),  # a NEM (NIS1) address is not a Symbol one
        (mainnet[:10] + "1" + mainnet[11:], "base32"),
    ):
        with pytest.raises(AddressFormatError, match=why):
            check_symbol(bad)


def test_every_named_format_has_a_rule_and_every_chain_a_known_format() -> None:
    assert set(ADDRESS_FORMATS) == set(FORMAT_NAMES)
    assert {c.address_format for c in BUILTIN_CHAINS.values()} <= set(FORMAT_NAMES)
    assert {"xrp", "solana", "tron", "nem", "symbol", "ethereum", "bitcoin", "litecoin"} <= set(
        BUILTIN_CHAINS
    )


def test_workspace_chains_extend_the_registry() -> None:
    extra = {"bsc": {"address_format": "evm", "native": "BNB"}}
    assert parse_chains(format_chains(extra)) == extra
    registry = chain_registry(extra)
    assert registry["bsc"].native == "BNB" and registry["bsc"].safe
    with pytest.raises(ValueError, match="address_format"):
        chain_registry({"x": {"address_format": "morse", "native": "X"}})
    with pytest.raises(ValueError, match="NAME=FORMAT:NATIVE"):
        parse_chains("bsc=evm")

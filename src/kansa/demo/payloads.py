"""The canonical payload of a transfer, and its SHA-256: what approvers and signers see.

The payload is canonical JSON (sorted keys, no whitespace, as ``kansa.vault.hashing``) of
``withdrawal_id, wallet_id, asset, destination, amount`` (decimal string), ``call_type``,
``contract_address`` (null for plain transfers) and ``data`` (call data, empty for transfers).
Written out by hand for speed; a test pins it to ``canonical_json``.
"""

from __future__ import annotations

import hashlib


def payload_text(
    withdrawal_id: str,
    wallet_id: str,
    asset: str,
    destination: str,
    amount: int,
    call_type: str = "transfer",
    contract_address: str | None = None,
    data: str = "",
) -> str:
    contract = "null" if contract_address is None else f'"{contract_address}"'
    return (
        f'{{"amount":"{amount}","asset":"{asset}","call_type":"{call_type}",'
        f'"contract_address":{contract},"data":"{data}","destination":"{destination}",'
        f'"wallet_id":"{wallet_id}","withdrawal_id":"{withdrawal_id}"}}'
    )


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def payload_hash(
    withdrawal_id: str,
    wallet_id: str,
    asset: str,
    destination: str,
    amount: int,
    call_type: str = "transfer",
    contract_address: str | None = None,
    data: str = "",
) -> str:
    text = payload_text(
        withdrawal_id, wallet_id, asset, destination, amount, call_type, contract_address, data
    )
    return sha256_hex(text)

"""The calls inside a Safe ``multiSend`` batch, so a batch cannot hide a configuration change.

A Safe executes a batch by delegatecalling the MultiSend (or MultiSendCallOnly) library with
``multiSend(bytes transactions)``; the inner calls then run as the Safe itself, so an inner
``enableModule``/``changeThreshold`` on the Safe, or an inner delegatecall that rewrites its
storage (its implementation: WazirX, Bybit), is as dangerous as signing it directly. The outer
selector alone says nothing about them.

Encoding (safe-smart-account ``libraries/MultiSend.sol``, v1.3.0 and v1.4.1): the ``bytes``
argument is ABI-encoded (offset, length, data); the data is a packed sequence of
``operation`` (1 byte: 0 call, 1 delegatecall), ``to`` (20 bytes), ``value`` (32 bytes),
``dataLength`` (32 bytes) and ``data`` (``dataLength`` bytes).
"""

from __future__ import annotations

from dataclasses import dataclass

from kansa.custody.safe_registry import CONFIG_CHANGING_SELECTORS, selector

MULTISEND_SELECTOR = selector("multiSend(bytes)")
DELEGATECALL = 1
_HEADER = 1 + 20 + 32 + 32


@dataclass(frozen=True)
class InnerCall:
    operation: int
    to: str
    value: int
    data: bytes

    @property
    def selector(self) -> str | None:
        return "0x" + self.data[:4].hex() if len(self.data) >= 4 else None


def decode_multisend(call_data: bytes) -> list[InnerCall]:
    """The inner calls of ``multiSend(bytes)`` call data; ValueError if it is not one."""
    if "0x" + call_data[:4].hex() != MULTISEND_SELECTOR:
        raise ValueError("not a multiSend(bytes) call")
    args = call_data[4:]
    if len(args) < 64:
        raise ValueError("multiSend arguments cut short")
    offset = int.from_bytes(args[:32], "big")
    if offset + 32 > len(args):
        raise ValueError("multiSend bytes offset outside the call data")
    length = int.from_bytes(args[offset : offset + 32], "big")
    packed = args[offset + 32 : offset + 32 + length]
    if len(packed) != length:
        raise ValueError("multiSend transactions cut short")
    calls, at = [], 0
    while at < length:
        if at + _HEADER > length:
            raise ValueError(f"multiSend inner transaction at byte {at} cut short")
        operation = packed[at]
        if operation not in (0, DELEGATECALL):
            raise ValueError(f"inner operation {operation} is neither call nor delegatecall")
        to = "0x" + packed[at + 1 : at + 21].hex()
        value = int.from_bytes(packed[at + 21 : at + 53], "big")
        size = int.from_bytes(packed[at + 53 : at + 85], "big")
        data = packed[at + 85 : at + 85 + size]
        if len(data) != size:
            raise ValueError(f"multiSend inner data at byte {at} cut short")
        calls.append(InnerCall(operation, to, value, data))
        at += _HEADER + size
    return calls


def batch_problem(call_data_hex: str | None) -> str | None:
    """Why a signed multiSend batch can change the Safe, or None when every inner call was
    seen and none can. Without the call data nothing inside was seen: never cleared."""
    if not call_data_hex:
        return "multiSend batch without its call data: the calls inside were not seen"
    try:
        calls = decode_multisend(bytes.fromhex(call_data_hex.removeprefix("0x")))
    except ValueError as exc:
        return f"multiSend batch that does not decode ({exc})"
    return _first_problem(calls)


def _first_problem(calls: list[InnerCall]) -> str | None:
    for n, call in enumerate(calls, 1):
        where = f"inner call {n} of the multiSend batch"
        sel = call.selector
        if call.operation == DELEGATECALL and sel != MULTISEND_SELECTOR:
            return (
                f"{where} is a delegatecall to {call.to}: other code runs with the Safe's storage"
            )
        if sel in CONFIG_CHANGING_SELECTORS:
            return f"{where} is {CONFIG_CHANGING_SELECTORS[sel]} ({sel}) on {call.to}"
        if sel == MULTISEND_SELECTOR:
            nested = batch_problem("0x" + call.data.hex())
            if nested:
                return f"{where} is a nested batch: {nested}"
    return None

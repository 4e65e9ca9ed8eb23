"""KEY-012 (a Safe's observed state against its approval) and KEY-013 (signed calls that can
change a Safe) through the catalog, on contract fixtures: pass, fail and edge cases.

Addresses of the official singletons and handlers: safe-deployments v1.3.0 / v1.4.1. The
WazirX case (July 2024): owners and threshold unchanged, implementation swapped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from helpers_controls import AS_OF, Fixture

from kansa.custody.safe_records import NotObserved

CREATED = "2026-01-05T00:00:00Z"
OWNERS = [f"0x{c * 40}" for c in "1234"]
SAFE = "0x" + "ab" * 20
SAFE_141 = "0x41675C099F32341bf84BFc5382aF534df5C7461a"
SAFE_130_L2 = "0x3E5c63644E683549055b9Be8653de26E0B4CD36E"
HANDLER_141 = "0xfd0732Dc9E303f09fCEf3a7388Ad10A83459Ec99"
ATTACKER = "0x" + "ee" * 20
MODULE = "0x" + "0d" * 20
DAY1 = AS_OF - dt.timedelta(days=1)


def safe_wallet(**kw: Any) -> dict[str, Any]:
    return {
        "wallet_id": "SAFE",
        "asset": "ETH",
        "assets": "ETH;USDC",
        "chain": "ethereum",
        "network": "mainnet",
        "tier": "cold",
        "purpose": "customer",
        "policy_type": "safe",
        "safe_address": SAFE,
        "safe_owners": ";".join(OWNERS),
        "safe_threshold": 3,
        "approved_threshold": 3,
        "approved_keys": 4,
        "created_at": CREATED,
        **kw,
    }


def state(day: dt.date, hour: int = 12, **kw: Any) -> dict[str, Any]:
    return {
        "wallet_id": "SAFE",
        "as_of": day.isoformat(),
        "observed_at": f"{day.isoformat()}T{hour:02d}:00:00Z",
        "block_number": 1,
        "implementation": SAFE_141,
        "owners": ";".join(OWNERS),
        "threshold": 3,
        "modules": None,
        "guard": None,
        "fallback_handler": HANDLER_141,
        "nonce": 7,
        **kw,
    }


def ticket(**kw: Any) -> dict[str, Any]:
    return {
        "ticket_id": "CHG-1",
        "system": "SAFE",
        "kind": "normal",
        "title": "enable the allowance module",
        "requested_by": "P1",
        "approved_by": "P2",
        "approved_at": f"{DAY1.isoformat()}T15:00:00Z",
        "deployed_at": f"{DAY1.isoformat()}T18:00:00Z",
        "reviewed_at": None,
        "status": "deployed",
        **kw,
    }


def fixture(
    states: list[dict[str, Any]], tickets: list[dict[str, Any]] | None = None, **w: Any
) -> Fixture:
    return Fixture(wallets=[safe_wallet(**w)], wallet_state=states, change_tickets=tickets or [])


def checks(fx: Fixture, **params: Any) -> set[str]:
    return {k[2] for k in fx.keys("KEY-012", **params)}


def test_key012_clean_safe_passes() -> None:
    fx = fixture([state(DAY1), state(AS_OF, nonce=9)])  # the nonce moves: not a change
    assert fx.keys("KEY-012") == set()
    assert fx.population("KEY-012") == 1


def test_key012_wazirx_implementation_swap_with_owners_unchanged() -> None:
    fx = fixture([state(DAY1), state(AS_OF, implementation=ATTACKER)])
    assert checks(fx) == {"implementation", "change"}
    rows = {r["check"]: r for r in fx.run("KEY-012").rows()}
    assert rows["implementation"]["observed"] == ATTACKER
    assert "not a known Safe singleton" in rows["implementation"]["reason"]
    assert "implementation changed" in rows["change"]["reason"]


def test_key012_official_singleton_other_than_the_approved_one() -> None:
    fx = fixture([state(AS_OF, implementation=SAFE_130_L2)], approved_implementation=SAFE_141)
    assert checks(fx) == {"implementation"}
    # no approved implementation: any official singleton will do
    assert checks(fixture([state(AS_OF, implementation=SAFE_130_L2)])) == set()


def test_key012_extra_singletons_parameter() -> None:
    own = "0x" + "5a" * 20
    fx = fixture([state(AS_OF, implementation=own)])
    assert checks(fx) == {"implementation"}
    assert checks(fx, extra_singletons=f"{own.upper().replace('0X', '0x')}") == set()


def test_key012_unknown_module_guard_and_handler() -> None:
    fx = fixture(
        [state(AS_OF, modules=MODULE, guard=ATTACKER, fallback_handler=ATTACKER)],
    )
    assert checks(fx) == {"modules", "guard", "fallback_handler"}
    approved = fixture(
        [state(AS_OF, modules=MODULE, guard=ATTACKER, fallback_handler=ATTACKER)],
        approved_modules=MODULE,
        approved_guard=ATTACKER,
        approved_fallback_handler=ATTACKER,
    )
    assert checks(approved) == set()


def test_key012_zero_address_means_none() -> None:
    zero = "0x" + "0" * 40
    fx = fixture([state(AS_OF, guard=zero, fallback_handler=zero, modules="")])
    assert checks(fx) == set()


def test_key012_owners_and_threshold_against_register_and_approval() -> None:
    swapped = ";".join([*OWNERS[:3], ATTACKER])
    assert checks(fixture([state(AS_OF, owners=swapped)])) == {"owners"}
    assert checks(fixture([state(AS_OF, threshold=1)])) == {"threshold"}


def test_key012_change_needs_an_approved_ticket_deployed_between_observations() -> None:
    states = [state(DAY1), state(AS_OF, modules=MODULE)]
    w = {"approved_modules": MODULE}
    assert checks(fixture(states, **w)) == {"change"}
    assert checks(fixture(states, [ticket()], **w)) == set()
    # the wallet may be named by its Safe address too
    assert checks(fixture(states, [ticket(system=SAFE.upper().replace("0X", "0x"))], **w)) == set()
    # edge: deployed exactly at the second observation counts; one second later does not
    at_obs = ticket(deployed_at=f"{AS_OF.isoformat()}T12:00:00Z")
    late = ticket(deployed_at=f"{AS_OF.isoformat()}T12:00:01Z")
    assert checks(fixture(states, [at_obs], **w)) == set()
    assert checks(fixture(states, [late], **w)) == {"change"}
    # deployed before the first observation: it is not this change's ticket
    early = ticket(deployed_at=f"{DAY1.isoformat()}T12:00:00Z")
    assert checks(fixture(states, [early], **w)) == {"change"}
    # not approved, approved by nobody, rejected, another system
    for bad in (
        ticket(status="open"),
        ticket(approved_by=None),
        ticket(status="rejected"),
        ticket(system="OTHER"),
        ticket(approved_at=f"{AS_OF.isoformat()}T13:00:00Z"),  # approved after the change was seen
    ):
        assert checks(fixture(states, [bad], **w)) == {"change"}, bad


def test_key012_not_observed_on_the_as_of_day() -> None:
    fx = fixture([state(DAY1)])
    assert fx.keys("KEY-012") == {("SAFE", AS_OF.isoformat(), "not_observed")}
    assert fx.keys("KEY-012", max_staleness_days=1) == set()
    # a Safe absent from a non-empty wallet_state is never clean
    other = Fixture(
        wallets=[safe_wallet(), safe_wallet(wallet_id="SAFE2", safe_address="0x" + "cd" * 20)],
        wallet_state=[state(AS_OF)],
        change_tickets=[],
    )
    assert other.keys("KEY-012") == {("SAFE2", AS_OF.isoformat(), "not_observed")}


def test_key012_empty_wallet_state_is_not_a_pass() -> None:
    with pytest.raises(NotObserved):
        fixture([]).run("KEY-012")


def test_key012_observations_after_the_as_of_date_are_ignored() -> None:
    fx = fixture([state(AS_OF), state(AS_OF + dt.timedelta(days=1), implementation=ATTACKER)])
    assert fx.keys("KEY-012") == set()


def signed(txid: str, **kw: Any) -> dict[str, Any]:
    return {
        "txid": txid,
        "withdrawal_id": None,
        "wallet_id": "SAFE",
        "asset": "ETH",
        "destination_address": SAFE,
        "amount": "0",
        "payload_hash": "0" * 64,
        "signer_key_fingerprints": ";".join(OWNERS[:3]),
        "call_type": "contract_call",
        "contract_address": SAFE,
        "call_selector": None,
        "signed_at": f"{AS_OF.isoformat()}T03:00:00Z",
        "broadcast_at": None,
        **kw,
    }


# selectors from the Safe ABI (safe-deployments v1.4.1 safe.json) as 4byte.directory lists them
SELECTORS = {
    "0x7de7edef": "changeMasterCopy(address)",
    "0x3659cfe6": "upgradeTo(address)",
    "0x4f1ef286": "upgradeToAndCall(address,bytes)",
    "0x610b5925": "enableModule(address)",
    "0xe009cfde": "disableModule(address,address)",
    "0xe19a9dd9": "setGuard(address)",
    "0xf08a0323": "setFallbackHandler(address)",
    "0x0d582f13": "addOwnerWithThreshold(address,uint256)",
    "0xf8dc5dd9": "removeOwner(address,address,uint256)",
    "0xe318b52b": "swapOwner(address,address,address)",
    "0x694e80c3": "changeThreshold(uint256)",
}


def test_key013_flags_every_config_changing_selector() -> None:
    rows = [signed(f"tx{i}", call_selector=s) for i, s in enumerate(SELECTORS)]
    rows.append(
        signed(
            "usdc",
            call_type="transfer",
            call_selector="0xa9059cbb",
            contract_address="0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
        )
    )
    rows.append(signed("eth", call_type="transfer", contract_address=None))
    fx = Fixture(wallets=[safe_wallet()], signed_transactions=rows)
    assert fx.keys("KEY-013") == {(f"tx{i}",) for i in range(len(SELECTORS))}
    assert fx.population("KEY-013") == len(SELECTORS) + 2
    reasons = {r["txid"]: r["reason"] for r in fx.run("KEY-013").rows()}
    assert "changeMasterCopy(address)" in reasons["tx0"]


def test_key013_contract_call_without_selector_and_delegatecall() -> None:
    fx = Fixture(
        wallets=[safe_wallet()],
        signed_transactions=[
            signed("blind"),  # a contract call whose call data nobody recorded
            signed("dc", call_type="delegatecall"),  # WDR-010's, not counted twice
        ],
    )
    assert fx.keys("KEY-013") == {("blind",)}


MULTISEND = "0x8d80ff0a"  # multiSend(bytes), 4byte.directory
MULTISEND_LIB = "0x40a2accbd92bca938b02010e17a5b8929b49130d"  # MultiSendCallOnly 1.3.0


def batch(*inner: tuple[int, str, str]) -> str:
    """multiSend(bytes) call data of (operation, to, data hex) inner calls, as Safe encodes it."""
    packed = b"".join(
        bytes([op])
        + bytes.fromhex(to[2:])
        + (0).to_bytes(32, "big")
        + len(bytes.fromhex(data[2:])).to_bytes(32, "big")
        + bytes.fromhex(data[2:])
        for op, to, data in inner
    )
    pad = b"\0" * (-len(packed) % 32)
    args = (32).to_bytes(32, "big") + len(packed).to_bytes(32, "big") + packed + pad
    return MULTISEND + args.hex()


def test_key013_sees_inside_a_multisend_batch() -> None:
    """A batch runs its inner calls as the Safe: one of them may swap the implementation."""
    usdc = "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48"
    pay = "0xa9059cbb" + "00" * 64  # transfer(address,uint256)
    module = "0x610b5925" + "00" * 12 + MODULE[2:]  # enableModule(MODULE)
    rows = [
        signed("clean", call_data=batch((0, usdc, pay), (0, usdc, pay))),
        signed("hidden-module", call_data=batch((0, usdc, pay), (0, SAFE, module))),
        signed("hidden-swap", call_data=batch((0, usdc, pay), (1, ATTACKER, "0x" + "12" * 36))),
        signed(
            "nested",
            call_data=batch((0, MULTISEND_LIB, batch((0, SAFE, "0x694e80c3" + "00" * 32)))),
        ),
        signed("unseen"),  # a batch whose call data nobody recorded: never cleared
        signed("garbled", call_data=MULTISEND + "00" * 40),
    ]
    for row in rows:
        row.update(
            call_type="delegatecall", contract_address=MULTISEND_LIB, call_selector=MULTISEND
        )
    fx = Fixture(wallets=[safe_wallet()], signed_transactions=rows)
    assert fx.keys("KEY-013") == {(r["txid"],) for r in rows[1:]}
    reasons = {r["txid"]: r["reason"] for r in fx.run("KEY-013").rows()}
    assert "enableModule(address)" in reasons["hidden-module"]
    assert "inner call 2" in reasons["hidden-swap"] and "delegatecall" in reasons["hidden-swap"]
    assert "changeThreshold(uint256)" in reasons["nested"]
    assert "not seen" in reasons["unseen"]


def test_key013_only_safe_wallets() -> None:
    btc = safe_wallet(wallet_id="BTC", policy_type="descriptor", chain="bitcoin")
    fx = Fixture(
        wallets=[btc],
        signed_transactions=[signed("x", wallet_id="BTC", call_selector="0x694e80c3")],
    )
    assert fx.keys("KEY-013") == set()
    assert fx.population("KEY-013") == 0


def test_selectors_are_keccak_of_the_signatures() -> None:
    from kansa.custody.safe_registry import CONFIG_CHANGING_SELECTORS, selector

    for sel, signature in SELECTORS.items():
        assert selector(signature) == sel
        assert CONFIG_CHANGING_SELECTORS[sel] == signature
    assert selector("transfer(address,uint256)") == "0xa9059cbb"  # EIP-20

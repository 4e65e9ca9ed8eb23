"""Attestation of every wallet: each check passes on the clean world and catches the one
thing broken in each case, with the reason naming the record."""

from __future__ import annotations

from typing import Any

import pytest
from helpers_custody import AS_OF, database, multisig, row_of, signer, world_copy

from kansa.custody.attestation import WalletAttestation, attest
from kansa.custody.checks import AttestParams
from kansa.custody.records import load_book

World = dict[str, list[dict[str, Any]]]


def _attest(world: World, params: AttestParams | None = None) -> dict[str, WalletAttestation]:
    return {a.wallet.wallet_id: a for a in attest(load_book(database(world), AS_OF), params)}


def _failed(a: WalletAttestation) -> dict[str, list[str]]:
    return {c.name: [str(r) for r in c.reasons] for c in a.checks if c.status == "fail"}


def test_clean_world_attests_clean() -> None:
    results = _attest(world_copy())
    assert set(results) == {"BTC-COLD-1", "BTC-WARM-1", "BTC-HOT-T", "LTC-WARM-1", "ETH-COLD-SAFE"}
    for a in results.values():
        assert a.passed, (a.wallet.wallet_id, _failed(a))
    assert (results["BTC-COLD-1"].policy.threshold, results["BTC-COLD-1"].policy.key_count) == (
        3,
        5,
    )


def test_threshold_below_the_tier_minimum_fails_even_if_approved() -> None:
    world = world_copy()
    cold = row_of(world, "wallets", wallet_id="BTC-COLD-1")
    cold["descriptor"] = multisig(2, [signer(f"cold{i}") for i in range(5)])
    cold["approved_threshold"] = 2  # approved, but the cold minimum is 3
    failed = _failed(_attest(world)["BTC-COLD-1"])
    assert set(failed) == {"tier_minimum", "addresses"}  # new policy, new addresses
    assert "below the cold minimum of 3" in failed["tier_minimum"][0]
    relaxed = AttestParams(min_threshold={"hot": 2, "warm": 2, "cold": 2})
    assert "tier_minimum" not in _failed(_attest(world, relaxed)["BTC-COLD-1"])


def test_key_without_an_active_keyholder_fails() -> None:
    world = world_copy()
    holder = row_of(world, "keyholders", person_id="P-warm1")
    holder["revoked_at"] = "2026-06-01T00:00:00Z"  # revoked, but still in the policy
    failed = _failed(_attest(world)["BTC-WARM-1"])
    assert failed["keyholders"] == [f"key {holder['key_fingerprint']} has 0 active keyholders"]


def test_registered_xpub_that_is_not_the_descriptor_key_fails() -> None:
    world = world_copy()
    holder = row_of(world, "keyholders", person_id="P-cold2")
    holder["xpub"] = signer("intruder").xpub
    failed = _failed(_attest(world)["BTC-COLD-1"])
    assert "registered xpub is not the key in the descriptor" in failed["keyholders"][0]


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("person_id", "P-cold0", "person P-cold0 holds 2 keys of this wallet"),
        ("device_id", "D-P-cold0", "device D-P-cold0 holds 2 keys of this wallet"),
        ("location", "BTC-COLD-1-site0", "keys in 4 location(s); 5 required for a cold wallet"),
    ],
)
def test_two_keys_with_one_person_device_or_location_fail(
    column: str, value: str, reason: str
) -> None:
    world = world_copy()
    holder = row_of(world, "keyholders", person_id="P-cold1")
    holder[column] = value
    failed = _failed(_attest(world)["BTC-COLD-1"])
    assert reason in failed["separation"]


def test_hot_wallet_needs_only_min_locations() -> None:
    world = world_copy()
    for n in range(3):
        row_of(world, "keyholders", person_id=f"P-hot{n}")["location"] = "one-room"
    failed = _failed(_attest(world)["BTC-HOT-T"])
    assert failed["separation"] == ["keys in 1 location(s); 2 required for a hot wallet"]
    assert "separation" not in _failed(_attest(world, AttestParams(min_locations=1))["BTC-HOT-T"])


def test_key_shared_between_tiers_fails_on_both_wallets() -> None:
    world = world_copy()
    shared = signer("cold0")
    warm = row_of(world, "wallets", wallet_id="BTC-WARM-1")
    warm["descriptor"] = multisig(2, [shared, signer("warm1"), signer("warm2")])
    results = _attest(world)
    assert (
        f"key {shared.fingerprint} is also used in a warm wallet"
        in _failed(results["BTC-COLD-1"])["cross_tier"]
    )
    assert (
        f"key {shared.fingerprint} is also used in a cold wallet"
        in _failed(results["BTC-WARM-1"])["cross_tier"]
    )


def test_leaver_still_holding_a_key_fails() -> None:
    world = world_copy()
    row_of(world, "staff", person_id="P-safe2")["left_on"] = "2026-10-31"
    failed = _failed(_attest(world)["ETH-COLD-SAFE"])
    assert failed == {
        "leavers": [
            f"P-safe2 left on 2026-10-31 but key {row_of(world, 'keyholders', person_id='P-safe2')['key_fingerprint']} is still active"
        ]
    }


@pytest.mark.parametrize("left_on", ["2026-11-20", "2026-11-21"])
def test_last_working_day_on_or_after_the_as_of_date_is_not_yet_a_failure(left_on: str) -> None:
    world = world_copy()
    row_of(world, "staff", person_id="P-safe2")["left_on"] = left_on
    assert _attest(world)["ETH-COLD-SAFE"].passed


def test_one_master_key_holding_two_keys_of_a_wallet_fails() -> None:
    """Two account keys from one seed share the origin fingerprint: one person, two keys."""
    world = world_copy()
    warm = row_of(world, "wallets", wallet_id="BTC-WARM-1")
    first, second = signer("warm0"), signer("warm0", account=1)
    assert first.fingerprint == second.fingerprint and first.xpub != second.xpub
    warm["descriptor"] = multisig(2, [first, second, signer("warm2")])
    failed = _failed(_attest(world)["BTC-WARM-1"])
    assert (
        f"key {first.fingerprint} appears 2 times in the policy (one master key, several keys)"
        in failed["keyholders"]
    )


def test_wallet_filter_still_sees_keys_shared_with_other_tiers() -> None:
    world = world_copy()
    warm = row_of(world, "wallets", wallet_id="BTC-WARM-1")
    warm["descriptor"] = multisig(2, [signer("cold0"), signer("warm1"), signer("warm2")])
    (only,) = attest(load_book(database(world), AS_OF), only={"BTC-WARM-1"})
    assert "cross_tier" in _failed(only)


def test_reasons_are_bilingual_and_evidence_stays_english(monkeypatch: pytest.MonkeyPatch) -> None:
    world = world_copy()
    row_of(world, "staff", person_id="P-safe2")["left_on"] = "2026-10-31"
    (reason,) = next(
        c for c in _attest(world)["ETH-COLD-SAFE"].checks if c.name == "leavers"
    ).reasons
    monkeypatch.setenv("KANSA_LANG", "ja")
    assert "退職" in reason.shown()
    assert str(reason).startswith("P-safe2 left on 2026-10-31")


def test_missing_registers_make_their_checks_not_applicable() -> None:
    world = world_copy()
    con = database(world)
    con.execute("DROP TABLE staff")
    con.execute("DROP TABLE keyholders")
    book = load_book(con, AS_OF)
    assert book.missing == ["keyholders", "staff"]
    result = {a.wallet.wallet_id: a for a in attest(book)}["BTC-COLD-1"]
    status = {c.name: c.status for c in result.checks}
    assert status["keyholders"] == status["leavers"] == "n/a"
    assert result.passed


def test_wazirx_implementation_swap_fails_the_attestation() -> None:
    """WazirX, July 2024: owners and threshold intact (a "clean 4-of-6"), implementation
    swapped. The policy check still passes; the Safe state check does not."""
    from helpers_custody import safe_state

    world = world_copy()
    attacker = "0x" + "ee" * 20
    world["wallet_state"][-1] = safe_state(AS_OF, implementation=attacker)
    a = _attest(world)["ETH-COLD-SAFE"]
    assert not a.passed
    failed = _failed(a)
    assert set(failed) == {"safe_state"}
    assert any("not a known Safe singleton" in r for r in failed["safe_state"])
    assert any("without an approved change ticket" in r for r in failed["safe_state"])


def test_safe_calls_report_config_changing_signatures() -> None:
    world = world_copy()
    world["signed_transactions"] = [
        {
            "txid": "0xabc",
            "wallet_id": "ETH-COLD-SAFE",
            "asset": "ETH",
            "destination_address": "0x" + "ab" * 20,
            "amount": "0",
            "payload_hash": "0" * 64,
            "signer_key_fingerprints": "x",
            "call_type": "contract_call",
            "contract_address": "0x" + "ab" * 20,
            "call_selector": "0x694e80c3",  # changeThreshold(uint256)
            "signed_at": "2026-11-19T10:00:00Z",
        }
    ]
    failed = _failed(_attest(world)["ETH-COLD-SAFE"])
    assert set(failed) == {"safe_calls"}
    assert "changeThreshold(uint256)" in failed["safe_calls"][0]


def test_safe_not_observed_without_wallet_state_is_not_a_pass() -> None:
    world = world_copy()
    world["wallet_state"] = []
    a = _attest(world)["ETH-COLD-SAFE"]
    (state,) = [c for c in a.checks if c.name == "safe_state"]
    assert state.status == "n/a" and "not tested" in str(state.reasons[0])
    # descriptor wallets have no Safe state to check
    (btc,) = [c for c in _attest(world)["BTC-COLD-1"].checks if c.name == "safe_state"]
    assert btc.status == "n/a"

"""Each scenario's ground truth is non-empty and true of the generated records."""

from __future__ import annotations

from typing import Any

import duckdb
import pytest
from embit.descriptor import Descriptor
from embit.descriptor.checksum import add_checksum

from kansa.demo.assets import ASSET
from kansa.demo.payloads import payload_text
from kansa.vault.hashing import canonical_json

SCENARIOS = {
    "dmm-2024": {"ACC-009", "PPL-003", "WDR-001"},
    "bybit-2025": {"WDR-002", "WDR-010"},
    "cold-share-dip": {"CUS-001"},
    "leaver-key": {"KEY-004"},
    "sod-breach": {"ACC-001"},
    "untrained-privileged": {"PPL-002"},
    "ofac-payment": {"WDR-008"},
    "account-takeover": {"CSR-001", "CSR-002"},
    "forged-withdrawal": {"CSR-003"},
    "travel-rule-gap": {"CSR-005"},
    "yen-trust-shortfall": {"FIA-001"},
    "grant-use-revoke": {"ACC-001"},
    "self-approved-small": {"WDR-003"},
    "fake-ticket": {"ACC-006"},
    "safe-swap": {"KEY-012", "KEY-013", "WDR-010"},
}


def _keys(truth: dict[str, Any], scenario: str, control: str) -> list[dict[str, str]]:
    s = next((x for x in truth["scenarios"] if x["id"] == scenario), None)
    if s is None:  # e.g. ofac-payment without ../shared/data
        return []
    return [v["key"] for v in s["violations"] if v["control"] == control]


def test_every_scenario_is_there_with_exactly_its_controls(truth: dict[str, Any]) -> None:
    assert truth["seed"] == 7 and truth["customers"] == 2000 and truth["days"] == 10
    got = {s["id"]: {v["control"] for v in s["violations"]} for s in truth["scenarios"]}
    expected = dict(SCENARIOS)
    if any("ofac-payment skipped" in n for n in truth["notes"]):
        expected.pop("ofac-payment")
    assert got == expected
    for s in truth["scenarios"]:
        assert s["title"]["en"] and s["title"]["ja"]
        for v in s["violations"]:
            assert all(isinstance(x, str) for x in v["key"].values())


def test_ofac_destinations_are_on_the_real_list(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    keys = _keys(truth, "ofac-payment", "WDR-008")
    if not keys:
        pytest.skip("OFAC lists not present")
    for key in keys:
        dest, kind = db.execute(
            "SELECT destination_address, kind FROM withdrawals WHERE withdrawal_id = ?",
            [key["withdrawal_id"]],
        ).fetchone() or (None, None)
        assert kind == "customer"
        listed = db.execute(
            "SELECT count(*) FROM sanctioned_addresses WHERE address = ?", [dest]
        ).fetchone()
        assert listed == (1,) or (listed is not None and listed[0] >= 1)
    assert db.execute("SELECT count(*) FROM sanctioned_addresses").fetchone()[0] > 600  # type: ignore[index]


def test_dmm_signed_transaction_differs_from_its_approved_request(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    (key,) = _keys(truth, "dmm-2024", "WDR-001")
    row = db.execute(
        """SELECT w.destination_address, t.destination_address, w.amount, t.amount,
                  w.request_payload_hash, t.payload_hash, w.kind, wl.tier
           FROM withdrawals w JOIN signed_transactions t USING (withdrawal_id)
           JOIN wallets wl ON wl.wallet_id = w.wallet_id WHERE w.withdrawal_id = ?""",
        [key["withdrawal_id"]],
    ).fetchone()
    assert row is not None
    req_dest, tx_dest, req_amount, tx_amount, req_hash, tx_hash, kind, tier = row
    assert (kind, tier) == ("internal", "cold")
    assert req_dest != tx_dest and req_amount != tx_amount
    assert req_hash == tx_hash  # the vendor system logged the approved hash


def test_dmm_hijack_reuses_a_session_from_an_unregistered_device(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    (key,) = _keys(truth, "dmm-2024", "ACC-009")
    session, device, account = db.execute(
        "SELECT session_id, device_id, account_id FROM auth_events WHERE event_id = ?",
        [key["event_id"]],
    ).fetchone() or (None, None, None)
    devices = {
        d
        for (d,) in db.execute(
            "SELECT DISTINCT device_id FROM auth_events WHERE session_id = ?", [session]
        ).fetchall()
    }
    assert device in devices and len(devices) == 2
    assert db.execute(
        "SELECT count(*) FROM endpoints WHERE device_id = ?", [device]
    ).fetchone() == (0,)
    vendor = db.execute(
        "SELECT s.employment_type FROM accounts a JOIN staff s USING (person_id) WHERE account_id = ?",
        [account],
    ).fetchone()
    assert vendor == ("vendor",)


def test_bybit_signed_payload_is_a_delegatecall_nobody_approved(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    (key,) = _keys(truth, "bybit-2025", "WDR-002")
    (tx,) = _keys(truth, "bybit-2025", "WDR-010")
    row = db.execute(
        """SELECT t.txid, t.call_type, t.payload_hash, t.wallet_id, w.request_payload_hash
           FROM signed_transactions t JOIN withdrawals w USING (withdrawal_id)
           WHERE withdrawal_id = ?""",
        [key["withdrawal_id"]],
    ).fetchone()
    assert row is not None
    txid, call_type, signed_hash, wallet, request_hash = row
    assert txid == tx["txid"] and call_type == "delegatecall" and wallet == "ETH-COLD-S"
    approved = {
        h
        for (h,) in db.execute(
            "SELECT approved_payload_hash FROM withdrawal_approvals WHERE withdrawal_id = ?",
            [key["withdrawal_id"]],
        ).fetchall()
    }
    assert approved == {request_hash} and signed_hash not in approved


def test_cold_share_is_below_95_percent_exactly_on_the_dip_days(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    keys = _keys(truth, "cold-share-dip", "CUS-001")
    assert len(keys) == 3
    for key in keys:
        share = db.execute(
            """SELECT sum(CASE WHEN tier = 'cold' THEN balance END) / sum(balance)
               FROM wallet_balances JOIN wallets USING (wallet_id)
               WHERE purpose = 'customer' AND wallet_balances.asset = ? AND as_of = ?""",
            [key["asset"], key["as_of"]],
        ).fetchone()
        assert share is not None and 0.9 < float(share[0]) < 0.95


def test_leaver_left_and_key_is_still_active(
    truth: dict[str, Any], db: duckdb.DuckDBPyConnection
) -> None:
    (key,) = _keys(truth, "leaver-key", "KEY-004")
    row = db.execute(
        """SELECT k.revoked_at, s.left_on, bool_and(a.disabled_at IS NOT NULL)
           FROM keyholders k JOIN staff s USING (person_id) JOIN accounts a USING (person_id)
           WHERE k.key_fingerprint = ? GROUP BY ALL""",
        [key["key_fingerprint"]],
    ).fetchone()
    assert row is not None
    revoked, left_on, all_disabled = row
    assert revoked is None and left_on is not None and all_disabled


def test_descriptors_carry_valid_checksums_and_derive_their_addresses(
    db: duckdb.DuckDBPyConnection,
) -> None:
    wallets = db.execute(
        "SELECT wallet_id, asset, descriptor, approved_threshold, approved_keys FROM wallets "
        "WHERE policy_type = 'descriptor' ORDER BY wallet_id"
    ).fetchall()
    assert len(wallets) >= 12
    for wallet_id, asset, text, m, n in wallets:
        body, _checksum = text.split("#")
        assert add_checksum(body) == text, wallet_id
        assert body.startswith(f"wsh(sortedmulti({m},") and body.count("xpub") == n
        desc = Descriptor.from_string(text)
        rows = db.execute(
            "SELECT derivation_index, address FROM wallet_addresses WHERE wallet_id = ?",
            [wallet_id],
        ).fetchall()
        assert rows
        for index, address in rows:
            assert desc.derive(index).address(ASSET[asset].network) == address
    fps = {
        fp
        for (fp,) in db.execute(
            "SELECT key_fingerprint FROM keyholders k JOIN wallets USING (wallet_id) "
            "WHERE policy_type = 'descriptor'"
        ).fetchall()
    }
    assert all(f"[{fp}/48h/" in "".join(w[2] for w in wallets) for fp in fps)


def test_safe_owners_are_keyholders(db: duckdb.DuckDBPyConnection) -> None:
    for wallet_id, owners, threshold, m, n in db.execute(
        "SELECT wallet_id, safe_owners, safe_threshold, approved_threshold, approved_keys "
        "FROM wallets WHERE policy_type = 'safe'"
    ).fetchall():
        held = sorted(
            fp
            for (fp,) in db.execute(
                "SELECT key_fingerprint FROM keyholders WHERE wallet_id = ?", [wallet_id]
            ).fetchall()
        )
        assert owners.split(";") == held and (threshold, len(held)) == (m, n)


def test_payload_hashes_are_sha256_of_the_canonical_request(
    db: duckdb.DuckDBPyConnection,
) -> None:
    import hashlib

    rows = db.execute(
        """SELECT w.withdrawal_id, w.wallet_id, w.asset, w.destination_address, w.amount,
                  wl.token_contract, w.request_payload_hash
           FROM withdrawals w JOIN wallets wl USING (wallet_id) USING SAMPLE 50 ROWS (reservoir, 1)"""
    ).fetchall()
    for wid, wallet, asset, dest, amount, token, digest in rows:
        payload = {
            "amount": str(int(amount)),
            "asset": asset,
            "call_type": "transfer",
            "contract_address": token,
            "data": "",
            "destination": dest,
            "wallet_id": wallet,
            "withdrawal_id": wid,
        }
        text = payload_text(wid, wallet, asset, dest, int(amount), "transfer", token)
        assert text == canonical_json(payload)
        assert hashlib.sha256(text.encode()).hexdigest() == digest


def test_eth_amounts_exceed_64_bits_somewhere(db: duckdb.DuckDBPyConnection) -> None:
    biggest = db.execute("SELECT max(balance) FROM wallet_balances WHERE asset = 'ETH'").fetchone()
    assert biggest is not None and int(biggest[0]) > 2**64

"""The catalog's rules restated in plain SQL: on the demo they flag exactly the seeded records.

A clean background plus scenarios means: for every rule, the exception keys equal the ground
truth's keys for that control (empty for controls no scenario seeds). These restatements are
written from docs/controls-spec.md independently of the engine's catalog.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kansa.demo import DemoParams, generate
from kansa.demo.sanctions import default_ofac_dir

AS_OF = "(SELECT max(as_of) FROM customer_balances)"
PRIVILEGED_PEOPLE = """(
    SELECT DISTINCT a.person_id FROM accounts a
    LEFT JOIN role_grants g ON g.account_id = a.account_id AND g.revoked_at IS NULL
    LEFT JOIN roles r ON r.role_id = g.role_id
    WHERE a.disabled_at IS NULL AND (a.privileged OR r.privileged) AND a.person_id IS NOT NULL)"""

RULES: dict[str, tuple[tuple[str, ...], str]] = {
    "CUS-001": (
        ("asset", "as_of"),
        """SELECT b.asset, b.as_of FROM wallet_balances b JOIN wallets w USING (wallet_id)
           WHERE w.purpose = 'customer' GROUP BY ALL
           HAVING sum(CASE WHEN w.tier = 'cold' THEN b.balance ELSE 0 END) / sum(b.balance) < 0.95""",
    ),
    "CUS-002": (
        ("asset", "as_of"),
        """SELECT b.asset, b.as_of FROM wallet_balances b JOIN wallets w USING (wallet_id)
           GROUP BY ALL
           HAVING sum(CASE WHEN w.purpose = 'performance_guarantee' THEN b.balance ELSE 0 END)
                < sum(CASE WHEN w.purpose = 'customer' AND w.tier <> 'cold' THEN b.balance ELSE 0 END)""",
    ),
    "CUS-003": (
        ("asset", "as_of"),
        """WITH w AS (SELECT b.asset, b.as_of, sum(b.balance) AS held FROM wallet_balances b
                      JOIN wallets USING (wallet_id) WHERE purpose = 'customer' GROUP BY ALL),
                c AS (SELECT asset, as_of, sum(balance) AS owed FROM customer_balances GROUP BY ALL)
           SELECT asset, as_of FROM w FULL JOIN c USING (asset, as_of)
           WHERE held IS DISTINCT FROM owed""",
    ),
    "CUS-004": (
        ("customer_id", "asset", "as_of"),
        "SELECT customer_id, asset, as_of FROM customer_balances WHERE balance < 0",
    ),
    "CUS-005": (
        ("address",),
        """SELECT address FROM wallet_addresses JOIN wallets USING (wallet_id)
           GROUP BY address HAVING count(DISTINCT purpose) > 1""",
    ),
    "CUS-006": (
        ("asset", "as_of"),
        """SELECT a.asset, d.as_of FROM (SELECT DISTINCT asset FROM customer_balances) a
           CROSS JOIN (SELECT DISTINCT as_of FROM wallet_balances) d
           WHERE NOT EXISTS (SELECT 1 FROM customer_balances c
                             WHERE c.asset = a.asset AND c.as_of = d.as_of)""",
    ),
    "CUS-007": (
        ("wallet_id", "as_of"),
        """SELECT wallet_id, as_of FROM wallet_balances
           QUALIFY balance > 0.8 * sum(balance) OVER (PARTITION BY asset, as_of)""",
    ),
    "KEY-002": (
        ("wallet_id",),
        """SELECT wallet_id FROM wallets
           WHERE approved_threshold < CASE tier WHEN 'cold' THEN 3 ELSE 2 END""",
    ),
    "KEY-004": (
        ("key_fingerprint",),
        """SELECT k.key_fingerprint FROM keyholders k JOIN staff s USING (person_id)
           WHERE s.left_on IS NOT NULL
             AND (k.revoked_at IS NULL OR k.revoked_at > s.left_on + INTERVAL 2 DAY)""",
    ),
    "KEY-005": (
        ("wallet_id", "person_id"),
        """SELECT wallet_id, person_id FROM keyholders WHERE revoked_at IS NULL
           GROUP BY ALL HAVING count(*) > 1""",
    ),
    "KEY-006": (
        ("wallet_id", "device_id"),
        """SELECT wallet_id, device_id FROM keyholders WHERE revoked_at IS NULL
           GROUP BY ALL HAVING count(*) > 1""",
    ),
    "KEY-007": (
        ("wallet_id",),
        """SELECT wallet_id FROM keyholders WHERE revoked_at IS NULL
           GROUP BY ALL HAVING count(DISTINCT location) < count(*)""",
    ),
    "KEY-010": (
        ("key_fingerprint",),
        f"""SELECT k.key_fingerprint FROM keyholders k JOIN staff s USING (person_id)
            WHERE k.revoked_at IS NULL AND (s.background_checked_on IS NULL
                  OR s.background_checked_on < {AS_OF} - INTERVAL 1095 DAY)""",
    ),
    "KEY-011": (
        ("withdrawal_id", "person_id"),
        """SELECT a.withdrawal_id, a.approver_person_id AS person_id
           FROM withdrawal_approvals a JOIN withdrawals w USING (withdrawal_id)
           JOIN keyholders k ON k.wallet_id = w.wallet_id AND k.person_id = a.approver_person_id""",
    ),
    "WDR-001": (
        ("withdrawal_id",),
        """SELECT w.withdrawal_id FROM withdrawals w JOIN signed_transactions t USING (withdrawal_id)
           WHERE t.destination_address <> w.destination_address OR t.amount <> w.amount""",
    ),
    "WDR-002": (
        ("withdrawal_id",),
        """SELECT DISTINCT t.withdrawal_id FROM signed_transactions t
           JOIN withdrawal_approvals a USING (withdrawal_id)
           WHERE a.decision = 'approve' AND a.approved_payload_hash <> t.payload_hash""",
    ),
    "WDR-003": (
        ("withdrawal_id",),
        """SELECT w.withdrawal_id FROM withdrawals w
           LEFT JOIN withdrawal_approvals a ON a.withdrawal_id = w.withdrawal_id
                AND a.decision = 'approve'
           LEFT JOIN accounts r ON r.account_id = w.requested_by
           GROUP BY w.withdrawal_id
           HAVING count(DISTINCT a.approver_person_id) < 2
               OR bool_or(a.approver_person_id = r.person_id)""",
    ),
    "WDR-004": (
        ("withdrawal_id",),
        """SELECT DISTINCT t.withdrawal_id FROM signed_transactions t
           JOIN withdrawal_approvals a USING (withdrawal_id) WHERE a.approved_at >= t.signed_at""",
    ),
    "WDR-005": (
        ("txid",),
        """SELECT t.txid FROM signed_transactions t LEFT JOIN withdrawals w USING (withdrawal_id)
           WHERE w.withdrawal_id IS NULL""",
    ),
    "WDR-006": (
        ("withdrawal_id",),
        """SELECT w.withdrawal_id FROM withdrawals w JOIN wallets USING (wallet_id)
           WHERE tier IN ('warm', 'cold') AND NOT EXISTS (
             SELECT 1 FROM address_allowlist_changes c
             WHERE c.wallet_id = w.wallet_id AND c.address = w.destination_address
               AND c.action = 'add' AND c.effective_at <= w.requested_at - INTERVAL 24 HOUR)""",
    ),
    "WDR-007": (
        ("customer_id", "asset", "day"),
        """SELECT customer_id, asset, requested_at::DATE AS day FROM withdrawals
           WHERE kind = 'customer' GROUP BY ALL HAVING count(*) >= 10""",
    ),
    "WDR-008": (
        ("withdrawal_id",),
        """SELECT DISTINCT w.withdrawal_id FROM withdrawals w JOIN sanctioned_addresses s
           ON lower(s.address) = lower(w.destination_address)""",
    ),
    "WDR-009": (
        ("change_id",),
        """SELECT change_id FROM address_allowlist_changes
           WHERE approved_by IS NULL OR approved_by = requested_by OR approved_at > effective_at""",
    ),
    "WDR-010": (
        ("txid",),
        """SELECT txid FROM signed_transactions t JOIN wallets w USING (wallet_id)
           WHERE t.call_type = 'delegatecall' OR (t.call_type = 'contract_call'
             AND t.contract_address IS DISTINCT FROM w.token_contract)""",
    ),
    "WDR-012": (
        ("txid",),
        """SELECT DISTINCT t.txid FROM signed_transactions t,
           unnest(string_split(t.signer_key_fingerprints, ';')) AS s(fp)
           WHERE NOT EXISTS (SELECT 1 FROM keyholders k WHERE k.wallet_id = t.wallet_id
                             AND k.key_fingerprint = s.fp AND k.revoked_at IS NULL)""",
    ),
    "ACC-001": (
        ("person_id", "role_a", "role_b"),
        # grants are intervals: two conflicting ones overlapping at any instant of the last
        # 30 days (a role granted, used and revoked within a day counts)
        f"""WITH held AS (SELECT a.person_id, g.role_id, g.granted_at AS s,
                                coalesce(g.revoked_at, TIMESTAMPTZ '9999-12-31') AS e
                         FROM role_grants g JOIN accounts a USING (account_id)
                         WHERE a.person_id IS NOT NULL)
           SELECT DISTINCT x.person_id, c.role_a, c.role_b FROM role_conflicts c
           JOIN held x ON x.role_id = c.role_a
           JOIN held y ON y.role_id = c.role_b AND y.person_id = x.person_id
           WHERE x.s < y.e AND y.s < x.e AND greatest(x.s, y.s) <= {AS_OF} + INTERVAL 1 DAY
             AND least(x.e, y.e) > {AS_OF} - INTERVAL 29 DAY""",
    ),
    "ACC-002": (
        ("account_id",),
        """SELECT a.account_id FROM accounts a JOIN staff s USING (person_id)
           WHERE s.left_on IS NOT NULL
             AND (a.disabled_at IS NULL OR a.disabled_at > s.left_on + INTERVAL 2 DAY)""",
    ),
    "ACC-003": (
        ("account_id",),
        """SELECT DISTINCT a.account_id FROM accounts a
           LEFT JOIN role_grants g ON g.account_id = a.account_id AND g.revoked_at IS NULL
           LEFT JOIN roles r USING (role_id)
           WHERE a.disabled_at IS NULL AND (a.privileged OR r.privileged) AND a.mfa_method = 'none'""",
    ),
    "ACC-004": (
        ("account_id",),
        """SELECT DISTINCT a.account_id FROM accounts a
           WHERE a.disabled_at IS NULL AND a.mfa_method NOT IN ('webauthn', 'hardware_key')
             AND a.person_id IN (SELECT person_id FROM keyholders WHERE revoked_at IS NULL
                                 UNION SELECT approver_person_id FROM withdrawal_approvals)""",
    ),
    "ACC-005": (
        ("account_id",),
        f"""SELECT account_id FROM accounts WHERE disabled_at IS NULL AND privileged
            AND (last_login_at IS NULL OR last_login_at < {AS_OF} - INTERVAL 90 DAY)""",
    ),
    "ACC-006": (
        ("grant_id",),
        """SELECT g.grant_id FROM role_grants g JOIN roles r USING (role_id)
           JOIN accounts a USING (account_id)
           WHERE r.privileged AND (g.ticket_id IS NULL OR g.approved_by IS NULL
                                   OR g.approved_by = a.person_id
                                   OR NOT EXISTS (SELECT 1 FROM change_tickets t
                                                  WHERE t.ticket_id = g.ticket_id
                                                    AND t.system = r.system))""",
    ),
    "ACC-007": (
        ("account_id",),
        """SELECT DISTINCT a.account_id FROM accounts a JOIN role_grants g USING (account_id)
           JOIN roles r USING (role_id)
           WHERE a.account_type = 'shared' AND r.privileged AND g.revoked_at IS NULL""",
    ),
    "ACC-008": (
        ("account_id",),
        """SELECT account_id FROM accounts WHERE account_type = 'vendor'
           AND (expires_at IS NULL OR expires_at > created_at + INTERVAL 90 DAY)""",
    ),
    "ACC-009": (
        ("event_id",),
        """SELECT event_id FROM auth_events WHERE session_id IS NOT NULL
           QUALIFY device_id <> first_value(device_id) OVER (
               PARTITION BY session_id ORDER BY event_time, seq)""",
    ),
    "ACC-010": (
        ("grant_id",),
        f"""SELECT g.grant_id FROM role_grants g JOIN roles r USING (role_id)
            WHERE r.privileged AND g.revoked_at IS NULL
              AND {AS_OF} - CAST(coalesce(g.last_reviewed_at, g.granted_at) AS DATE) > 90""",
    ),
    "ACC-011": (
        ("event_id",),
        """SELECT e.event_id FROM auth_events e JOIN accounts a USING (account_id)
           JOIN staff s USING (person_id)
           WHERE e.event_type = 'login' AND e.result = 'success'
             AND e.event_time >= s.left_on + INTERVAL 1 DAY""",
    ),
    "PPL-001": (
        ("person_id",),
        f"""SELECT DISTINCT a.person_id FROM accounts a WHERE a.disabled_at IS NULL
            AND a.person_id IS NOT NULL AND NOT EXISTS (
              SELECT 1 FROM training_records t WHERE t.person_id = a.person_id
              AND t.course = 'security_awareness'
              AND t.completed_on >= {AS_OF} - INTERVAL 365 DAY AND t.completed_on <= {AS_OF})""",
    ),
    "PPL-002": (
        ("grant_id",),
        """SELECT g.grant_id FROM role_grants g JOIN roles r USING (role_id)
           JOIN accounts a USING (account_id)
           WHERE r.privileged AND NOT EXISTS (
             SELECT 1 FROM training_records t WHERE t.person_id = a.person_id
             AND t.course = 'privileged_access' AND t.completed_on < g.granted_at::DATE)""",
    ),
    "PPL-003": (
        ("test_id",),
        f"""SELECT p.test_id FROM phishing_tests p
            WHERE p.clicked AND p.person_id IN {PRIVILEGED_PEOPLE} AND NOT EXISTS (
              SELECT 1 FROM training_records t WHERE t.person_id = p.person_id
              AND t.course = 'phishing_remediation' AND t.completed_on >= p.clicked_at::DATE
              AND t.completed_on <= p.clicked_at::DATE + INTERVAL 14 DAY)""",
    ),
    "PPL-004": (
        ("key_fingerprint",),
        """SELECT k.key_fingerprint FROM keyholders k WHERE NOT EXISTS (
             SELECT 1 FROM training_records t WHERE t.person_id = k.person_id
             AND t.course = 'keyholder' AND t.completed_on < k.assigned_at::DATE)""",
    ),
    "PPL-005": (
        ("person_id",),
        """SELECT a.person_id FROM accounts a JOIN staff s USING (person_id)
           WHERE s.employment_type = 'vendor' GROUP BY a.person_id
           HAVING NOT EXISTS (SELECT 1 FROM training_records t WHERE t.person_id = a.person_id
             AND t.course = 'security_awareness' AND t.completed_on < min(a.created_at)::DATE)""",
    ),
    "OPS-001": (
        ("ticket_id",),
        """SELECT ticket_id FROM change_tickets WHERE kind IN ('normal', 'standard')
           AND deployed_at IS NOT NULL AND (approved_at IS NULL OR approved_at > deployed_at)""",
    ),
    "OPS-002": (
        ("ticket_id",),
        """SELECT ticket_id FROM change_tickets WHERE kind = 'emergency' AND deployed_at IS NOT NULL
           AND (reviewed_at IS NULL OR reviewed_at > deployed_at + INTERVAL 3 DAY)""",
    ),
    "OPS-003": (
        ("host", "gap_start"),
        """SELECT host, prev + 1 AS gap_start FROM (
             SELECT host, seq, lag(seq) OVER (PARTITION BY host ORDER BY seq) AS prev
             FROM (SELECT host, seq FROM auth_events UNION ALL SELECT host, seq FROM admin_actions))
           WHERE seq - prev <> 1""",
    ),
    "OPS-004": (("host",), "SELECT host FROM log_sources WHERE abs(clock_skew_ms) > 1000"),
    "OPS-005": (
        ("host",),
        f"""SELECT host FROM log_sources WHERE retention_days < 400
            OR earliest_event_at > {AS_OF} - INTERVAL 400 DAY""",
    ),
    "OPS-006": (
        ("device_id",),
        f"""SELECT device_id FROM endpoints WHERE signing_access AND (NOT edr_installed
            OR edr_last_seen IS NULL OR edr_last_seen < {AS_OF} - INTERVAL 2 DAY)""",
    ),
    "OPS-007": (
        ("device_id",),
        "SELECT device_id FROM endpoints WHERE signing_access AND untrusted_software",
    ),
    "OPS-008": (
        ("action_id",),
        """SELECT x.action_id FROM admin_actions x LEFT JOIN accounts a USING (account_id)
           WHERE a.account_id IS NULL OR a.disabled_at IS NOT NULL""",
    ),
    "OPS-009": (
        ("action_id",),
        """SELECT x.action_id FROM admin_actions x JOIN accounts a USING (account_id)
           WHERE (x.privileged OR a.privileged) AND x.ticket_id IS NULL""",
    ),
    "OPS-010": (
        ("person_id",),
        """SELECT a.person_id FROM role_grants g JOIN roles r USING (role_id)
           JOIN accounts a USING (account_id)
           WHERE g.revoked_at IS NULL AND r.duty IN ('system_risk', 'developer', 'system_admin', 'infosec')
           GROUP BY a.person_id HAVING count(DISTINCT r.duty) > 1""",
    ),
    "OPS-011": (
        ("ticket_id",),
        "SELECT ticket_id FROM change_tickets WHERE approved_by = requested_by",
    ),
    "CSR-001": (
        ("withdrawal_id",),
        """SELECT DISTINCT w.withdrawal_id FROM withdrawals w JOIN withdrawal_address_changes c
           ON c.customer_id = w.customer_id AND c.asset = w.asset
              AND lower(c.address) = lower(w.destination_address) AND c.action = 'add'
           WHERE w.kind = 'customer' AND c.changed_at <= w.requested_at
             AND w.requested_at - c.changed_at <= INTERVAL 1 DAY""",
    ),
    "CSR-002": (
        ("withdrawal_id",),
        """WITH ok AS (SELECT customer_id, logged_in_at, lag(logged_in_at) OVER
                           (PARTITION BY customer_id ORDER BY logged_in_at) AS before
                       FROM customer_logins WHERE result = 'success')
           SELECT DISTINCT w.withdrawal_id FROM withdrawals w JOIN ok USING (customer_id)
           WHERE ok.logged_in_at - ok.before >= INTERVAL 180 DAY
             AND w.requested_at BETWEEN ok.logged_in_at AND ok.logged_in_at + INTERVAL 3 DAY""",
    ),
    "CSR-003": (
        ("record_id",),
        """SELECT w.withdrawal_id FROM withdrawals w WHERE w.kind = 'customer'
           AND (SELECT count(*) FROM customer_ledger_entries e WHERE e.withdrawal_id = w.withdrawal_id
                AND e.direction = 'debit' AND e.amount = w.amount) <> 1""",
    ),
    "CSR-005": (
        ("direction", "transfer_id"),
        """SELECT 'outgoing', w.withdrawal_id FROM withdrawals w
           LEFT JOIN travel_rule_messages m ON m.transfer_id = w.withdrawal_id
           WHERE w.kind = 'customer'
           GROUP BY w.withdrawal_id
           HAVING count(m.message_id) = 0 OR bool_or(m.counterparty_kind = 'vasp'
               AND NOT (m.originator_name_present AND m.originator_account_present
                        AND m.originator_identifier_present AND m.beneficiary_name_present
                        AND m.beneficiary_account_present))""",
    ),
    "FIA-001": (
        ("as_of",),
        """SELECT o.as_of FROM (SELECT as_of, sum(balance) AS owed FROM customer_yen_balances
                               GROUP BY as_of) o
           LEFT JOIN (SELECT as_of, sum(balance) AS held FROM yen_trust_balances GROUP BY as_of) h
           USING (as_of) WHERE coalesce(h.held, 0) < o.owed""",
    ),
    "KEY-012": (
        ("wallet_id", "as_of", "check"),
        f"""SELECT wallet_id, as_of, 'change' FROM (
                SELECT wallet_id, as_of, implementation, lag(implementation) OVER
                    (PARTITION BY wallet_id ORDER BY as_of) AS before FROM wallet_state)
            WHERE implementation <> before
            UNION ALL
            SELECT s.wallet_id, s.as_of, 'implementation' FROM wallet_state s
            JOIN wallets w USING (wallet_id)
            WHERE s.as_of = {AS_OF} AND lower(s.implementation) <> lower(w.approved_implementation)""",
    ),
    "KEY-013": (
        ("txid",),
        "SELECT txid FROM signed_transactions WHERE call_selector IS NOT NULL",
    ),
}


def _keys(
    rows: list[tuple[Any, ...]], columns: tuple[str, ...]
) -> set[tuple[tuple[str, str], ...]]:
    def text(v: Any) -> str:
        return v.isoformat() if isinstance(v, date) else str(v)

    return {tuple(sorted(zip(columns, (text(v) for v in row), strict=True))) for row in rows}


@pytest.mark.parametrize("control", sorted(RULES))
def test_rule_flags_exactly_the_seeded_records(
    control: str, db: duckdb.DuckDBPyConnection, seeded: Callable[[str], set[Any]]
) -> None:
    columns, sql = RULES[control]
    found = _keys(db.execute(sql).fetchall(), columns)
    assert found == seeded(control)


def test_every_seeded_control_has_a_restatement(truth: dict[str, Any]) -> None:
    controls = {v["control"] for s in truth["scenarios"] for v in s["violations"]}
    assert controls <= set(RULES)


# derandomized: CI must not turn red on a seed it drew today; the example below is the seed that
# showed a grant made after the last access review (confirmed by the grant itself, not overdue)
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@example(seed=217, days=7)
@given(seed=st.integers(0, 2**31), days=st.integers(7, 60))
def test_any_seed_and_length_flags_only_the_ground_truth(seed: int, days: int) -> None:
    """Property: whatever the seed and period, the background is clean and the truth exact."""
    ofac = default_ofac_dir()
    with tempfile.TemporaryDirectory() as tmp:
        result = generate(
            DemoParams(customers=300, days=days, seed=seed),
            Path(tmp),
            ofac_dir=ofac if ofac.is_dir() else None,
        )
        truth = json.loads(result.ground_truth.read_text(encoding="utf-8"))
        con = duckdb.connect()
        try:
            for name, path in result.files.items():
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
            for control, (columns, sql) in RULES.items():
                expected = {
                    tuple(sorted(v["key"].items()))
                    for s in truth["scenarios"]
                    for v in s["violations"]
                    if v["control"] == control
                }
                assert _keys(con.execute(sql).fetchall(), columns) == expected, control
        finally:
            con.close()

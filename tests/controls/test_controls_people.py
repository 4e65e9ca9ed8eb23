"""Fixture tests of the people controls (PPL-*)."""

from __future__ import annotations

import datetime as dt

from helpers_controls import Fixture

OLD = "2026-01-01T00:00:00Z"
ROLES = [
    {"role_id": "ADM", "privileged": True, "duty": "system_admin"},
    {"role_id": "SUP", "privileged": False, "duty": "customer_support"},
]


def acct(aid: str, person: str | None, **kw: object) -> dict:
    return {
        "account_id": aid,
        "person_id": person,
        "account_type": "personal",
        "privileged": False,
        "mfa_method": "webauthn",
        "created_at": OLD,
        **kw,
    }


def trained(person: str, course: str, on: str) -> dict:
    return {
        "record_id": f"{person}-{course}-{on}",
        "person_id": person,
        "course": course,
        "completed_on": on,
    }


def test_ppl001_awareness_within_a_year_for_everyone_with_access() -> None:
    fx = Fixture(
        accounts=[
            acct("a1", "fresh"),
            acct("a2", "tie"),
            acct("a3", "stale"),
            acct("a4", "never"),
            acct("a5", "gone", disabled_at="2026-06-01T00:00:00Z"),
            acct("svc", None),
            acct("a6", "future"),
        ],
        training_records=[
            trained("fresh", "security_awareness", "2026-06-01"),
            trained("tie", "security_awareness", "2025-11-20"),  # exactly 365 days
            trained("stale", "security_awareness", "2025-11-19"),
            trained("stale", "privileged_access", "2026-11-01"),  # another course
            trained("future", "security_awareness", "2026-11-25"),  # after the as-of date
        ],
    )
    assert fx.keys("PPL-001") == {("stale",), ("never",), ("future",)}
    assert fx.population("PPL-001") == 5


def test_ppl002_privileged_access_training_on_or_before_the_grant_day() -> None:
    def g(gid: str, account: str, at: str, role: str = "ADM") -> dict:
        return {"grant_id": gid, "account_id": account, "role_id": role, "granted_at": at}

    fx = Fixture(
        roles=ROLES,
        accounts=[acct("a1", "alice"), acct("b1", "bob"), acct("c1", "carol"), acct("k", None)],
        training_records=[
            trained("alice", "privileged_access", "2026-11-10"),
            trained("bob", "privileged_access", "2026-11-11"),
            trained("carol", "security_awareness", "2026-01-01"),
        ],
        role_grants=[
            # 08:00 JST on 11 Nov is 23:00 UTC on 10 Nov: the same UTC day as alice's training
            g("same_day", "a1", "2026-11-11T08:00:00+09:00"),
            g("before_training", "b1", "2026-11-10T12:00:00Z"),
            g("untrained", "c1", "2026-11-10T12:00:00Z"),
            g("plain", "c1", "2026-11-10T12:00:00Z", role="SUP"),
            g("shared", "k", "2026-11-10T12:00:00Z"),  # no person: ACC-007's concern
        ],
    )
    assert fx.keys("PPL-002") == {("before_training",), ("untrained",)}
    rows = {r["grant_id"]: r for r in fx.run("PPL-002").rows()}
    assert rows["before_training"]["first_trained_on"] == dt.date(2026, 11, 11)


def test_ppl003_privileged_clickers_remediated_within_max_days() -> None:
    def click(tid: str, person: str, at: str | None, clicked: bool = True) -> dict:
        return {
            "test_id": tid,
            "person_id": person,
            "sent_at": "2026-11-01T00:00:00Z",
            "clicked": clicked,
            "clicked_at": at,
        }

    fx = Fixture(
        roles=ROLES,
        accounts=[
            acct("v1", "vendor", privileged=True),  # privileged account
            acct("r1", "roleholder"),
            acct("late1", "latecomer"),
            acct("n1", "normal"),
            acct("x1", "former", privileged=True, disabled_at="2026-10-01T00:00:00Z"),
        ],
        role_grants=[
            {"grant_id": "g1", "account_id": "r1", "role_id": "ADM", "granted_at": OLD},
            # privileged only after the click: still must be remediated
            {
                "grant_id": "g2",
                "account_id": "late1",
                "role_id": "ADM",
                "granted_at": "2026-11-08T00:00:00Z",
            },
        ],
        phishing_tests=[
            click("never", "vendor", "2026-11-02T00:00:00Z"),
            click("on_time", "roleholder", "2026-11-02T00:00:00Z"),
            click("too_late", "roleholder", "2026-11-03T00:00:00Z"),
            click("latecomer", "latecomer", "2026-11-02T00:00:00Z"),
            click("not_privileged", "normal", "2026-11-02T00:00:00Z"),
            click("ignored", "vendor", None, clicked=False),
            click("after_access_ended", "former", "2026-11-02T00:00:00Z"),
            click("recent", "vendor", "2026-11-10T00:00:00Z"),  # deadline 24 Nov
        ],
        training_records=[
            trained("roleholder", "phishing_remediation", "2026-11-16"),  # 14 days after 2 Nov
            trained("latecomer", "security_awareness", "2026-11-03"),
        ],
    )
    # the 16 Nov remediation is on time for the 2 Nov click (a tie) and for the 3 Nov click
    assert fx.keys("PPL-003") == {("never",), ("latecomer",)}
    assert fx.keys("PPL-003", max_days=13) == {("never",), ("latecomer",), ("on_time",)}
    assert fx.keys("PPL-003", as_of=dt.date(2026, 11, 25)) == {
        ("never",),
        ("latecomer",),
        ("recent",),
    }


def test_ppl004_keyholder_training_before_assignment() -> None:
    def key(fp: str, person: str, at: str) -> dict:
        return {
            "key_fingerprint": fp,
            "wallet_id": "w",
            "person_id": person,
            "device_id": fp,
            "location": "x",
            "key_role": "signer",
            "assigned_at": at,
        }

    fx = Fixture(
        keyholders=[
            key("aaaaaaa1", "alice", "2026-11-10T09:00:00Z"),
            key("aaaaaaa2", "bob", "2026-11-10T09:00:00Z"),
            key("aaaaaaa3", "carol", "2026-11-10T09:00:00Z"),
            key("aaaaaaa4", "dave", "2026-11-21T09:00:00Z"),  # after the as-of date
        ],
        training_records=[
            trained("alice", "keyholder", "2026-11-10"),
            trained("bob", "keyholder", "2026-11-11"),
            trained("carol", "privileged_access", "2026-01-01"),
        ],
    )
    assert fx.keys("PPL-004") == {("aaaaaaa2",), ("aaaaaaa3",)}
    assert fx.population("PPL-004") == 3


def test_ppl005_vendor_staff_trained_before_their_first_account() -> None:
    fx = Fixture(
        staff=[
            {"person_id": "v_ok", "employment_type": "vendor"},
            {"person_id": "v_late", "employment_type": "vendor"},
            {"person_id": "v_never", "employment_type": "vendor"},
            {"person_id": "v_gone", "employment_type": "vendor"},
            {"person_id": "emp", "employment_type": "employee"},
        ],
        accounts=[
            acct("a1", "v_ok", created_at="2026-10-01T01:00:00Z"),
            acct("a2", "v_ok", created_at="2026-11-01T01:00:00Z"),
            acct("b1", "v_late", created_at="2026-10-01T01:00:00Z"),
            acct("c1", "v_never", created_at="2026-10-01T01:00:00Z"),
            acct(
                "d1", "v_gone", created_at="2026-10-01T01:00:00Z", expires_at="2026-11-01T00:00:00Z"
            ),
            acct("e1", "emp", created_at="2026-10-01T01:00:00Z"),
        ],
        training_records=[
            trained("v_ok", "security_awareness", "2026-10-01"),
            trained("v_late", "security_awareness", "2026-10-02"),
        ],
    )
    assert fx.keys("PPL-005") == {("v_late",), ("v_never",)}
    assert fx.population("PPL-005") == 3

"""Fixture tests of the access controls (ACC-*)."""

from __future__ import annotations

import datetime as dt

from helpers_controls import Fixture

OLD = "2026-01-01T00:00:00Z"
ROLES = [
    {"role_id": "REQ", "privileged": True, "duty": "withdrawal_requester"},
    {"role_id": "APP", "privileged": True, "duty": "withdrawal_approver"},
    {"role_id": "ADM", "privileged": True, "duty": "system_admin"},
    {"role_id": "SUP", "privileged": False, "duty": "customer_support"},
]


def acct(aid: str, person: str | None = None, **kw: object) -> dict:
    return {
        "account_id": aid,
        "person_id": person,
        "account_type": "personal",
        "privileged": False,
        "mfa_method": "webauthn",
        "created_at": OLD,
        **kw,
    }


def grant(gid: str, account: str, role: str, **kw: object) -> dict:
    return {
        "grant_id": gid,
        "account_id": account,
        "role_id": role,
        "granted_at": OLD,
        "ticket_id": "T1",
        "approved_by": "boss",
        "last_reviewed_at": "2026-11-01T00:00:00Z",
        **kw,
    }


def test_acc001_conflicting_active_grants_across_accounts() -> None:
    fx = Fixture(
        roles=ROLES,
        role_conflicts=[{"role_a": "REQ", "role_b": "APP", "reason": "maker-checker"}],
        accounts=[
            acct("a1", "alice"),
            acct("a2", "alice"),
            acct("b1", "bob"),
            acct("c1", "carol"),
            acct("c2", "carol", disabled_at="2026-11-01T00:00:00Z"),
            acct("d1", "dave"),
        ],
        role_grants=[
            grant("g1", "a1", "REQ"),
            grant("g2", "a2", "APP"),  # alice: via two accounts
            grant("g3", "b1", "REQ"),
            grant("g4", "b1", "APP", revoked_at="2026-11-15T00:00:00Z"),
            grant("g5", "c1", "APP"),
            grant("g6", "c2", "REQ"),  # carol's second account disabled
            grant("g7", "d1", "APP"),
            grant("g8", "d1", "REQ", granted_at="2026-11-21T01:00:00Z"),
        ],
    )
    # period_days=0: only the end of the as-of date (what ACC-001 v1 tested)
    assert fx.keys("ACC-001", period_days=0) == {("alice", "REQ", "APP")}
    # the default 30-day period also sees bob (until 11-15) and carol (until 11-01)
    assert fx.keys("ACC-001") == {
        ("alice", "REQ", "APP"),
        ("bob", "REQ", "APP"),
        ("carol", "REQ", "APP"),
    }
    assert fx.keys("ACC-001", as_of=dt.date(2026, 11, 14), period_days=0) == {
        ("alice", "REQ", "APP"),
        ("bob", "REQ", "APP"),
    }
    # order in role_conflicts decides the key's role_a/role_b, whatever the grant order
    fx2 = Fixture(
        roles=ROLES,
        role_conflicts=[{"role_a": "APP", "role_b": "REQ", "reason": "x"}],
        accounts=[acct("a1", "alice")],
        role_grants=[grant("g1", "a1", "REQ"), grant("g2", "a1", "APP")],
    )
    assert fx2.keys("ACC-001") == {("alice", "APP", "REQ")}


def _acc001(*grants: dict, **params: object) -> set[tuple[str, ...]]:
    fx = Fixture(
        roles=ROLES,
        role_conflicts=[{"role_a": "REQ", "role_b": "APP", "reason": "maker-checker"}],
        accounts=[acct("a1", "alice")],
        role_grants=list(grants),
    )
    return fx.keys("ACC-001", **params)


def test_acc001_same_day_grant_use_revoke_is_seen() -> None:
    # v1 looked at the end of the day only: APP granted 10:00 and revoked 11:00 was never held
    same_day = grant(
        "g2", "a1", "APP", granted_at="2026-11-20T01:00:00Z", revoked_at="2026-11-20T02:00:00Z"
    )
    assert _acc001(grant("g1", "a1", "REQ"), same_day) == {("alice", "REQ", "APP")}
    assert _acc001(grant("g1", "a1", "REQ"), same_day, period_days=0) == set()


def test_acc001_intervals_that_only_touch_or_are_empty_do_not_overlap() -> None:
    req_until = grant("g1", "a1", "REQ", revoked_at="2026-11-10T00:00:00Z")
    app_from = grant("g2", "a1", "APP", granted_at="2026-11-10T00:00:00Z")
    assert _acc001(req_until, app_from) == set()
    one_second_more = grant("g1", "a1", "REQ", revoked_at="2026-11-10T00:00:01Z")
    assert _acc001(one_second_more, app_from) == {("alice", "REQ", "APP")}
    empty = grant("g3", "a1", "APP", granted_at=OLD, revoked_at=OLD)
    assert _acc001(grant("g1", "a1", "REQ"), empty) == set()


def test_acc001_period_boundary() -> None:
    # as_of 2026-11-20, period_days 30: the period starts on 2026-10-22 (UTC)
    ended_in_period = grant("g2", "a1", "APP", revoked_at="2026-10-22T00:00:01Z")
    ended_before = grant("g2", "a1", "APP", revoked_at="2026-10-21T23:59:59Z")
    assert _acc001(grant("g1", "a1", "REQ"), ended_in_period) == {("alice", "REQ", "APP")}
    assert _acc001(grant("g1", "a1", "REQ"), ended_before) == set()
    # a conflict that begins after the as-of date is not yet in the period
    later = grant("g2", "a1", "APP", granted_at="2026-11-21T00:00:00Z")
    assert _acc001(grant("g1", "a1", "REQ"), later) == set()


def test_acc002_leavers_accounts_disabled_or_expired_in_time() -> None:
    fx = Fixture(
        staff=[
            {"person_id": "p1", "left_on": "2026-11-10"},
            {"person_id": "p2", "left_on": "2026-11-19"},
        ],
        accounts=[
            acct("ok", "p1", disabled_at="2026-11-11T20:00:00Z"),
            acct("late", "p1", disabled_at="2026-11-12T00:00:01Z"),
            acct("never", "p1"),
            acct("expired", "p1", expires_at="2026-11-09T00:00:00Z"),
            acct("recent", "p2"),  # deadline 20 Nov not passed
        ],
    )
    assert fx.keys("ACC-002") == {("late",), ("never",)}
    assert fx.keys("ACC-002", max_days=2) == {("never",)}
    assert fx.keys("ACC-002", as_of=dt.date(2026, 11, 21)) == {("late",), ("never",), ("recent",)}


PRIV = dict(
    roles=ROLES,
    accounts=[
        acct(
            "flag_none",
            "p1",
            privileged=True,
            mfa_method="none",
            last_login_at="2026-11-19T00:00:00Z",
        ),
        acct("role_none", "p2", mfa_method="none", last_login_at="2026-11-19T00:00:00Z"),
        acct("role_sms", "p3", mfa_method="sms", last_login_at="2026-08-22T00:00:00Z"),
        acct("plain_none", "p4", mfa_method="none"),  # non-privileged role only
        acct("revoked_none", "p5", mfa_method="none", last_login_at="2026-11-19T00:00:00Z"),
        acct("gone", "p6", privileged=True, mfa_method="none", disabled_at="2026-11-01T00:00:00Z"),
        acct("never_used", "p7", privileged=True, created_at="2026-08-01T00:00:00Z"),
        acct("kiosk", None, account_type="shared", mfa_method="totp"),
        acct("kiosk2", None, account_type="shared", mfa_method="totp"),
    ],
    role_grants=[
        grant("g1", "role_none", "ADM"),
        grant("g2", "role_sms", "APP"),
        grant("g3", "plain_none", "SUP"),
        grant("g4", "revoked_none", "ADM", revoked_at="2026-11-02T00:00:00Z"),
        grant("g5", "kiosk", "ADM"),
        grant("g6", "kiosk2", "SUP"),
    ],
)


def test_acc003_mfa_on_privileged_accounts() -> None:
    fx = Fixture(**PRIV)
    assert fx.keys("ACC-003") == {("flag_none",), ("role_none",)}


def test_acc003_non_interactive_service_accounts_use_keys_instead_of_mfa() -> None:
    def svc(aid: str, **kw: object) -> dict:
        return acct(aid, None, account_type="service", privileged=True, mfa_method="none", **kw)

    fx = Fixture(
        roles=ROLES,
        accounts=[
            svc("ssh", interactive_login=False, auth_method="ssh_key"),  # v1 failed it: no MFA
            svc("cert", interactive_login=False, auth_method="certificate"),
            svc("password", interactive_login=False, auth_method="password"),
            svc("unknown_auth", interactive_login=False),
            svc("interactive", interactive_login=True, auth_method="ssh_key"),
            svc("undeclared", auth_method="ssh_key"),  # interactive_login absent: MFA needed
            acct(
                "person",
                "alice",
                privileged=True,
                mfa_method="none",
                interactive_login=False,
                auth_method="ssh_key",
            ),  # only service accounts
        ],
    )
    table = fx.run("ACC-003").exceptions
    reasons = dict(
        zip(table.column("account_id").to_pylist(), table.column("reason").to_pylist(), strict=True)
    )
    assert reasons == {
        "password": "non-interactive service account without key-based authentication (password)",
        "unknown_auth": "non-interactive service account: authentication method not recorded",
        "interactive": "no MFA",
        "undeclared": "no MFA",
        "person": "no MFA",
    }
    # each rule is a parameter
    assert ("cert",) in fx.keys("ACC-003", service_key_methods="ssh_key")
    assert len(fx.keys("ACC-003", service_account_rule=False)) == 7


def test_acc005_dormant_privileged_accounts_with_tie() -> None:
    fx = Fixture(**PRIV)
    # role_sms last logged in 90 days before the as-of date: a tie, passes; never_used counts
    # from creation (111 days); the shared kiosk was created long ago and never logged in
    assert fx.keys("ACC-005") == {("never_used",), ("kiosk",)}
    assert ("role_sms",) in fx.keys("ACC-005", max_dormant_days=89)


def test_acc007_shared_accounts_with_privilege() -> None:
    fx = Fixture(**PRIV)
    assert fx.keys("ACC-007") == {("kiosk",)}
    assert fx.population("ACC-007") == 2


def test_acc004_phishing_resistant_mfa_for_keyholders_and_approvers() -> None:
    fx = Fixture(
        roles=ROLES,
        accounts=[
            acct("k1", "keyholder", mfa_method="hardware_key"),
            acct("k2", "keyholder", mfa_method="totp"),
            acct("r1", "role_approver", mfa_method="sms"),
            acct("h1", "approved_once", mfa_method="totp"),
            acct("x1", "bystander", mfa_method="none"),
            acct("old", "keyholder", mfa_method="none", disabled_at="2026-10-01T00:00:00Z"),
        ],
        keyholders=[
            {
                "key_fingerprint": "aaaaaaaa",
                "wallet_id": "w",
                "person_id": "keyholder",
                "device_id": "d",
                "location": "x",
                "key_role": "signer",
                "assigned_at": OLD,
            }
        ],
        role_grants=[grant("g1", "r1", "APP")],
        withdrawal_approvals=[
            {
                "approval_id": "A1",
                "withdrawal_id": "W1",
                "approver_person_id": "approved_once",
                "approver_account_id": "h1",
                "decision": "approve",
                "approved_at": "2026-11-10T00:00:00Z",
            }
        ],
    )
    assert fx.keys("ACC-004") == {("k2",), ("r1",), ("h1",)}
    assert fx.population("ACC-004") == 4


def access_ticket(tid: str, **kw: object) -> dict:
    """An approved access ticket for the wallet console, approved a day before OLD grants."""
    return {
        "ticket_id": tid,
        "system": "wallet_console",
        "kind": "standard",
        "change_type": "access",
        "requested_by": "alice",
        "approved_by": "boss",
        "approved_at": "2025-12-31T00:00:00Z",
        "status": "closed",
        **kw,
    }


ROLES_WITH_SYSTEM = [{**r, "system": "wallet_console"} for r in ROLES]


def test_acc006_privileged_grants_need_ticket_and_independent_approver() -> None:
    fx = Fixture(
        roles=ROLES_WITH_SYSTEM,
        accounts=[acct("a1", "alice")],
        change_tickets=[access_ticket("T1")],
        role_grants=[
            grant("ok", "a1", "ADM"),
            grant("no_ticket", "a1", "ADM", ticket_id=None),
            grant("blank_ticket", "a1", "ADM", ticket_id=" "),
            grant("no_approver", "a1", "ADM", approved_by=None),
            grant("self", "a1", "ADM", approved_by="alice"),
            grant("plain", "a1", "SUP", ticket_id=None),  # not privileged
        ],
    )
    assert fx.keys("ACC-006") == {("no_ticket",), ("blank_ticket",), ("no_approver",), ("self",)}


def _acc006_reasons(tickets: list[dict], **grant_kw: object) -> dict[str, str]:
    fx = Fixture(
        roles=ROLES_WITH_SYSTEM,
        accounts=[acct("a1", "alice"), acct("b1", "bob")],
        change_tickets=tickets,
        role_grants=[
            grant(t["ticket_id"], "a1", "ADM", ticket_id=t["ticket_id"], **grant_kw)
            for t in tickets
        ]
        + [grant("ghost", "a1", "ADM", ticket_id="T-NOT-THERE")],
    )
    table = fx.run("ACC-006").exceptions
    return dict(
        zip(table.column("grant_id").to_pylist(), table.column("reason").to_pylist(), strict=True)
    )


def test_acc006_the_ticket_must_hold_up() -> None:
    # the old control passed every one of these: each names a non-empty ticket id
    at = "2026-01-01T00:00:00Z"  # the grant time (OLD)
    reasons = _acc006_reasons(
        [
            access_ticket("ok"),
            access_ticket("just_before", approved_at="2025-12-31T23:59:59Z"),
            access_ticket("same_instant", approved_at=at),
            access_ticket("after", approved_at="2026-01-02T00:00:00Z"),
            access_ticket("unapproved", approved_by=None, approved_at=None, status="open"),
            access_ticket("rejected", status="rejected"),
            access_ticket("own", requested_by="boss", approved_by="boss"),
            access_ticket("by_grantee", requested_by="carol", approved_by="alice"),
            access_ticket("other_system", system="aws"),
            access_ticket("ops_kind", change_type="operation"),
            access_ticket("no_kind", change_type=None),
        ]
    )
    assert reasons == {
        "ghost": "ticket not found in change_tickets",
        "same_instant": "ticket approved at or after the grant",
        "after": "ticket approved at or after the grant",
        "unapproved": "ticket not approved",
        "rejected": "ticket not approved",
        "own": "ticket approved by its requester",
        "by_grantee": "ticket approved by the grantee",
        "other_system": "ticket is for another system",
        "ops_kind": "ticket is not an access ticket (operation)",
        "no_kind": "ticket does not state its kind of change (change_type)",
    }


def test_acc006_ticket_kinds_are_a_parameter() -> None:
    fx = Fixture(
        roles=ROLES_WITH_SYSTEM,
        accounts=[acct("a1", "alice")],
        change_tickets=[access_ticket("T1", change_type="operation")],
        role_grants=[grant("g", "a1", "ADM")],
    )
    assert fx.keys("ACC-006") == {("g",)}
    assert fx.keys("ACC-006", grant_ticket_types="access;operation") == set()


def test_acc008_vendor_accounts_time_boxed() -> None:
    created = "2026-10-01T10:00:00Z"
    fx = Fixture(
        accounts=[
            acct(
                "v_ok",
                "v",
                account_type="vendor",
                created_at=created,
                expires_at="2026-12-30T09:00:00Z",
            ),
            acct(
                "v_long",
                "v",
                account_type="vendor",
                created_at=created,
                expires_at="2027-01-01T00:00:00Z",
            ),
            acct("v_none", "v", account_type="vendor", created_at=created),
            acct(
                "v_done",
                "v",
                account_type="vendor",
                created_at=created,
                disabled_at="2026-10-05T00:00:00Z",
            ),
            acct("staff", "s", created_at=created),
        ]
    )
    assert fx.keys("ACC-008") == {("v_long",), ("v_none",)}  # 90 days: a tie passes


def test_acc009_session_used_from_a_second_device_without_reauthentication() -> None:
    def ev(
        eid: str,
        seq: int,
        at: str,
        etype: str,
        device: str | None,
        session: str = "S1",
        result: str = "success",
    ) -> dict:
        return {
            "event_id": eid,
            "host": "idp",
            "seq": seq,
            "account_id": "a1",
            "event_time": at,
            "event_type": etype,
            "device_id": device,
            "session_id": session,
            "result": result,
        }

    fx = Fixture(
        auth_events=[
            ev("e1", 1, "2026-11-10T01:00:00Z", "login", "laptop"),
            ev("e2", 2, "2026-11-10T02:00:00Z", "session_refresh", "laptop"),
            # the same instant written in Tokyo time, from the attacker's machine
            ev("e3", 3, "2026-11-10T12:00:00+09:00", "session_refresh", "attacker"),
            ev("e4", 4, "2026-11-10T04:00:00Z", "logout", "attacker"),
            # a second session: a new device that re-authenticates is fine
            ev("e5", 5, "2026-11-10T05:00:00Z", "login", "laptop", "S2"),
            ev("e6", 6, "2026-11-10T06:00:00Z", "mfa", "phone", "S2"),
            ev("e7", 7, "2026-11-10T07:00:00Z", "session_refresh", "phone", "S2"),
            ev("e8", 8, "2026-11-10T08:00:00Z", "session_refresh", None, "S2"),
            # a failed MFA from another device does not re-authenticate
            ev("e9", 9, "2026-11-10T09:00:00Z", "mfa", "tablet", "S2", "failure"),
        ]
    )
    assert fx.keys("ACC-009") == {("e3",), ("e4",), ("e9",)}
    assert fx.keys("ACC-009", as_of=dt.date(2026, 11, 9)) == set()


def test_acc010_privileged_grants_reviewed() -> None:
    fx = Fixture(
        roles=ROLES,
        accounts=[acct("a1", "alice"), acct("gone", "bob", disabled_at="2026-10-01T00:00:00Z")],
        role_grants=[
            grant("fresh", "a1", "ADM", last_reviewed_at="2026-08-22T23:00:00Z"),  # 90 days
            grant("stale", "a1", "APP", last_reviewed_at="2026-08-21T00:00:00Z"),
            grant("new", "a1", "REQ", granted_at="2026-10-01T00:00:00Z", last_reviewed_at=None),
            grant("never", "a1", "ADM", last_reviewed_at=None),
            grant("inert", "gone", "ADM", last_reviewed_at=None),  # account disabled
            grant("plain", "a1", "SUP", last_reviewed_at=None),
        ],
    )
    assert fx.keys("ACC-010") == {("stale",), ("never",)}


def test_acc011_logins_after_leaving() -> None:
    def login(eid: str, at: str, account: str = "a1", **kw: object) -> dict:
        return {
            "event_id": eid,
            "host": "idp",
            "seq": 1,
            "account_id": account,
            "event_time": at,
            "event_type": "login",
            "result": "success",
            **kw,
        }

    fx = Fixture(
        staff=[{"person_id": "p1", "left_on": "2026-11-10"}, {"person_id": "p2"}],
        accounts=[acct("a1", "p1"), acct("a2", "p2")],
        auth_events=[
            login("last_day", "2026-11-10T23:59:00Z"),
            login("tokyo_morning", "2026-11-11T08:00:00+09:00"),  # still 10 Nov in UTC
            login("after", "2026-11-11T00:00:00Z"),
            login("failed", "2026-11-12T00:00:00Z", result="failure"),
            login("refresh", "2026-11-12T00:00:00Z", event_type="session_refresh"),
            login("stayer", "2026-11-12T00:00:00Z", account="a2"),
        ],
    )
    assert fx.keys("ACC-011") == {("after",)}

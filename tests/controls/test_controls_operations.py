"""Fixture tests of the operations and security controls (OPS-*)."""

from __future__ import annotations

import datetime as dt

from helpers_controls import Fixture

OLD = "2026-01-01T00:00:00Z"


def ticket(tid: str, **kw: object) -> dict:
    return {
        "ticket_id": tid,
        "kind": "normal",
        "requested_by": "dev",
        "approved_by": "lead",
        "approved_at": "2026-11-10T01:00:00Z",
        "deployed_at": "2026-11-10T02:00:00Z",
        "status": "deployed",
        **kw,
    }


def test_ops001_approved_no_later_than_deployment() -> None:
    fx = Fixture(
        change_tickets=[
            ticket("ok"),
            ticket("tie", approved_at="2026-11-10T02:00:00Z"),
            ticket("after", approved_at="2026-11-10T03:00:00Z"),
            ticket("none", approved_by=None, approved_at=None),
            ticket("no_time", approved_at=None),
            ticket("standard_after", kind="standard", approved_at="2026-11-10T03:00:00Z"),
            ticket("emergency", kind="emergency", approved_at="2026-11-10T03:00:00Z"),
            ticket("not_deployed", approved_by=None, approved_at=None, deployed_at=None),
        ]
    )
    assert fx.keys("OPS-001") == {("after",), ("none",), ("no_time",), ("standard_after",)}
    assert fx.population("OPS-001") == 6


def test_ops002_emergency_reviewed_within_max_days() -> None:
    em = {"kind": "emergency", "deployed_at": "2026-11-10T22:00:00Z"}
    fx = Fixture(
        change_tickets=[
            ticket("tie", **em, reviewed_at="2026-11-13T23:00:00Z"),
            ticket("late", **em, reviewed_at="2026-11-14T00:30:00Z"),
            ticket("never", **em),
            ticket("due_later", kind="emergency", deployed_at="2026-11-19T00:00:00Z"),
            ticket("normal", deployed_at="2026-11-01T00:00:00Z"),
        ]
    )
    assert fx.keys("OPS-002") == {("late",), ("never",)}
    assert fx.keys("OPS-002", as_of=dt.date(2026, 11, 13)) == set()


def test_ops003_sequence_gaps_per_host_and_log() -> None:
    def ev(host: str, seq: int, day: int = 10) -> dict:
        return {
            "event_id": f"{host}-{seq}",
            "host": host,
            "seq": seq,
            "event_time": f"2026-11-{day:02d}T00:00:{seq % 60:02d}Z",
        }

    def act(host: str, seq: int) -> dict:
        return {
            "action_id": f"{host}-a{seq}",
            "host": host,
            "seq": seq,
            "action_time": "2026-11-10T00:00:00Z",
        }

    fx = Fixture(
        auth_events=[ev("idp", s) for s in (5, 6, 7, 10, 11, 11)]
        + [ev("vpn", s) for s in (1, 2, 3)]
        + [ev("vpn", 5, day=21)],  # after the as-of date
        admin_actions=[act("idp", s) for s in (1, 2, 4)],  # its own sequence on the same host
    )
    # the first number held (5) is not a gap: older events aged out of the export
    assert fx.keys("OPS-003") == {("idp", "8"), ("idp", "3")}
    rows = {(r["dataset"], r["gap_start"]): r for r in fx.run("OPS-003").rows()}
    assert rows[("auth_events", 8)]["missing_events"] == 2
    assert fx.keys("OPS-003", as_of=dt.date(2026, 11, 21)) == {
        ("idp", "8"),
        ("idp", "3"),
        ("vpn", "4"),
    }
    assert Fixture().keys("OPS-003") == set()


def test_ops004_and_ops005_log_source_settings() -> None:
    fx = Fixture(
        log_sources=[
            {"host": "ok", "clock_skew_ms": 1000, "retention_days": 400},
            {"host": "behind", "clock_skew_ms": -1001, "retention_days": 399},
            {"host": "unknown", "clock_skew_ms": None, "retention_days": None},
        ]
    )
    assert fx.keys("OPS-004") == {("behind",), ("unknown",)}
    assert fx.keys("OPS-005") == {("behind",), ("unknown",)}
    assert fx.keys("OPS-005", min_retention_days=3650) == {("ok",), ("behind",), ("unknown",)}


def dev(did: str, **kw: object) -> dict:
    return {
        "device_id": did,
        "device_type": "laptop",
        "signing_access": True,
        "edr_installed": True,
        "edr_last_seen": "2026-11-20T10:00:00Z",
        "untrusted_software": False,
        **kw,
    }


def test_ops006_edr_on_signing_devices() -> None:
    fx = Fixture(
        endpoints=[
            dev("ok"),
            dev("tie", edr_last_seen="2026-11-18T23:00:00Z"),
            dev("stale", edr_last_seen="2026-11-17T23:59:00Z"),
            dev("none", edr_installed=False),
            dev("never", edr_last_seen=None),
            dev("office", signing_access=False, edr_installed=False),
        ]
    )
    assert fx.keys("OPS-006") == {("stale",), ("none",), ("never",)}


def test_ops006_devices_that_cannot_run_edr_are_left_to_ops012() -> None:
    # v1 failed every hardware signer and HSM: no agent can run on them
    fx = Fixture(
        endpoints=[
            dev(
                "signer",
                device_type="signing_device",
                device_class="hardware_signer",
                edr_installed=False,
            ),
            dev("hsm", device_type="server", device_class="hsm", edr_installed=False),
            dev("pc", device_class="general_purpose", edr_installed=False),
            dev("unknown_class", edr_installed=False),  # absent class: general purpose
        ]
    )
    assert fx.keys("OPS-006") == {("pc",), ("unknown_class",)}
    assert fx.population("OPS-006") == 2
    # the rule is a parameter: with no exempt class, all four need EDR
    assert len(fx.keys("OPS-006", no_edr_classes="")) == 4
    assert fx.population("OPS-012") == 2


def sealed(did: str, **kw: object) -> dict:
    return {
        "device_id": did,
        "device_type": "signing_device",
        "device_class": "hardware_signer",
        "signing_access": True,
        "edr_installed": False,
        "person_id": "kim",
        "location": "Tokyo vault",
        "tamper_seal_checked_at": "2026-11-01T00:00:00Z",
        "tamper_seal_intact": True,
        **kw,
    }


def test_ops012_custody_seal_and_location_of_sealed_devices() -> None:
    fx = Fixture(
        staff=[
            {"person_id": "kim", "left_on": None},
            {"person_id": "gone", "left_on": "2026-11-20"},
            {"person_id": "later", "left_on": "2026-11-21"},
        ],
        endpoints=[
            sealed("ok"),
            sealed("hsm_unassigned", device_class="hsm", device_type="server", person_id=None),
            sealed("no_custodian", person_id=None),
            sealed("stranger", person_id="nobody"),
            sealed("left", person_id="gone"),
            sealed("leaves_later", person_id="later"),
            sealed("nowhere", location=" "),
            sealed("never", tamper_seal_checked_at=None),
            sealed("no_verdict", tamper_seal_intact=None),
            sealed("broken", tamper_seal_intact=False),
            # as_of 2026-11-20, 90 days: 2026-08-22 is exactly 90 days (passes), 08-21 is 91
            sealed("seal_90", tamper_seal_checked_at="2026-08-22T23:00:00Z"),
            sealed("seal_91", tamper_seal_checked_at="2026-08-21T23:00:00Z"),
            dev("laptop"),  # not a sealed class: OPS-006's business
        ],
    )
    table = fx.run("OPS-012").exceptions
    reasons = dict(
        zip(table.column("device_id").to_pylist(), table.column("reason").to_pylist(), strict=True)
    )
    assert reasons == {
        "no_custodian": "no custodian",
        "stranger": "custodian not in staff",
        "left": "custodian has left",
        "nowhere": "location not recorded",
        "never": "tamper seal never inspected",
        "no_verdict": "tamper seal inspection has no verdict",
        "broken": "tamper seal broken",
        "seal_91": "tamper seal not inspected recently",
    }
    assert fx.population("OPS-012") == 12
    assert ("seal_91",) not in fx.keys("OPS-012", max_seal_days=91)
    assert ("ok",) in fx.keys("OPS-012", secure_locations="Osaka vault;Tokyo DC1")
    assert ("ok",) not in fx.keys("OPS-012", secure_locations="Osaka vault; Tokyo vault")


def test_ops007_untrusted_software_on_signing_devices() -> None:
    fx = Fixture(
        endpoints=[
            dev("ok"),
            dev("bad", untrusted_software=True),
            dev("unknown", untrusted_software=None),
            dev("office", signing_access=False, untrusted_software=True),
        ]
    )
    assert fx.keys("OPS-007") == {("bad",), ("unknown",)}
    assert fx.population("OPS-007") == 3


def test_ops008_admin_actions_by_known_enabled_accounts() -> None:
    def act(aid: str, account: str, at: str = "2026-11-10T00:00:00Z") -> dict:
        return {"action_id": aid, "host": "h", "seq": 1, "account_id": account, "action_time": at}

    fx = Fixture(
        accounts=[
            {"account_id": "ok", "created_at": OLD},
            {"account_id": "off", "created_at": OLD, "disabled_at": "2026-11-09T00:00:00Z"},
            {"account_id": "vendor", "created_at": OLD, "expires_at": "2026-11-10T00:00:00Z"},
            {"account_id": "new", "created_at": "2026-11-10T00:00:01Z"},
        ],
        admin_actions=[
            act("x1", "ok"),
            act("x2", "off"),
            act("x3", "vendor"),
            act("x4", "new"),
            act("x5", "ghost"),
        ],
    )
    assert fx.keys("OPS-008") == {("x2",), ("x3",), ("x4",), ("x5",)}


def _ops_ticket(tid: str, **kw: object) -> dict:
    """An approved operations ticket for system ``core`` (host h), approved a day early."""
    return {
        "ticket_id": tid,
        "system": "core",
        "kind": "standard",
        "change_type": "operation",
        "requested_by": "lead",
        "approved_by": "ciso",
        "approved_at": "2026-11-09T00:00:00Z",
        "status": "closed",
        **kw,
    }


def _action(aid: str, ticket: str | None, privileged: bool = True, **kw: object) -> dict:
    return {
        "action_id": aid,
        "host": "h",
        "seq": 1,
        "account_id": "a",
        "action_time": "2026-11-10T00:00:00Z",
        "privileged": privileged,
        "ticket_id": ticket,
        **kw,
    }


OPS_CONTEXT = {
    "log_sources": [{"host": "h", "system": "core"}, {"host": "h2", "system": "aws"}],
    "accounts": [{"account_id": "a", "person_id": "ann", "created_at": OLD}],
}


def test_ops009_privileged_actions_need_a_ticket() -> None:
    fx = Fixture(
        change_tickets=[_ops_ticket("CHG1")],
        admin_actions=[
            _action("ok", "CHG1"),
            _action("none", None),
            _action("blank", ""),
            _action("plain", None, privileged=False),
        ],
        **OPS_CONTEXT,
    )
    assert fx.keys("OPS-009") == {("none",), ("blank",)}


def test_ops009_the_ticket_must_hold_up() -> None:
    # the old control passed all of these: each names a non-empty ticket id
    tickets = [
        _ops_ticket("ok"),
        _ops_ticket("deploy", change_type="deployment"),
        _ops_ticket("just_before", approved_at="2026-11-09T23:59:59Z"),
        _ops_ticket("same_instant", approved_at="2026-11-10T00:00:00Z"),
        _ops_ticket("unapproved", approved_by=None, approved_at=None, status="open"),
        _ops_ticket("own", approved_by="lead"),
        _ops_ticket("by_actor", approved_by="ann"),
        _ops_ticket("access_kind", change_type="access"),
        _ops_ticket("no_kind", change_type=None),
        _ops_ticket("other_system", system="aws"),
        _ops_ticket("emergency_24h", kind="emergency", approved_at="2026-11-11T00:00:00Z"),
        _ops_ticket("emergency_late", kind="emergency", approved_at="2026-11-11T00:00:01Z"),
    ]
    fx = Fixture(
        change_tickets=tickets,
        admin_actions=[_action(t["ticket_id"], t["ticket_id"]) for t in tickets]
        + [_action("ghost", "CHG-NOT-THERE"), _action("unknown_host", "ok", host="h9")],
        **OPS_CONTEXT,
    )
    table = fx.run("OPS-009").exceptions
    reasons = dict(
        zip(table.column("action_id").to_pylist(), table.column("reason").to_pylist(), strict=True)
    )
    assert reasons == {
        "ghost": "ticket not found in change_tickets",
        "same_instant": "ticket approved at or after the action",
        "unapproved": "ticket not approved",
        "own": "ticket approved by its requester",
        "by_actor": "ticket approved by the actor",
        "access_kind": "ticket kind does not cover admin work (access)",
        "no_kind": "ticket does not state its kind of change (change_type)",
        "other_system": "ticket is for another system",
        "emergency_late": "emergency ticket approved too long after the action",
        "unknown_host": "host not in log_sources: system unknown",
    }
    assert ("emergency_late",) not in fx.keys("OPS-009", emergency_approval_hours=25)
    assert ("access_kind",) not in fx.keys("OPS-009", action_ticket_types="operation;access")


def test_ops010_it_duties_concentrated_in_one_person() -> None:
    roles = [
        {"role_id": "DEV", "privileged": False, "duty": "developer"},
        {"role_id": "ADM", "privileged": True, "duty": "system_admin"},
        {"role_id": "ADM2", "privileged": True, "duty": "system_admin"},
        {"role_id": "SEC", "privileged": True, "duty": "infosec"},
        {"role_id": "TRE", "privileged": True, "duty": "treasury_ops"},
    ]

    def g(gid: str, account: str, role: str, **kw: object) -> dict:
        return {"grant_id": gid, "account_id": account, "role_id": role, "granted_at": OLD, **kw}

    fx = Fixture(
        roles=roles,
        accounts=[
            {"account_id": f"{p}1", "person_id": p, "created_at": OLD}
            for p in ("devops", "admin", "moved", "sec")
        ],
        role_grants=[
            g("1", "devops1", "DEV"),
            g("2", "devops1", "ADM"),
            g("3", "admin1", "ADM"),
            g("4", "admin1", "ADM2"),
            g("5", "admin1", "TRE"),
            g("6", "moved1", "DEV", revoked_at="2026-06-01T00:00:00Z"),
            g("7", "moved1", "SEC"),
            g("8", "sec1", "SEC"),
        ],
    )
    assert fx.keys("OPS-010") == {("devops",)}


def test_ops011_requester_never_approves_own_change() -> None:
    fx = Fixture(
        change_tickets=[
            ticket("ok"),
            ticket("self", approved_by="dev"),
            ticket("pending", approved_by=None, approved_at=None),
        ]
    )
    assert fx.keys("OPS-011") == {("self",)}

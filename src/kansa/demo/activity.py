"""Staff activity: sessions with authentication events, admin actions and change tickets.

A session is a login (with the account's MFA), refreshes and a logout, all from the person's
own device. Admin actions happen inside sessions of privileged accounts and cite the day's
approved operations ticket. Sequence numbers are assigned per host once every event exists
(scenarios add theirs first), so they run without gaps.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from kansa.demo.randomness import pystream
from kansa.demo.world import Person, Row, World

AUTH_HOSTS = {
    "corp_idp": ("idp-01", "idp-02"),
    "wallet_console": ("wconsole-auth-01",),
    "exchange_admin": ("bo-auth-01",),
    "aws": ("aws-auth-01",),
    "grc": ("grc-auth-01",),
    "hr_system": ("hr-auth-01",),
}
ADMIN_HOSTS = {
    "wallet_console": "wconsole-01",
    "exchange_admin": "bo-01",
    "aws": "aws-trail-01",
    "corp_idp": "idp-admin-01",
}
ADMIN_ACTIONS = {
    "wallet_console": ("update_withdrawal_limit", "export_withdrawal_report", "rotate_api_key"),
    "exchange_admin": ("adjust_fee_schedule", "freeze_customer_account", "export_ledger"),
    "aws": ("restart_service", "update_security_group", "rotate_access_key", "scale_cluster"),
    "corp_idp": ("reset_mfa", "update_group_membership", "create_user"),
}
ROUND_THE_CLOCK = {"approver", "requester", "custodian", "sysadmin", "support", "cloud_vendor"}
SERVICE_DEVICES = {
    "wc.svc-withdrawal-engine": "SRV-withdrawal-engine",
    "aws.svc-ci-deployer": "SRV-ci-runner",
    "bo.shared-cs-01": "KIOSK-01",
    "bo.shared-cs-02": "KIOSK-02",
}


@dataclass
class Session:
    session_id: str
    account: Row
    host: str
    device: str
    events: list[Row] = field(default_factory=list)


def add_event(
    session: Session, when: datetime, kind: str, *, mfa: str | None = None, ok: bool = True
) -> Row:
    row: Row = {
        "event_id": "",
        "host": session.host,
        "seq": 0,
        "account_id": session.account["account_id"],
        "event_time": when,
        "event_type": kind,
        "mfa_method": mfa,
        "device_id": session.device,
        "session_id": session.session_id if ok else None,
        "result": "success" if ok else "failure",
    }
    session.events.append(row)
    return row


def open_session(
    world: World, account: Row, device: str, start: datetime, rng: random.Random
) -> Session:
    """Login (after an occasional typo), MFA, refreshes every ~2 hours, logout."""
    hosts = AUTH_HOSTS[account["system"]]
    host = hosts[zlib.crc32(account["account_id"].encode()) % len(hosts)]
    s = Session(world.next_id("S", 8), account, host, device)
    mfa = account["mfa_method"]
    if rng.random() < 0.03:
        add_event(s, start - timedelta(seconds=rng.randint(5, 60)), "failed_login", ok=False)
    add_event(s, start, "login", mfa=mfa)
    at = start + timedelta(seconds=rng.randint(3, 40))
    if mfa != "none":
        add_event(s, at, "mfa", mfa=mfa)
    for _ in range(rng.randint(1, 4)):
        at += timedelta(minutes=rng.randint(80, 150))
        add_event(s, at, "session_refresh", mfa=None)
    add_event(s, at + timedelta(minutes=rng.randint(5, 90)), "logout", mfa=None)
    world.shared.setdefault("sessions", []).append(s)
    return s


def usable(account: Row, day: date) -> bool:
    """The account exists before ``day`` and is neither disabled nor expired on it."""
    created: datetime = account["created_at"]
    disabled: datetime | None = account["disabled_at"]
    expires: datetime | None = account["expires_at"]
    return (
        created.date() < day
        and (disabled is None or day < disabled.date())
        and (expires is None or day < expires.date())
    )


def _device(world: World, account: Row, people: dict[str, Person]) -> str:
    if account["person_id"] is None:
        return SERVICE_DEVICES[account["account_id"]]
    return people[account["person_id"]].laptop


def generate_sessions(world: World) -> None:
    """Working-day sessions for every usable account; each enabled account at least once."""
    p = world.params
    rng = pystream(p.seed, "sessions")
    people = {x.person_id: x for x in world.people}
    for account in world.tables["accounts"]:
        person = people.get(account["person_id"]) if account["person_id"] else None
        used = False
        for d in range(p.days):
            day = p.day(d)
            if not usable(account, day) or (person is not None and not person.active_on(day)):
                continue
            weekend = day.weekday() >= 5
            chance = 0.95 if person is None else 0.8
            if weekend and (person is None or person.team not in ROUND_THE_CLOCK):
                chance = 0.15
            last_chance = not used and account["disabled_at"] is None and d == p.days - 2
            if rng.random() < chance or last_chance:
                open_session(
                    world, account, _device(world, account, people), p.at(d, 3 * rng.random()), rng
                )
                used = True


def _ops_ticket(world: World, system: str, day: date) -> Row:
    """The day's approved standard change covering routine admin work on ``system``.

    Approved by an executive, who does no admin work: OPS-009 fails a ticket approved by the
    person acting under it (the CISO holds aws-security and acts on aws).
    """
    cache: dict[tuple[str, date], Row] = world.shared.setdefault("ops_tickets", {})
    if (system, day) not in cache:
        lead = world.team("sysadmin")[0]
        approver = world.team("executive")[0]
        start = datetime.combine(day, datetime.min.time(), tzinfo=world.params.at(0).tzinfo)
        cache[(system, day)] = world.add(
            "change_tickets",
            {
                "ticket_id": world.next_id("CHG-", 6),
                "system": system,
                "kind": "standard",
                "change_type": "operation",
                "title": f"Routine operations {system} {day.isoformat()}",
                "requested_by": lead.person_id,
                "approved_by": approver.person_id,
                "approved_at": start - timedelta(hours=1),
                "deployed_at": start,
                "reviewed_at": None,
                "status": "closed",
            },
        )
    return cache[(system, day)]


def admin_actions(world: World) -> None:
    """Admin actions inside sessions of enabled privileged accounts, each with a ticket."""
    rng = pystream(world.params.seed, "admin-actions")
    for s in world.shared.get("sessions", []):
        acct = s.account
        system = acct["system"]
        if system not in ADMIN_HOSTS or not acct["privileged"] or acct["disabled_at"] is not None:
            continue
        if rng.random() > 0.5 or len(s.events) < 3:
            continue
        login, logout = s.events[0]["event_time"], s.events[-1]["event_time"]
        for _ in range(rng.randint(1, 3)):
            when = login + (logout - login) * rng.uniform(0.1, 0.9)
            world.add(
                "admin_actions",
                {
                    "action_id": "",
                    "host": ADMIN_HOSTS[system],
                    "seq": 0,
                    "account_id": acct["account_id"],
                    "action_time": when,
                    "action": rng.choice(ADMIN_ACTIONS[system]),
                    "target": f"{system}/{rng.randint(1, 40):03d}",
                    "ticket_id": _ops_ticket(world, system, when.date())["ticket_id"],
                    "session_id": s.session_id,
                    "privileged": True,
                },
            )


def deployments(world: World) -> None:
    """Normal changes (approved before deployment) and a few emergency ones (reviewed after)."""
    p = world.params
    rng = pystream(p.seed, "changes")
    devs = [x for x in world.team("developer") if x.left_on is None]
    lead = world.team("sysadmin")[0]
    for d in range(p.days):
        for _ in range(rng.randint(0, 3)):
            approved = p.at(d, 1 + 3 * rng.random())
            deployed = approved + timedelta(hours=2 + 8 * rng.random())
            ticket = _change(world, "aws", "normal", rng.choice(devs), lead, approved, deployed)
            ticket["reviewed_at"] = deployed + timedelta(hours=20)
            _deploy_action(world, ticket, deployed)
        if d % 9 == 4 and d <= p.days - 5:
            deployed = p.at(d, 14 + 4 * rng.random())
            ticket = _change(
                world,
                "aws",
                "emergency",
                lead,
                world.team("infosec")[0],
                deployed + timedelta(hours=2),
                deployed,
            )
            ticket["reviewed_at"] = deployed + timedelta(hours=26)
            _deploy_action(world, ticket, deployed)


def _change(
    world: World,
    system: str,
    kind: str,
    requester: Person,
    approver: Person,
    approved: datetime,
    deployed: datetime,
) -> Row:
    return world.add(
        "change_tickets",
        {
            "ticket_id": world.next_id("CHG-", 6),
            "system": system,
            "kind": kind,
            "change_type": "deployment",
            "title": f"{kind.capitalize()} change: release {world.counters['CHG-']}",
            "requested_by": requester.person_id,
            "approved_by": approver.person_id,
            "approved_at": approved,
            "deployed_at": deployed,
            "reviewed_at": None,
            "status": "closed",
        },
    )


def _deploy_action(world: World, ticket: Row, when: datetime) -> None:
    world.add(
        "admin_actions",
        {
            "action_id": "",
            "host": ADMIN_HOSTS["aws"],
            "seq": 0,
            "account_id": "aws.svc-ci-deployer",
            "action_time": when,
            "action": "deploy",
            "target": "exchange-core",
            "ticket_id": ticket["ticket_id"],
            "session_id": None,
            "privileged": True,
        },
    )


def finish_logs(world: World) -> None:
    """Number events per host without gaps, fill last logins, describe the log sources."""
    p = world.params
    rng = pystream(p.seed, "log-sources")
    events = [e for s in world.shared.get("sessions", []) for e in s.events]
    world.tables["auth_events"] = _number(events, "event_time", "event_id", rng)
    world.tables["admin_actions"] = _number(
        world.tables["admin_actions"], "action_time", "action_id", rng
    )
    last: dict[str, datetime] = {}
    for e in world.tables["auth_events"]:
        if e["event_type"] == "login" and e["result"] == "success":
            last[e["account_id"]] = max(e["event_time"], last.get(e["account_id"], e["event_time"]))
    for account in world.tables["accounts"]:
        seen = last.get(account["account_id"])
        if seen is None and account["disabled_at"] is not None:
            seen = account["disabled_at"] - timedelta(days=2, hours=3)
        account["last_login_at"] = seen
    hosts = [(sys, h) for sys, hs in AUTH_HOSTS.items() for h in hs] + [
        (sys, h) for sys, h in ADMIN_HOSTS.items()
    ]
    for system, host in hosts:
        retention = rng.choice((548, 730, 1095, 1825))
        world.add(
            "log_sources",
            {
                "host": host,
                "system": system,
                "retention_days": retention,
                "earliest_event_at": p.at(p.days - 1 - retention - 3, 24 * rng.random()),
                "clock_skew_ms": rng.randint(-250, 250),
            },
        )
    devices = [f"SRV-{h}" for _, h in hosts] + list(SERVICE_DEVICES.values())
    for device in sorted(set(devices)):
        kiosk = device.startswith("KIOSK")
        world.add(
            "endpoints",
            {
                "device_id": device,
                "person_id": None,
                "device_type": "desktop" if kiosk else "server",
                "signing_access": device == "SRV-withdrawal-engine",
                "edr_installed": True,
                "edr_last_seen": p.at(p.days - 1, 23 * rng.random()),
                "untrusted_software": False,
                "location": "Tokyo HQ support floor" if kiosk else "Tokyo DC1",
            },
        )


def _number(rows: list[Row], time_col: str, id_col: str, rng: random.Random) -> list[Row]:
    """Sort by host then time and number each host's rows from where its log stands."""
    ordered = sorted(rows, key=lambda r: (r["host"], r[time_col]))
    seq: dict[str, int] = {}
    for row in ordered:
        host = row["host"]
        if host not in seq:
            seq[host] = rng.randint(10_000, 900_000)
        seq[host] += 1
        row["seq"] = seq[host]
        row[id_col] = f"{host}:{seq[host]}"
    return ordered

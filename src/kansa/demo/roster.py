"""Staff, vendor staff and contractors: who they are, their laptops, training and leaving.

Training follows the policy the controls test: security awareness at hire and every year,
privileged-access training before any privileged grant, vendor staff trained before their
account opens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from kansa.demo import access, names
from kansa.demo.world import Person, World


@dataclass(frozen=True)
class Team:
    name: str
    department: str
    employment_type: str
    vendor: str | None
    roles: tuple[str, ...]
    size: int


def teams(customers: int) -> list[Team]:
    """The organisation; customer support grows with the customer base (capped)."""
    support = min(30 + customers // 50_000, 400)
    return [
        Team("executive", "executive", "employee", None, (), 6),
        Team("infosec", "infosec", "employee", None, ("R11",), 6),
        Team("requester", "treasury", "employee", None, ("R01", "R05"), 6),
        Team("custodian", "custody", "employee", None, ("R03",), 16),
        Team("approver", "asset_control", "employee", None, ("R02",), 10),
        Team("sysadmin", "systems", "employee", None, ("R09",), 8),
        Team("idp_admin", "systems", "employee", None, ("R14",), 2),
        Team("developer", "development", "employee", None, ("R10",), 20),
        Team("contract_dev", "development", "contractor", names.STAFFING_AGENCY, ("R10",), 8),
        Team("system_risk", "system_risk", "employee", None, ("R12",), 4),
        Team("compliance", "compliance", "employee", None, ("R06",), 8),
        Team("auditor", "audit", "employee", None, ("R08",), 5),
        Team("hr", "hr", "employee", None, ("R13",), 4),
        Team("support", "support", "employee", None, ("R07",), support),
        Team("wallet_vendor", "vendor", "vendor", names.WALLET_VENDOR, ("R04",), 5),
        Team("cloud_vendor", "vendor", "vendor", names.CLOUD_VENDOR, ("R09",), 4),
    ]


TEAM = {t.name: t for t in teams(0)}


def utc(d: date, hours: float = 0.0) -> datetime:
    return datetime.combine(d, time(), tzinfo=UTC) + timedelta(hours=hours)


def awareness_campaigns(world: World, after: date) -> list[date]:
    """The yearly company-wide security-awareness campaigns after ``after``, oldest first.

    One falls about five months before the period, the others every 365 days before and
    after it, up to the period's last day.
    """
    p = world.params
    anchor = p.day(-150)
    first = anchor - timedelta(days=365 * ((anchor - after).days // 365))
    days = [first + timedelta(days=365 * k) for k in range((p.end - first).days // 365 + 1)]
    return [d for d in days if d > after]


def mfa_for(team: str, rng: random.Random) -> str:
    if team == "custodian":
        return "hardware_key"
    if team in ("support", "compliance", "hr", "auditor", "system_risk", "developer"):
        return "sms" if team == "support" and rng.random() < 0.3 else "totp"
    return "webauthn"


def hire(
    world: World,
    team_name: str,
    hired_on: date,
    rng: random.Random,
    *,
    account_created: datetime | None = None,
    privileged_training: bool = True,
    roles: tuple[str, ...] | None = None,
    grant_at: datetime | None = None,
) -> Person:
    """Add a person with laptop, accounts, training and the team's role grants."""
    team = TEAM[team_name]
    person = Person(
        person_id=world.next_id("P", 5),
        team=team_name,
        row={
            "display_name": names.person_name(rng),
            "department": names.DEPARTMENTS.get(team.department, "委託先")
            if team.employment_type != "vendor"
            else f"{team.vendor}（委託先）",
            "employment_type": team.employment_type,
            "vendor": team.vendor,
            "hired_on": hired_on,
            "left_on": None,
            "background_checked_on": hired_on - timedelta(days=rng.randint(10, 40)),
        },
    )
    person.row = {"person_id": person.person_id, **person.row}
    world.add("staff", person.row)
    world.people.append(person)
    _issue_laptop(world, person, rng)
    created = account_created or utc(hired_on, 1 + rng.random())
    mfa = mfa_for(team_name, rng)
    access.open_account(world, person, "corp_idp", created, mfa)
    role_ids = team.roles if roles is None else roles
    privileged = any(access.ROLE[r].privileged for r in role_ids)
    _train_on_hire(world, person, created, privileged and privileged_training, rng)
    for role_id in role_ids:
        at = grant_at or created + timedelta(days=rng.randint(1, 5), hours=rng.random() * 6)
        access.grant_role(world, person, role_id, at, mfa=mfa)
    return person


def renew_vendor_access(world: World, person: Person, rng: random.Random) -> None:
    """New accounts and grants 1-3 days before the vendor's accounts expire, through the period.

    Every renewal is a new account per system with the team's roles granted again (approved
    access ticket, after the privileged-access training the person already has).
    """
    while True:
        current = [access.account_row(world, a) for a in person.accounts.values()]
        expiry: datetime = min(a["expires_at"] for a in current)
        if expiry >= world.params.period_end:
            return
        created = expiry - timedelta(days=rng.randint(1, 3), hours=rng.random() * 6)
        for system in list(person.accounts):
            access.renew_account(world, person, system, created)
        for role_id in TEAM[person.team].roles:
            at = created + timedelta(hours=1 + rng.random() * 6)
            access.grant_role(world, person, role_id, at)


def _issue_laptop(world: World, person: Person, rng: random.Random) -> None:
    vendor = person.row["employment_type"] == "vendor"
    device_id = world.next_id("LT-", 5)
    person.laptop = device_id
    world.add(
        "endpoints",
        {
            "device_id": device_id,
            "person_id": person.person_id,
            "device_type": "laptop",
            "signing_access": False,
            "edr_installed": True,
            "edr_last_seen": world.params.at(world.params.days - 1, 20 + 3 * rng.random()),
            "untrusted_software": rng.random() < 0.03,
            "location": "Vendor office" if vendor else "Tokyo HQ",
        },
    )


def train(world: World, person: Person, course: str, on: date) -> None:
    world.add(
        "training_records",
        {
            "record_id": world.next_id("T", 7),
            "person_id": person.person_id,
            "course": course,
            "completed_on": on,
        },
    )


def _train_on_hire(
    world: World, person: Person, created: datetime, privileged: bool, rng: random.Random
) -> None:
    """Awareness at hire (vendors: before the account opens) and every year; PA before grants.

    Each yearly completion comes at most 365 days after the previous one (PPL-001's default
    max_age_days), however long the period: the person's own delay after each campaign is
    the same every year, and never later than a year after their last completion.
    """
    hired = person.hired_on
    if person.row["employment_type"] == "vendor":
        last = created.date() - timedelta(rng.randint(2, 10))
    else:
        last = hired + timedelta(days=rng.randint(0, 2))
    train(world, person, "security_awareness", last)
    delay = timedelta(days=rng.randint(0, 20))
    for campaign in awareness_campaigns(world, after=hired + timedelta(days=5)):
        done = min(campaign + delay, last + timedelta(days=365))
        if done > world.params.end:
            break
        train(world, person, "security_awareness", done)
        last = done
    if privileged:
        vendor = person.row["employment_type"] == "vendor"
        train(
            world, person, "privileged_access", created.date() - timedelta(1) if vendor else hired
        )


def leave(world: World, person: Person, left_on: date) -> None:
    """The person's last day is ``left_on``; access goes the same day (ACC-002)."""
    person.row["left_on"] = left_on
    access.disable_access(world, person, utc(left_on, 9.5))

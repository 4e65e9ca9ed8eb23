"""Roles, conflicting pairs, accounts and grants: the access model of the demo exchange.

Every privileged grant carries an approved access ticket (approver not the grantee), follows
privileged-access training, and was confirmed in the last quarterly access review; accounts
with privileges use MFA, phishing-resistant for keyholders and approvers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from kansa.demo.world import Person, Row, World


class Role(NamedTuple):
    role_id: str
    name: str
    system: str
    privileged: bool
    duty: str


ROLES = (
    Role("R01", "wallet-withdrawal-requester", "wallet_console", True, "withdrawal_requester"),
    Role("R02", "wallet-withdrawal-approver", "wallet_console", True, "withdrawal_approver"),
    Role("R03", "wallet-key-custodian", "wallet_console", True, "key_custodian"),
    Role("R04", "wallet-vendor-support", "wallet_console", True, "developer"),
    Role("R05", "backoffice-treasury-ops", "exchange_admin", True, "treasury_ops"),
    Role("R06", "backoffice-compliance", "exchange_admin", False, "compliance"),
    Role("R07", "backoffice-support", "exchange_admin", False, "customer_support"),
    Role("R08", "backoffice-audit-readonly", "exchange_admin", False, "audit"),
    Role("R09", "aws-admin", "aws", True, "system_admin"),
    Role("R10", "aws-developer", "aws", False, "developer"),
    Role("R11", "aws-security", "aws", True, "infosec"),
    Role("R12", "grc-system-risk", "grc", False, "system_risk"),
    Role("R13", "hr-records", "hr_system", False, "hr"),
    Role("R14", "idp-admin", "corp_idp", True, "system_admin"),
)
ROLE = {r.role_id: r for r in ROLES}

# (role_a, role_b, reason), role_a < role_b
CONFLICTS = (
    ("R01", "R02", "Maker-checker: whoever requests a withdrawal must not approve withdrawals"),
    ("R01", "R03", "Withdrawal requesters must not hold signing keys"),
    ("R02", "R03", "Approvers must not hold keys of the wallets they approve (KEY-011)"),
    ("R02", "R04", "Vendor engineers must not approve withdrawals"),
    ("R02", "R08", "Internal audit stays independent of withdrawal approval"),
    ("R05", "R08", "Internal audit stays independent of treasury operations"),
    ("R08", "R09", "Internal audit stays independent of system administration"),
    ("R09", "R10", "Developers must not administer production"),
    ("R09", "R11", "Information security monitors the administrators"),
    ("R13", "R14", "HR must not administer identities"),
)

SYSTEM_PREFIX = {
    "corp_idp": "idp",
    "wallet_console": "wc",
    "exchange_admin": "bo",
    "aws": "aws",
    "grc": "grc",
    "hr_system": "hr",
}

PHISHING_RESISTANT = ("webauthn", "hardware_key")
REVIEW_EVERY_DAYS = 91  # quarterly; ACC-010's default review_days is 90


def write_catalog(world: World) -> None:
    for r in ROLES:
        world.add("roles", r._asdict())
    for a, b, reason in CONFLICTS:
        world.add("role_conflicts", {"role_a": a, "role_b": b, "reason": reason})


def account_row(world: World, account_id: str) -> Row:
    for row in world.tables["accounts"]:
        if row["account_id"] == account_id:
            return row
    raise KeyError(account_id)


def open_account(world: World, person: Person, system: str, created_at: datetime, mfa: str) -> str:
    """The person's account on ``system`` (created if missing)."""
    if system in person.accounts:
        return person.accounts[system]
    return _new_account(world, person, system, created_at, mfa, "")


def renew_account(world: World, person: Person, system: str, created_at: datetime) -> str:
    """A vendor's next time-boxed account on ``system`` (``wc.p00123-r2``...), the same MFA.

    ACC-008 caps a vendor account at 90 days from its creation: continued access is a new
    account, approved again, not a longer expiry.
    """
    old = account_row(world, person.accounts[system])
    n = 1 + sum(1 for a in world.tables["accounts"] if a["person_id"] == person.person_id
                and a["system"] == system)  # fmt: skip
    return _new_account(world, person, system, created_at, old["mfa_method"], f"-r{n}")


def _new_account(
    world: World, person: Person, system: str, created_at: datetime, mfa: str, suffix: str
) -> str:
    vendor = person.row["employment_type"] == "vendor"
    account_id = f"{SYSTEM_PREFIX[system]}.{person.person_id.lower()}{suffix}"
    world.add(
        "accounts",
        {
            "account_id": account_id,
            "person_id": person.person_id,
            "system": system,
            "account_type": "vendor" if vendor else "personal",
            "privileged": False,
            "mfa_method": mfa,
            "created_at": created_at,
            "disabled_at": None,
            # vendor access is time-boxed (ACC-008: within 90 days of creation)
            "expires_at": created_at + timedelta(days=89) if vendor else None,
            "last_login_at": None,
        },
    )
    person.accounts[system] = account_id
    return account_id


def access_approver(world: World, grantee: Person) -> Person:
    """The CISO approves access; the CISO's own access is approved by the CEO."""
    ciso = world.team("infosec")[0]
    return world.team("executive")[0] if grantee is ciso else ciso


def grant_role(
    world: World,
    person: Person,
    role_id: str,
    granted_at: datetime,
    *,
    mfa: str = "webauthn",
) -> Row:
    """Grant a role with an approved access ticket and the last access review recorded."""
    role = ROLE[role_id]
    account_id = open_account(world, person, role.system, granted_at - timedelta(hours=2), mfa)
    account = account_row(world, account_id)
    if role.privileged:
        account["privileged"] = True
        if account["mfa_method"] not in PHISHING_RESISTANT:
            account["mfa_method"] = "webauthn"
    approver = access_approver(world, person)
    ticket = world.add(
        "change_tickets",
        {
            "ticket_id": world.next_id("ACC-", 5),
            "system": role.system,
            "kind": "standard",
            "change_type": "access",
            "title": f"Grant {role.name} to {account_id}",
            "requested_by": person.person_id,
            "approved_by": approver.person_id,
            "approved_at": granted_at - timedelta(hours=3),
            "deployed_at": granted_at,
            "reviewed_at": None,
            "status": "closed",
        },
    )
    person.roles.append(role_id)
    return world.add(
        "role_grants",
        {
            "grant_id": world.next_id("G", 6),
            "account_id": account_id,
            "role_id": role_id,
            "granted_at": granted_at,
            "revoked_at": None,
            "ticket_id": ticket["ticket_id"],
            "approved_by": approver.person_id,
            "last_reviewed_at": last_review(world, granted_at, world.params.period_end),
        },
    )


def review_times(world: World) -> list[datetime]:
    """The quarterly access reviews: 20 days before the period, then every 91 days in it.

    ACC-010 allows 90 days between reviews of a privileged grant, so a period longer than
    about 70 days needs the reviews that fall inside it (a 365-day period has four).
    """
    p = world.params
    first = p.at(-20, 6)
    reviews = []
    at = first
    while at < p.period_end:
        reviews.append(at)
        at += timedelta(days=REVIEW_EVERY_DAYS)
    return reviews


def last_review(world: World, granted_at: datetime, before: datetime) -> datetime | None:
    """The latest review after ``granted_at`` and before ``before`` (None: not reviewed yet)."""
    held = [r for r in review_times(world) if granted_at < r < before]
    return held[-1] if held else None


def disable_access(world: World, person: Person, when: datetime) -> None:
    """Disable every account of a leaver (earlier vendor accounts too) and revoke their grants."""
    ids = {a["account_id"] for a in world.tables["accounts"] if a["person_id"] == person.person_id}
    for row in world.tables["accounts"]:
        if row["account_id"] in ids and row["disabled_at"] is None:
            row["disabled_at"] = when
    for row in world.tables["role_grants"]:
        if row["account_id"] in ids and row["revoked_at"] is None:
            row["revoked_at"] = when
            # a review after the revocation no longer confirms the grant
            row["last_reviewed_at"] = last_review(world, row["granted_at"], when)

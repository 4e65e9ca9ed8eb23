"""Build the clean organisation: everyone hired, trained, granted; a few ordinary leavers."""

from __future__ import annotations

from datetime import timedelta

from kansa.demo import access, roster
from kansa.demo.randomness import pystream
from kansa.demo.world import World

# Current vendor accounts were opened 25 to 60 days before the start: before the phishing
# campaign (start - 24) and the access review (start - 20). Each lasts 89 days (ACC-008) and is
# renewed as a new account shortly before it expires, for as long as the period runs.
VENDOR_ACCOUNT_DAYS_BEFORE = (25, 60)


def build_org(world: World) -> None:
    """Roles, the roster with accounts and grants, shared and service accounts, leavers."""
    p = world.params
    rng = pystream(p.seed, "org")
    access.write_catalog(world)
    for team in roster.teams(p.customers):
        for _ in range(team.size):
            if team.employment_type == "vendor":
                hired = p.day(-rng.randint(90, 800))
                opened = p.day(-rng.randint(*VENDOR_ACCOUNT_DAYS_BEFORE))
                created = roster.utc(opened, 1 + rng.random())
                person = roster.hire(world, team.name, hired, rng, account_created=created)
                roster.renew_vendor_access(world, person, rng)
            else:
                # keyholders were on staff before the wallets were created (up to 700 days ago)
                earliest = 800 if team.name == "custodian" else 60
                roster.hire(world, team.name, p.day(-rng.randint(earliest, 3000)), rng)
    _shared_and_service_accounts(world)
    _ordinary_leavers(world)


def _shared_and_service_accounts(world: World) -> None:
    created = world.params.at(-700, 2)
    rows = [
        ("bo.shared-cs-01", "exchange_admin", "shared", "totp"),
        ("bo.shared-cs-02", "exchange_admin", "shared", "totp"),
        ("wc.svc-withdrawal-engine", "wallet_console", "service", "none"),
        ("aws.svc-ci-deployer", "aws", "service", "none"),
    ]
    for account_id, system, kind, mfa in rows:
        world.add(
            "accounts",
            {
                "account_id": account_id,
                "person_id": None,
                "system": system,
                "account_type": kind,
                "privileged": False,
                "mfa_method": mfa,
                "created_at": created,
                "disabled_at": None,
                "expires_at": None,
                "last_login_at": None,
            },
        )
    # the shared support kiosks hold the (non-privileged) support role
    granted = created + timedelta(days=1)
    world.add(
        "role_grants",
        {
            "grant_id": world.next_id("G", 6),
            "account_id": "bo.shared-cs-01",
            "role_id": "R07",
            "granted_at": granted,
            "revoked_at": None,
            "ticket_id": None,
            "approved_by": world.team("infosec")[0].person_id,
            "last_reviewed_at": access.last_review(world, granted, world.params.period_end),
        },
    )


def _ordinary_leavers(world: World) -> None:
    """Two support staff and a developer leave: one before the period, two during it."""
    p = world.params
    support = world.team("support")
    devs = world.team("developer")
    roster.leave(world, support[-1], p.day(-12))
    roster.leave(world, support[-2], p.day(p.days // 3))
    roster.leave(world, devs[-1], p.day(p.days - 3))

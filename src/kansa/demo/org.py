"""Build the clean organisation: everyone hired, trained, granted; a few ordinary leavers."""

from __future__ import annotations

from datetime import timedelta

from kansa.demo import access, roster
from kansa.demo.randomness import pystream
from kansa.demo.world import World


def vendor_account_window(world: World) -> tuple[int, int]:
    """Days before the start in which current vendor accounts were opened.

    Opened before the access review (start - 20 days) and late enough that the 89-day expiry
    falls after the period.
    """
    latest = 25
    earliest = max(latest, min(60, 88 - world.params.days))
    return latest, earliest


def build_org(world: World) -> None:
    """Roles, the roster with accounts and grants, shared and service accounts, leavers."""
    p = world.params
    rng = pystream(p.seed, "org")
    world.shared["review_at"] = p.at(-20, 6)
    access.write_catalog(world)
    latest, earliest = vendor_account_window(world)
    for team in roster.teams(p.customers):
        for _ in range(team.size):
            if team.employment_type == "vendor":
                hired = p.day(-rng.randint(90, 800))
                created = roster.utc(p.day(-rng.randint(latest, earliest)), 1 + rng.random())
                roster.hire(world, team.name, hired, rng, account_created=created)
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
    world.add(
        "role_grants",
        {
            "grant_id": world.next_id("G", 6),
            "account_id": "bo.shared-cs-01",
            "role_id": "R07",
            "granted_at": created + timedelta(days=1),
            "revoked_at": None,
            "ticket_id": None,
            "approved_by": world.team("infosec")[0].person_id,
            "last_reviewed_at": world.shared["review_at"],
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

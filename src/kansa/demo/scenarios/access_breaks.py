"""Access scenarios: conflicting roles, privileged grants without training, a leaver's key."""

from __future__ import annotations

from datetime import timedelta

from kansa.demo import access, roster
from kansa.demo.randomness import pystream
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import World


class SodBreach(Scenario):
    """A treasury requester also made approver; an auditor given treasury operations."""

    id = "sod-breach"
    title_en = "Segregation of duties: people holding conflicting roles"
    title_ja = "職務分掌違反：兼務禁止ロールの同時保持"

    def after_org(self, world: World) -> None:
        p = world.params
        requester = min(world.team("requester"), key=lambda x: (x.hired_on, x.person_id))
        auditor = min(world.team("auditor"), key=lambda x: (x.hired_on, x.person_id))
        world.bystanders.update({requester.person_id, auditor.person_id})
        first = max(roster.utc(requester.hired_on + timedelta(days=5), 2), p.at(-100, 2))
        access.grant_role(world, requester, "R02", first)
        second = max(roster.utc(auditor.hired_on + timedelta(days=5), 2), p.at(-90, 2))
        roster.train(world, auditor, "privileged_access", second.date() - timedelta(days=3))
        access.grant_role(world, auditor, "R05", second)
        for person, (a, b) in ((requester, ("R01", "R02")), (auditor, ("R05", "R08"))):
            row = {"person_id": person.person_id, "role_a": a, "role_b": b}
            self.flag("ACC-001", row, "person_id", "role_a", "role_b")


class UntrainedPrivileged(Scenario):
    """A new administrator never trained; a treasury operator trained only after the grant."""

    id = "untrained-privileged"
    title_en = "Privileged access granted without prior privileged-access training"
    title_ja = "特権研修未修了者への特権付与"

    def after_org(self, world: World) -> None:
        p = world.params
        rng = pystream(p.seed, "scenario:untrained")
        admin = roster.hire(
            world, "sysadmin", p.day(-50), rng, privileged_training=False, grant_at=p.at(-30, 3)
        )
        operator = roster.hire(
            world,
            "requester",
            p.day(-60),
            rng,
            privileged_training=False,
            roles=("R05",),
            grant_at=p.at(-45, 3),
        )
        roster.train(world, operator, "privileged_access", p.day(-25))
        world.bystanders.update({admin.person_id, operator.person_id})
        for person, role in ((admin, "R09"), (operator, "R05")):
            account = person.accounts[access.ROLE[role].system]
            grant = next(
                g
                for g in world.tables["role_grants"]
                if g["account_id"] == account and g["role_id"] == role
            )
            self.flag("PPL-002", grant, "grant_id")


class LeaverKey(Scenario):
    """A cold-wallet keyholder leaves: accounts disabled on time, the key never revoked."""

    id = "leaver-key"
    title_en = "Leaver still holds a wallet key"
    title_ja = "退職者の鍵が失効されていない"

    def after_custody(self, world: World) -> None:
        p = world.params
        person = world.team("custodian")[-1]  # holds exactly one key (see custody.SOLO_KEY_WALLET)
        roster.leave(world, person, p.day(max(2, p.days // 2 - 1)))
        for key in world.tables["keyholders"]:
            if key["person_id"] == person.person_id:
                self.flag("KEY-004", key, "key_fingerprint")

"""Duty scenarios the point-in-time controls catch: a conflicting role granted, used and revoked
within one day; a requester approving their own small transfer; a grant citing a ticket that is
not for its system."""

from __future__ import annotations

from kansa.demo import access, treasury
from kansa.demo.ledger import Book
from kansa.demo.randomness import pystream
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import Person, World


def _free(world: World, team: str) -> Person:
    """The most recently hired active member of ``team`` who is no scenario's actor."""
    p = world.params
    staff = [
        x
        for x in world.team(team)
        if x.person_id not in world.bystanders and x.active_on(p.day(0)) and x.active_on(p.end)
    ]
    return max(staff, key=lambda x: (x.hired_on, x.person_id))


class GrantUseRevoke(Scenario):
    """A treasury requester is granted withdrawal approval at 01:00, approves a transfer, and
    loses the role at 09:00 the same day: no end-of-day roster ever shows both roles."""

    id = "grant-use-revoke"
    title_en = "Conflicting role granted, used and revoked within one day"
    title_ja = "兼務禁止ロールを同日中に付与・使用・剥奪"

    def after_org(self, world: World) -> None:
        self.person = _free(world, "requester")
        world.bystanders.add(self.person.person_id)

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        day = p.days - 6  # inside ACC-001's default 30-day look-back, whatever the period
        rng = pystream(p.seed, "scenario:grant-use-revoke")
        grant = access.grant_role(world, self.person, "R02", p.at(day, 1))
        book = next(b for b in books if b.asset.code == "BTC")
        unit = book.asset.scale * 1000
        amount = max(unit, int(book.totals[day] * 0.002) // unit * unit)
        source = treasury.wallet(world, "BTC", "WARM-1")
        dest = treasury.wallet(world, "BTC", "HOT-1").main_address
        _request, approvals, _signed = treasury.internal_transfer(
            world, source, dest, amount, p.at(day, 2), rng
        )
        approvals[-1]["approver_person_id"] = self.person.person_id
        approvals[-1]["approver_account_id"] = self.person.accounts["wallet_console"]
        grant["revoked_at"] = p.at(day, 9)
        row = {"person_id": self.person.person_id, "role_a": "R01", "role_b": "R02"}
        self.flag("ACC-001", row, "person_id", "role_a", "role_b")


class SelfApprovedSweep(Scenario):
    """A treasury requester approves their own small hot-to-cold sweep (under every
    auto-approval limit, and a sweep needs no approval count: only the requester check sees it)."""

    id = "self-approved-small"
    title_en = "Requester approves their own small transfer under the auto-approval limit"
    title_ja = "依頼者が自動承認上限未満の自らの移動を承認"

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        day = min(p.days - 1, p.days // 2 + 3)
        rng = pystream(p.seed, "scenario:self-approved")
        source = treasury.wallet(world, "BTC", "HOT-1")
        dest = treasury.wallet(world, "BTC", "COLD-S").main_address
        request, approvals, _signed = treasury.internal_transfer(
            world, source, dest, 20_000_000, p.at(day, 5), rng
        )
        requester = next(
            x for x in world.people if x.accounts.get("wallet_console") == request["requested_by"]
        )
        approvals[0]["approver_person_id"] = requester.person_id
        approvals[0]["approver_account_id"] = request["requested_by"]
        self.flag("WDR-003", request, "withdrawal_id")


class FakeTicket(Scenario):
    """An identity-provider admin grant whose ticket id is a real ticket of another system."""

    id = "fake-ticket"
    title_en = "Privileged grant citing a ticket that is not for its system"
    title_ja = "対象システムの承認済みチケットのない特権付与"

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        person = _free(world, "sysadmin")
        other = next(
            t
            for t in world.tables["change_tickets"]
            if t["system"] == "aws" and t["change_type"] == "access"
        )
        grant = access.grant_role(world, person, "R14", p.at(p.days // 2, 3))
        own = grant["ticket_id"]
        world.tables["change_tickets"] = [
            t for t in world.tables["change_tickets"] if t["ticket_id"] != own
        ]
        grant["ticket_id"] = other["ticket_id"]
        self.flag("ACC-006", grant, "grant_id")

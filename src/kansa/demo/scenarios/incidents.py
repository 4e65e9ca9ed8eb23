"""Replays of the DMM Bitcoin (2024) and Bybit (2025) thefts.

DMM (FBI/DC3/NPA joint statement, 23 Dec 2024): a wallet-vendor engineer phished, a session
hijacked with stolen cookies, a legitimate transaction request manipulated. Here: the vendor
engineer clicked a phishing simulation and was never retrained (PPL-003); the same session id
appears from an unregistered device without re-authentication (ACC-009); an approved internal
cold withdrawal is signed with another destination and amount (WDR-001) while the signing
system logged the approved payload hash (so WDR-002 holds: only the independent three-way
match of destination and amount catches it).

Bybit (FBI PSA I-022625-PSA, 26 Feb 2025): signers approved a routine cold-to-warm transfer in
a Safe UI; what they signed was a delegatecall to attacker code. Here: approvals carry payload
A, the signed transaction's payload hash is that of payload B, a delegatecall to an unlisted
contract (WDR-002, WDR-010); destination and amount as displayed stay those of the request.
"""

from __future__ import annotations

from datetime import timedelta

from kansa.demo import activity, customer_flows, treasury
from kansa.demo.ledger import Book
from kansa.demo.payloads import payload_hash
from kansa.demo.randomness import pystream, stream
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import World


def _refill_amount(book: Book, day: int, share: float) -> int:
    unit = book.asset.scale * 1000
    return max(unit, int(book.totals[day] * share) // unit * unit)


class Dmm2024(Scenario):
    id = "dmm-2024"
    title_en = "DMM Bitcoin 2024 replay: phished vendor, hijacked session, manipulated withdrawal"
    title_ja = (
        "DMM Bitcoin 2024 年事案の再現：委託先社員へのフィッシング、セッション乗っ取り、出金改ざん"
    )

    def after_org(self, world: World) -> None:
        self.vendor = world.team("wallet_vendor")[0]
        world.must_click.add(self.vendor.person_id)
        world.no_remediation.add(self.vendor.person_id)
        world.bystanders.add(self.vendor.person_id)
        self.day = world.params.days // 2

    def after_sessions(self, world: World) -> None:
        for test in world.tables["phishing_tests"]:
            if test["person_id"] == self.vendor.person_id and test["clicked"]:
                self.flag("PPL-003", test, "test_id")
        day = world.params.day(self.day)
        # the vendor's wallet-console account of that day (vendor accounts are renewed)
        account = next(
            a
            for a in world.tables["accounts"]
            if a["person_id"] == self.vendor.person_id
            and a["system"] == "wallet_console"
            and activity.usable(a, day)
        )
        sessions: list[activity.Session] = world.shared["sessions"]
        session = next(
            (
                s
                for s in sessions
                if s.account is account and s.events[0]["event_time"].date() == day
            ),
            None,
        )
        rng = pystream(world.params.seed, "scenario:dmm")
        if session is None:
            session = activity.open_session(
                world, account, self.vendor.laptop, world.params.at(self.day, 0.5), rng
            )
        # the attacker replays the session cookie: nothing after the first refresh is the
        # vendor's own; one refresh arrives from a device no one registered
        cut = next(i for i, e in enumerate(session.events) if e["event_type"] == "session_refresh")
        del session.events[cut + 1 :]
        attacker = f"DEV-{rng.getrandbits(32):08X}"
        last = session.events[-1]["event_time"]
        hijack = activity.add_event(session, last + timedelta(minutes=37), "session_refresh")
        hijack["device_id"] = attacker
        self.flag("ACC-009", hijack, "event_id")
        self.hijack_at = hijack["event_time"]

    def after_ledger(self, world: World, books: list[Book]) -> None:
        book = next(b for b in books if b.asset.code == "BTC")
        rng = pystream(world.params.seed, "scenario:dmm-withdrawal")
        source = treasury.wallet(world, "BTC", "COLD-S")
        dest = treasury.wallet(world, "BTC", "WARM-1").main_address
        amount = _refill_amount(book, self.day, 0.004)
        when = max(self.hijack_at + timedelta(hours=2), world.params.at(self.day, 6))
        request, _approvals, signed = treasury.internal_transfer(
            world, source, dest, amount, when, rng
        )
        thief = customer_flows.external_addresses(
            book.asset, 1, stream(world.params.seed, "scenario:dmm-thief")
        )[0]
        signed["destination_address"] = thief
        signed["amount"] = amount * 7 // 2
        self.flag("WDR-001", request, "withdrawal_id")


class Bybit2025(Scenario):
    id = "bybit-2025"
    title_en = "Bybit 2025 replay: signers approve payload A, payload B (delegatecall) is signed"
    title_ja = "Bybit 2025 年事案の再現：承認したペイロード A と異なる B（delegatecall）に署名"

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        day = min(p.days - 1, p.days // 2 + 2)
        book = next(b for b in books if b.asset.code == "ETH")
        rng = pystream(p.seed, "scenario:bybit")
        source = treasury.wallet(world, "ETH", "COLD-S")
        dest = treasury.wallet(world, "ETH", "WARM-1").main_address
        amount = _refill_amount(book, day, 0.004)
        request, _approvals, signed = treasury.internal_transfer(
            world, source, dest, amount, p.at(day, 2), rng
        )
        attacker_contract = "0x" + f"{rng.getrandbits(160):040x}"
        # payload B: the Safe's own transaction turned into a delegatecall to attacker code
        # that swaps the wallet's implementation (masterCopy) for the attacker's
        signed["payload_hash"] = payload_hash(
            request["withdrawal_id"],
            source.wallet_id,
            "ETH",
            attacker_contract,
            0,
            "delegatecall",
            attacker_contract,
            "0xa9059cbb" + f"{rng.getrandbits(256):064x}",
        )
        signed["call_type"] = "delegatecall"
        signed["contract_address"] = attacker_contract
        self.flag("WDR-002", request, "withdrawal_id")
        self.flag("WDR-010", signed, "txid")

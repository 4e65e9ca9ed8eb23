"""Treasury operations: allow-lists, internal transfers between tiers, wallet balances.

Internal transfers follow the written procedure the controls test: requested by treasury, two
(hot/warm) or three (cold) distinct approvers who hold no key of the wallet, signed by active
keys after the last approval, to destinations allow-listed under dual control long before.
Wallet balances put at least 95% of customer holdings in cold storage (split short/long term),
keep performance-guarantee assets above the non-cold customer amount and match the ledger.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from kansa.demo.custody import Wallet
from kansa.demo.ledger import Book
from kansa.demo.payloads import payload_hash
from kansa.demo.randomness import pystream
from kansa.demo.world import Person, Row, World

ALLOW = {"WARM-1": ("HOT-1",), "COLD-S": ("WARM-1", "HOT-1"), "COLD-L": ("COLD-S", "WARM-1")}
# (source, destination, every n days, share of the asset's customer total moved)
ROUTES = (
    ("WARM-1", "HOT-1", 3, 0.004),
    ("COLD-S", "WARM-1", 7, 0.005),
    ("HOT-1", "COLD-S", 5, 0.003),
)
NORMAL_SHARES = (18, 10)  # per mille of customer holdings in hot, warm
PG_PER_MILLE = 100  # performance-guarantee holdings, per mille of customer holdings
HOUSE_PER_MILLE = 30


def wallet(world: World, asset: str, suffix: str) -> Wallet:
    return world.shared["wallets"][f"{asset}-{suffix}"]


def earliest_hired(world: World, team: str, exclude: frozenset[str] = frozenset()) -> Person:
    staff = [p for p in world.team(team) if p.person_id not in exclude]
    return min(staff, key=lambda p: (p.hired_on, p.person_id))


def allow(
    world: World,
    source: Wallet,
    address: str,
    requested: datetime,
    requester: Person,
    approver: Person,
) -> Row:
    """Add ``address`` to ``source``'s allow-list, approved by a second person."""
    approved = requested + timedelta(hours=4)
    return world.add(
        "address_allowlist_changes",
        {
            "change_id": world.next_id("AL", 5),
            "wallet_id": source.wallet_id,
            "address": address,
            "action": "add",
            "requested_by": requester.person_id,
            "approved_by": approver.person_id,
            "requested_at": requested,
            "approved_at": approved,
            "effective_at": approved + timedelta(hours=1),
        },
    )


def build_allowlists(world: World) -> None:
    requester = earliest_hired(world, "requester")
    approver = earliest_hired(world, "approver")
    wallets: dict[str, Wallet] = world.shared["wallets"]
    for w in wallets.values():
        suffix = w.wallet_id.split("-", 1)[1]
        for dest in ALLOW.get(suffix, ()):
            target = wallet(world, w.asset.code, dest)
            allow(
                world,
                w,
                target.main_address,
                w.row["created_at"] + timedelta(days=2),
                requester,
                approver,
            )
    # in the period: a second hot address allow-listed for the BTC and LTC warm wallets
    for code in ("BTC", "LTC"):
        hot = wallet(world, code, "HOT-1")
        allow(
            world,
            wallet(world, code, "WARM-1"),
            hot.addresses[1],
            world.params.at(1, 2),
            requester,
            approver,
        )


def active_people(world: World, team: str, day: date) -> list[Person]:
    return [p for p in world.team(team) if p.active_on(day) and p.person_id not in world.bystanders]


def internal_transfer(
    world: World,
    source: Wallet,
    destination: str,
    amount: int,
    requested_at: datetime,
    rng: random.Random,
) -> tuple[Row, list[Row], Row]:
    """One internal withdrawal with its approvals and signed transaction, all consistent."""
    day = requested_at.date()
    requester = rng.choice(active_people(world, "requester", day))
    wid = world.next_id("WI", 7)
    token = source.asset.token_contract
    digest = payload_hash(
        wid, source.wallet_id, source.asset.code, destination, amount, "transfer", token
    )
    request = world.add(
        "withdrawals",
        {
            "withdrawal_id": wid,
            "kind": "internal",
            "customer_id": None,
            "wallet_id": source.wallet_id,
            "asset": source.asset.code,
            "destination_address": destination,
            "amount": amount,
            "requested_by": requester.accounts["wallet_console"],
            "requested_at": requested_at,
            "request_payload_hash": digest,
            "status": "broadcast",
        },
    )
    needed = 3 if source.tier == "cold" else 2
    approvers = rng.sample(active_people(world, "approver", day), needed)
    approvals, at = [], requested_at
    for person in approvers:
        at += timedelta(minutes=rng.randint(10, 40))
        approvals.append(
            world.add(
                "withdrawal_approvals",
                {
                    "approval_id": world.next_id("AI", 8),
                    "withdrawal_id": wid,
                    "approver_person_id": person.person_id,
                    "approver_account_id": person.accounts["wallet_console"],
                    "decision": "approve",
                    "approved_at": at,
                    "approved_payload_hash": digest,
                },
            )
        )
    signed_at = at + timedelta(minutes=rng.randint(20, 90))
    keys = [
        k
        for k in source.keys
        if k.row["key_role"] == "signer"
        and k.row["revoked_at"] is None
        and world.person(k.person_id).active_on(signed_at.date())
    ]
    signers = sorted(k.fingerprint for k in rng.sample(keys, source.threshold))
    eth = source.asset.chain == "ethereum"
    signed = world.add(
        "signed_transactions",
        {
            "txid": ("0x" if eth else "") + f"{rng.getrandbits(256):064x}",
            "withdrawal_id": wid,
            "wallet_id": source.wallet_id,
            "asset": source.asset.code,
            "destination_address": destination,
            "amount": amount,
            "payload_hash": digest,
            "signer_key_fingerprints": ";".join(signers),
            "call_type": "transfer",
            "contract_address": token,
            "signed_at": signed_at,
            "broadcast_at": signed_at + timedelta(minutes=rng.randint(1, 5)),
        },
    )
    return request, approvals, signed


def routine_transfers(world: World, books: list[Book]) -> None:
    """Refills and sweeps between tiers on a fixed rhythm per asset."""
    rng = pystream(world.params.seed, "treasury")
    for k, book in enumerate(books):
        code = book.asset.code
        unit = book.asset.scale * 1000
        for day in range(world.params.days):
            for src, dst, every, share in ROUTES:
                if (day + k) % every:
                    continue
                amount = max(unit, int(book.totals[day] * share) // unit * unit)
                when = world.params.at(day, 1 + 4 * rng.random())
                internal_transfer(
                    world,
                    wallet(world, code, src),
                    wallet(world, code, dst).main_address,
                    amount,
                    when,
                    rng,
                )


def wallet_balances(
    world: World, books: list[Book], not_cold: dict[tuple[str, int], tuple[int, int]]
) -> None:
    """Day-end on-chain balances; ``not_cold`` overrides the hot/warm per mille on some days."""
    p = world.params
    for book in books:
        code = book.asset.code
        house = book.totals[0] * HOUSE_PER_MILLE // 1000
        for day, total in enumerate(book.totals):
            hot_pm, warm_pm = not_cold.get((code, day), NORMAL_SHARES)
            hot, warm = total * hot_pm // 1000, total * warm_pm // 1000
            cold = total - hot - warm
            short = cold * 42 // 100
            held = {
                "HOT-1": hot,
                "WARM-1": warm,
                "COLD-S": short,
                "COLD-L": cold - short,
                "PG-1": -(-total * PG_PER_MILLE // 1000),
                "HOUSE-1": house,
            }
            for suffix, balance in held.items():
                world.add(
                    "wallet_balances",
                    {
                        "as_of": p.day(day),
                        "wallet_id": f"{code}-{suffix}",
                        "asset": code,
                        "balance": balance,
                    },
                )

"""WazirX replay: an approved refill of a Safe is signed as a call that swaps its implementation.

WazirX (18 Jul 2024): the signers of a Safe approved what their screens showed; the signed
payload upgraded the wallet to attacker code, owners and threshold unchanged. Here: a USDC
warm-to-hot refill is requested, approved and logged with its approved payload hash; the
signed transaction is a ``changeMasterCopy`` call to the Safe itself, and from the next daily
observation ``wallet_state`` shows the attacker's implementation.
"""

from __future__ import annotations

from kansa.custody.safe_registry import selector
from kansa.demo import treasury
from kansa.demo.ledger import Book
from kansa.demo.randomness import pystream
from kansa.demo.scenarios.base import Scenario
from kansa.demo.world import World

WALLET = ("USDC", "WARM-1")


class SafeSwap(Scenario):
    id = "safe-swap"
    title_en = "WazirX 2024 replay: a signed call swaps a Safe's implementation"
    title_ja = "WazirX 2024 年事案の再現：署名された呼び出しが Safe の実装を差し替え"

    def after_ledger(self, world: World, books: list[Book]) -> None:
        p = world.params
        day = p.days // 2 + 1
        rng = pystream(p.seed, "scenario:safe-swap")
        source = treasury.wallet(world, *WALLET)
        book = next(b for b in books if b.asset.code == WALLET[0])
        unit = book.asset.scale * 1000
        amount = max(unit, int(book.totals[day] * 0.003) // unit * unit)
        dest = treasury.wallet(world, WALLET[0], "HOT-1").main_address
        _request, _approvals, signed = treasury.internal_transfer(
            world, source, dest, amount, p.at(day, 3), rng
        )
        safe = source.row["safe_address"]
        signed["call_type"] = "contract_call"
        signed["contract_address"] = safe
        signed["call_selector"] = selector("changeMasterCopy(address)")
        attacker = "0x" + f"{rng.getrandbits(160):040x}"
        world.shared.setdefault("safe_swaps", {})[source.wallet_id] = (
            signed["signed_at"],
            attacker,
        )
        self.flag("KEY-013", signed, "txid")
        self.flag("WDR-010", signed, "txid")
        wallet = source.wallet_id
        for as_of, check in ((p.day(day), "change"), (p.end, "implementation")):
            key = {"wallet_id": wallet, "as_of": as_of, "check": check}
            self.flag("KEY-012", key, "wallet_id", "as_of", "check")

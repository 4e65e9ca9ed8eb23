"""What a seeded scenario can do at each stage of generation (every hook is optional)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kansa.demo.world import Row, ScenarioRecord, Violation, World

if TYPE_CHECKING:
    from kansa.demo.customer_flows import CustomerFlows
    from kansa.demo.ledger import Book


class Scenario:
    """A control failure seeded into an otherwise clean exchange, with its ground truth."""

    id = ""
    title_en = ""
    title_ja = ""

    def __init__(self, world: World) -> None:
        self.record = ScenarioRecord(self.id, self.title_en, self.title_ja)
        world.scenarios.append(self.record)

    def flag(self, control: str, row: Row, *key_columns: str, **rename: str) -> None:
        """Record that ``control`` must flag ``row`` (keys read when the truth is written)."""
        self.record.violations.append(Violation(control, row, key_columns, dict(rename)))

    # hooks, in generation order
    def after_org(self, world: World) -> None:
        """People, accounts and grants exist."""

    def after_custody(self, world: World) -> None:
        """Wallets, keys and allow-lists exist."""

    def after_sessions(self, world: World) -> None:
        """Authentication sessions exist (sequence numbers not yet assigned)."""

    def on_customer_flows(self, world: World, flows: CustomerFlows) -> None:
        """Customer withdrawals are drawn (hashes not yet computed)."""

    def after_ledger(self, world: World, books: list[Book]) -> None:
        """Balances and routine transfers exist."""

    def not_cold(self, world: World) -> dict[tuple[str, int], tuple[int, int]]:
        """(asset, day) -> (hot, warm) per mille of customer holdings, overriding the norm."""
        return {}

"""Generate the customer-side and yen datasets and every Safe's daily state, after transfers.

Runs once the customer withdrawals exist (their Arrow tables) and the scenarios have written
their plan (:mod:`kansa.demo.customer_plan`): logins, address books, KYC, deposits, the
per-transaction ledger, Travel Rule messages, the customers' yen and the money trust, and
``wallet_state``. Large tables stream straight to their files; small ones go to
``world.tables`` for the writer.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from kansa.demo import customer_access, customer_postings, safe_observations, yen_trust
from kansa.demo.customer_flows import CustomerFlows
from kansa.demo.customer_plan import customer_plan
from kansa.demo.ledger import Book
from kansa.demo.world import World
from kansa.demo.writer import TableSink


def _write(folder: Path, name: str, fmt: str, table: pa.Table, rows: dict[str, int]) -> None:
    with TableSink(folder, name, fmt) as sink:
        sink.write(table)
        if not table.num_rows:
            sink.write(pa.Table.from_pylist([], schema=sink.schema))
    rows[name] = sink.rows


def generate_customer_side(
    world: World,
    folder: Path,
    flows: CustomerFlows,
    books: list[Book],
    customer_tables: tuple[pa.Table, pa.Table, pa.Table],
    rows: dict[str, int],
) -> None:
    """Write the customer-side datasets; put the yen trust and wallet_state in world.tables."""
    p, plan = world.params, customer_plan(world)
    fmt = p.file_format
    withdrawals, _approvals, signed = customer_tables
    _write(folder, "customer_logins", fmt, customer_access.logins(flows, p, plan), rows)
    changes = customer_access.address_changes(flows, p, plan)
    _write(folder, "withdrawal_address_changes", fmt, changes, rows)
    _write(folder, "customer_kyc", fmt, customer_access.kyc(flows, p), rows)
    deposits = customer_postings.deposits(books, p)
    _write(folder, "deposits", fmt, deposits, rows)
    entries = customer_postings.ledger_entries(withdrawals, deposits, plan)
    _write(folder, "customer_ledger_entries", fmt, entries, rows)
    messages = customer_postings.travel_rule(flows, withdrawals, deposits, p, plan)
    _write(folder, "travel_rule_messages", fmt, messages, rows)
    with TableSink(folder, "customer_yen_balances", fmt) as sink:
        yen = yen_trust.yen_books(p, plan, sink)
    rows["customer_yen_balances"] = sink.rows
    world.tables["yen_movements"] = yen.movements
    world.tables["yen_trust_movements"] = yen.trust_lines
    world.tables["yen_trust_balances"] = yen.trust_balances
    safe_observations.approve_configurations(world)
    world.tables["wallet_state"] = safe_observations.wallet_states(world, signed)

"""Customer deposits, the per-transaction customer ledger and Travel Rule messages.

* ``deposits``: each day 0.3% of an asset's holders deposit (log-normal yen value, median about
  ¥30,000) from a plausible external address, credited at a random time of the day;
* ``customer_ledger_entries``: one ``withdrawal`` debit per customer withdrawal (posted two
  seconds after the request: the amount is held at once) and one ``deposit`` credit per deposit
  (trades are not itemised: the daily balances stay the record of them);
* ``travel_rule_messages``: one record per customer withdrawal and deposit (the exchange tests
  every amount, CSR-005 has no threshold by default). Destinations and sources at other
  providers (40% of customers' counterparties) get a complete message sent 20 seconds after the
  request, before signing, or received 5 minutes before the credit; the others are recorded as
  unhosted wallets with the originator's information only.

The plan (:mod:`kansa.demo.customer_plan`) removes a debit (a forged withdrawal) and removes or
truncates a Travel Rule message (a gap).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kansa.demo import columns
from kansa.demo.customer_flows import CustomerFlows, external_addresses
from kansa.demo.customer_plan import CustomerPlan
from kansa.demo.ledger import Book
from kansa.demo.params import DemoParams
from kansa.demo.randomness import stream

SECOND = 1_000_000
DAY = 86_400 * SECOND
DEPOSIT_RATE = 0.003
MEDIAN_DEPOSIT_JPY = 30_000.0
VASP_SHARE = 4  # in 10: counterparties that are other providers
# fictional counterparties (no real provider is implied)
PROVIDERS = np.array(
    ["Sakura Crypto KK", "Minato Digital Exchange", "Hokusei Coin KK", "Asahi Wallet Services"]
)


def deposits(books: list[Book], params: DemoParams) -> pa.Table:
    """Deposits of every asset over the period, in credit order (see the module doc)."""
    rng = stream(params.seed, "customer-deposits")
    start = columns.epoch_us(params.at(0))
    parts = []
    for book in books:
        asset = book.asset
        pool = external_addresses(asset, max(200, book.holders.size // 100), rng)
        for day in range(params.days):
            who = book.holders[rng.random(book.holders.size) < DEPOSIT_RATE]
            jpy = rng.lognormal(np.log(MEDIAN_DEPOSIT_JPY), 1.2, who.size)
            units = np.maximum(jpy / asset.price_jpy * 10**asset.decimals / asset.scale, 1000)
            raw = rng.integers(0, 256, (who.size, 32), dtype=np.uint8)
            txid = columns.hex_strings(raw, "0x" if asset.chain == "ethereum" else "")
            parts.append(
                pa.table(
                    {
                        "customer": pa.array(who.astype(np.int64)),
                        "asset": pa.repeat(asset.code, who.size),
                        "source_address": pa.array(pool, pa.string()).take(
                            pa.array(rng.integers(0, len(pool), who.size))
                        ),
                        "amount": columns.amounts(units.astype(np.int64), asset.scale),
                        "credited_at": pa.array(
                            start + day * DAY + rng.integers(0, DAY, who.size), pa.int64()
                        ),
                        "txid": txid,
                    }
                )
            )
    table = pa.concat_tables(parts).sort_by(
        [("credited_at", "ascending"), ("customer", "ascending")]
    )
    n = table.num_rows
    return pa.table(
        {
            "deposit_id": columns.numbered("D", np.arange(1, n + 1), 9),
            "customer_id": columns.numbered("C", table["customer"].to_numpy() + 1, 8),
            "asset": table["asset"],
            "source_address": table["source_address"],
            "amount": table["amount"],
            "credited_at": columns.timestamps(table["credited_at"].to_numpy()),
            "txid": table["txid"],
        }
    )


def ledger_entries(withdrawals: pa.Table, deposit_rows: pa.Table, plan: CustomerPlan) -> pa.Table:
    """A debit per customer withdrawal (except the plan's forged ones), a credit per deposit."""
    skip = pa.array([f"W{i + 1:09d}" for i in sorted(plan.no_debit)], pa.string())
    debited = withdrawals.filter(pc.invert(pc.is_in(withdrawals["withdrawal_id"], skip)))
    n_w, n_d = debited.num_rows, deposit_rows.num_rows
    posted = pc.add(debited["requested_at"].cast(pa.int64()), 2 * SECOND)
    debits = pa.table(
        {
            "customer_id": debited["customer_id"],
            "asset": debited["asset"],
            "direction": pa.repeat("debit", n_w),
            "amount": debited["amount"],
            "kind": pa.repeat("withdrawal", n_w),
            "withdrawal_id": debited["withdrawal_id"],
            "deposit_id": pa.nulls(n_w, pa.string()),
            "posted_at": posted,
        }
    )
    credits = pa.table(
        {
            "customer_id": deposit_rows["customer_id"],
            "asset": deposit_rows["asset"],
            "direction": pa.repeat("credit", n_d),
            "amount": deposit_rows["amount"],
            "kind": pa.repeat("deposit", n_d),
            "withdrawal_id": pa.nulls(n_d, pa.string()),
            "deposit_id": deposit_rows["deposit_id"],
            "posted_at": deposit_rows["credited_at"].cast(pa.int64()),
        }
    )
    table = pa.concat_tables([debits, credits]).sort_by(
        [("posted_at", "ascending"), ("customer_id", "ascending"), ("kind", "descending")]
    )
    ids = columns.numbered("E", np.arange(1, table.num_rows + 1), 10)
    table = table.set_column(7, "posted_at", table["posted_at"].cast(columns.TIMESTAMP))
    return table.add_column(0, "entry_id", ids)


def travel_rule(
    flows: CustomerFlows,
    withdrawals: pa.Table,
    deposit_rows: pa.Table,
    params: DemoParams,
    plan: CustomerPlan,
) -> pa.Table:
    """One record per customer withdrawal and deposit (see the module doc)."""
    rng = stream(params.seed, "travel-rule")
    out_vasp = (flows.customer.astype(np.int64) * 7 + flows.asset) % 10 < VASP_SHARE
    in_vasp = rng.random(deposit_rows.num_rows) * 10 < VASP_SHARE
    sent_out = pc.add(withdrawals["requested_at"].cast(pa.int64()), 20 * SECOND)
    sent_in = pc.subtract(deposit_rows["credited_at"].cast(pa.int64()), 300 * SECOND)
    outgoing = _messages(withdrawals["withdrawal_id"], "outgoing", out_vasp, sent_out, rng)
    incoming = _messages(deposit_rows["deposit_id"], "incoming", in_vasp, sent_in, rng)
    for flow, gap in plan.travel_rule_gaps.items():
        if gap == "missing":
            outgoing = outgoing.filter(pc.not_equal(outgoing["transfer_id"], f"W{flow + 1:09d}"))
        else:
            hit = pc.equal(outgoing["transfer_id"], f"W{flow + 1:09d}")
            name = pc.if_else(hit, False, outgoing["beneficiary_name_present"])
            outgoing = outgoing.set_column(
                outgoing.schema.get_field_index("beneficiary_name_present"),
                "beneficiary_name_present",
                name,
            )
    table = pa.concat_tables([outgoing, incoming])
    ids = columns.numbered("TR", np.arange(1, table.num_rows + 1), 10)
    sent = table["sent_at"].cast(columns.TIMESTAMP)
    table = table.set_column(table.schema.get_field_index("sent_at"), "sent_at", sent)
    return table.add_column(0, "message_id", ids)


def _messages(
    transfer_ids: pa.ChunkedArray,
    direction: str,
    vasp: np.ndarray,
    sent: pa.ChunkedArray,
    rng: np.random.Generator,
) -> pa.Table:
    n = len(transfer_ids)
    is_vasp = pa.array(vasp)
    names = pa.array(PROVIDERS[rng.integers(0, len(PROVIDERS), n)], pa.string())
    return pa.table(
        {
            "transfer_id": transfer_ids,
            "direction": pa.repeat(direction, n),
            "counterparty_kind": pc.if_else(is_vasp, "vasp", "unhosted"),
            "counterparty_vasp": pc.if_else(is_vasp, names, pa.nulls(n, pa.string())),
            "originator_name_present": pa.repeat(True, n),
            "originator_account_present": pa.repeat(True, n),
            "originator_identifier_present": is_vasp,
            "beneficiary_name_present": is_vasp,
            "beneficiary_account_present": pa.repeat(True, n),
            "sent_at": pc.if_else(is_vasp, sent, pa.nulls(n, pa.int64())),
        }
    )

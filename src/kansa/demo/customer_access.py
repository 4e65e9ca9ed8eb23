"""Customer logins, withdrawal address books and KYC: the customer side of account security.

Clean by construction, vectorised over the customer flows:

* every customer uses one device from one country (96% Japan); every withdrawal follows a
  successful login of its customer 2 to 90 minutes earlier, and every withdrawing customer also
  logged in 1 to 30 days before the period and at least every 30 days after that until their
  last login, however long the period (so no device or country is ever new, and no gap
  between two logins reaches the 180-day dormancy of CSR-002); about 1% of customers log in on
  any day of the period and of the 30 days before it without withdrawing; 3% of logins follow a
  failed attempt;
* each destination was added to the customer's address book 2 to 400 days before its first
  withdrawal (far outside CSR-001's 24-hour window), and customers who do not withdraw add
  addresses at the same pace over those 400 days and the period (so the daily count is steady);
* every customer has a KYC row from onboarding; those who withdraw are verified with a low or
  medium risk rating, a few who do not are pending or rated high.

A takeover in the plan (:mod:`kansa.demo.customer_plan`) replaces its customer's history: one
login 200 to 260 days before the period, then failed attempts and a successful login from a new
device and country minutes before the withdrawal, with the destination added in between.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from kansa.demo import columns
from kansa.demo.customer_flows import CustomerFlows
from kansa.demo.customer_plan import CustomerPlan, Takeover
from kansa.demo.params import DemoParams
from kansa.demo.randomness import stream

MINUTE = 60 * 1_000_000
DAY = 1440 * MINUTE
HOME = "JP"
ABROAD = np.array(["US", "SG", "KR", "TW", "GB"])
BROWSE_RATE = 0.01  # customers logging in on a day without withdrawing
# days before the period with logins: a steady log (no day-count jump at the period's start),
# far inside CSR-002's 180-day dormancy so no clean customer ever looks reactivated
LOOK_BACK_DAYS = 30
# longest a customer who withdraws goes without a successful login: far inside CSR-002's dormancy
MAX_GAP_DAYS = 30
ADDRESS_BOOK_DAYS = 400  # addresses are added up to this long before they are first used
FAIL_RATE = 0.03


def customer_devices(indices: np.ndarray, seed: int) -> pa.Array:
    """A stable device id per customer index (``DV`` + 10 hex digits)."""
    mixed = (indices.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(seed & 0xFFFF)
    raw = mixed.view(np.uint8).reshape(-1, 8)[:, :5]
    return columns.hex_strings(np.ascontiguousarray(raw), "DV")


def customer_countries(indices: np.ndarray) -> np.ndarray:
    """The country a customer logs in from: Japan for 96%, else one of five, stable."""
    h = (indices.astype(np.int64) * 40503) % 100
    return np.where(h < 96, HOME, ABROAD[h % len(ABROAD)])


def _logins(customer: np.ndarray, when: np.ndarray, seed: int) -> pa.Table:
    return pa.table(
        {
            "customer": customer.astype(np.int64),
            "logged_in_at": when.astype(np.int64),
            "device_id": customer_devices(customer, seed),
            "ip_country": pa.array(customer_countries(customer), pa.string()),
            "result": pa.repeat("success", customer.size),
        }
    )


def logins(flows: CustomerFlows, params: DemoParams, plan: CustomerPlan) -> pa.Table:
    """``customer_logins`` of the period plus the look-back before it (see the module doc)."""
    rng = stream(params.seed, "customer-logins")
    start = columns.epoch_us(params.at(0))
    taken = {t.customer for t in plan.takeovers}
    skip = np.zeros(flows.size, bool)
    skip[list(plan.no_login | {t.flow for t in plan.takeovers})] = True
    mine = ~np.isin(flows.customer, list(taken))
    before = (
        flows.requested_us[~skip & mine]
        - rng.integers(2 * MINUTE, 90 * MINUTE, flows.size)[~skip & mine]
    )
    who = flows.customer[~skip & mine]
    history_who = np.unique(flows.customer[mine])
    history = start - rng.integers(DAY, LOOK_BACK_DAYS * DAY, history_who.size)
    browse_n = int(params.customers * BROWSE_RATE)
    browse_who = rng.integers(0, params.customers, browse_n * (params.days + LOOK_BACK_DAYS))
    browse_who = browse_who[~np.isin(browse_who, list(taken))]
    browse = start + rng.integers(-LOOK_BACK_DAYS * DAY, params.days * DAY, browse_who.size)
    withdraws = np.isin(browse_who, history_who)
    kept_who, kept = keep_alive(
        np.concatenate([who, history_who, browse_who[withdraws]]),
        np.concatenate([before, history, browse[withdraws]]),
    )
    parts = [
        _logins(
            np.concatenate([who, history_who, kept_who, browse_who]),
            np.concatenate([before, history, kept, browse]),
            params.seed,
        )
    ]
    ok = parts[0]
    failed = pc.less(pa.array(rng.random(ok.num_rows)), FAIL_RATE)
    fails = ok.filter(failed)
    fails = fails.set_column(1, "logged_in_at", pc.subtract(fails["logged_in_at"], 30 * 1_000_000))
    fails = fails.set_column(4, "result", pa.repeat("failure", fails.num_rows))
    parts.append(fails)
    for t in plan.takeovers:
        parts.append(_takeover_logins(t, flows, start, params.seed, rng))
    table = pa.concat_tables(parts)
    return _finish(table.sort_by([("logged_in_at", "ascending"), ("customer", "ascending")]))


def keep_alive(customer: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Logins that close every gap longer than MAX_GAP_DAYS between two logins of a customer.

    A clean customer who withdraws early and again late in a long period (or only late, or
    browses late) would otherwise log in twice more than CSR-002's dormancy apart and look
    reactivated; each long gap gets evenly spaced logins so that none is left longer than
    MAX_GAP_DAYS (give or take a few microseconds of rounding). Deterministic (no draw), so
    the other columns' random streams stay as they were.
    """
    order = np.lexsort((when, customer))
    cust, at = customer[order], when[order]
    gap = np.diff(at)
    long = (np.diff(cust) == 0) & (gap > MAX_GAP_DAYS * DAY)
    start, span, who = at[:-1][long], gap[long], cust[:-1][long]
    extra = -(-span // (MAX_GAP_DAYS * DAY)) - 1  # logins needed inside each long gap
    total = int(extra.sum())
    step = span // (extra + 1)
    rank = np.arange(total) - np.repeat(np.cumsum(extra) - extra, extra) + 1
    return np.repeat(who, extra), np.repeat(start, extra) + rank * np.repeat(step, extra)


def _takeover_logins(
    t: Takeover, flows: CustomerFlows, start: int, seed: int, rng: np.random.Generator
) -> pa.Table:
    at = int(flows.requested_us[t.flow])
    one = np.array([t.customer])
    last_seen = _logins(one, np.array([start - int(rng.integers(200 * DAY, 260 * DAY))]), seed)
    attempts = [at - 9 * MINUTE, at - 8 * MINUTE, at - 6 * MINUTE]
    results = ["failure", "failure", "success"]
    attack = pa.table(
        {
            "customer": pa.array([t.customer] * 3, pa.int64()),
            "logged_in_at": pa.array(attempts, pa.int64()),
            "device_id": pa.array([t.device_id] * 3),
            "ip_country": pa.array([t.country] * 3),
            "result": pa.array(results),
        }
    )
    return pa.concat_tables([last_seen, attack])


def _finish(table: pa.Table) -> pa.Table:
    n = table.num_rows
    return pa.table(
        {
            "login_id": columns.numbered("L", np.arange(1, n + 1), 10),
            "customer_id": columns.numbered("C", table["customer"].to_numpy() + 1, 8),
            "logged_in_at": columns.timestamps(table["logged_in_at"].to_numpy()),
            "device_id": table["device_id"],
            "ip_country": table["ip_country"],
            "result": table["result"],
        }
    )


def address_changes(flows: CustomerFlows, params: DemoParams, plan: CustomerPlan) -> pa.Table:
    """One ``add`` per (customer, asset, destination) days to months before its first use, as
    many by customers who do not withdraw (to addresses of the same pool), and the takeover's
    address minutes before its withdrawal."""
    rng = stream(params.seed, "customer-address-book")
    keep = np.ones(flows.size, bool)
    keep[[t.flow for t in plan.takeovers]] = False
    pairs = pa.table(
        {
            "customer": pa.array(flows.customer[keep].astype(np.int64)),
            "asset": pa.array(np.array(flows.codes)[flows.asset[keep]]),
            "address": pa.array(
                [d for d, k in zip(flows.destination, keep.tolist(), strict=True) if k], pa.string()
            ),
        }
    )
    pairs = pairs.append_column("first_us", pa.array(flows.requested_us[keep], pa.int64()))
    unique = pairs.group_by(["customer", "asset", "address"], use_threads=False).aggregate(
        [("first_us", "min")]
    )
    unique = unique.sort_by(
        [("customer", "ascending"), ("asset", "ascending"), ("address", "ascending")]
    )
    first = unique["first_us_min"].to_numpy()
    when = first - rng.integers(2 * DAY, ADDRESS_BOOK_DAYS * DAY, unique.num_rows)
    table = unique.drop_columns(["first_us_min"]).append_column(
        "changed_at", pa.array(when, pa.int64())
    )
    table = pa.concat_tables([table, _idle_adds(flows, params, table, rng)])
    extra = [
        {
            "customer": t.customer,
            "asset": flows.codes[int(flows.asset[t.flow])],
            "address": flows.destination[t.flow],
            "changed_at": int(flows.requested_us[t.flow]) - 4 * MINUTE,
        }
        for t in plan.takeovers
    ]
    if extra:
        table = pa.concat_tables([table, pa.Table.from_pylist(extra, schema=table.schema)])
    table = table.sort_by([("changed_at", "ascending"), ("customer", "ascending")])
    n = table.num_rows
    return pa.table(
        {
            "change_id": columns.numbered("AB", np.arange(1, n + 1), 9),
            "customer_id": columns.numbered("C", table["customer"].to_numpy() + 1, 8),
            "changed_at": columns.timestamps(table["changed_at"].to_numpy()),
            "asset": table["asset"],
            "address": table["address"],
            "action": pa.repeat("add", n),
        }
    )


def _idle_adds(
    flows: CustomerFlows, params: DemoParams, used: pa.Table, rng: np.random.Generator
) -> pa.Table:
    """Additions by customers who withdraw nothing in the period, spread evenly from
    ADDRESS_BOOK_DAYS before the period to its end, as many per day as the used ones."""
    start = columns.epoch_us(params.at(0))
    idle = np.setdiff1d(np.arange(params.customers), flows.customer)
    n = used.num_rows * (ADDRESS_BOOK_DAYS + params.days) // ADDRESS_BOOK_DAYS
    if not idle.size or not n:
        return used.slice(0, 0)
    pick = rng.integers(0, used.num_rows, n)
    return pa.table(
        {
            "customer": pa.array(idle[rng.integers(0, idle.size, n)].astype(np.int64)),
            "asset": used["asset"].take(pa.array(pick)),
            "address": used["address"].take(pa.array(pick)),
            "changed_at": pa.array(
                start + rng.integers(-ADDRESS_BOOK_DAYS * DAY, params.days * DAY, n), pa.int64()
            ),
        }
    )


def kyc(flows: CustomerFlows, params: DemoParams) -> pa.Table:
    """One row per customer from onboarding: verified (low or medium risk) for everyone who
    withdraws; of the others 1% pending and 0.5% rated high."""
    rng = stream(params.seed, "customer-kyc")
    n = params.customers
    withdraws = np.zeros(n, bool)
    withdraws[flows.customer] = True
    start_day = (params.start - date(1970, 1, 1)).days
    as_of = start_day - rng.integers(20, 2000, n)
    draw = rng.random(n)
    status = np.where(~withdraws & (draw < 0.01), "pending", "verified")
    risk = np.where(draw < 0.8, "low", "medium")
    risk = np.where(~withdraws & (draw > 0.995), "high", risk)
    return pa.table(
        {
            "customer_id": columns.numbered("C", np.arange(1, n + 1), 8),
            "as_of": pa.array(as_of.astype(np.int32), pa.int32()).cast(pa.date32()),
            "status": pa.array(status, pa.string()),
            "risk_rating": pa.array(risk, pa.string()),
        }
    )

"""Generate the demo exchange: every dataset as one file, plus ``ground_truth.json``.

Order matters only where one part reads another: the organisation, then custody, then
activity logs and the customer ledger, with each scenario's hooks at its stage. All
randomness comes from named streams of the seed, so the same parameters give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa

from kansa.contracts import load_contracts
from kansa.demo import activity, custody, customer_flows, org, phishing, treasury
from kansa.demo.columns import epoch_us
from kansa.demo.customer_side import generate_customer_side
from kansa.demo.ledger import Book, simulate
from kansa.demo.params import DemoParams
from kansa.demo.sanctions import load_ofac
from kansa.demo.scenarios import Scenario, build_scenarios
from kansa.demo.world import World
from kansa.demo.writer import TableSink, write_rows

GROUND_TRUTH = "ground_truth.json"
# stage name -> share of the work, for progress bars
STAGES = (("organisation", 1), ("customer ledger", 6), ("transfers", 2), ("files", 1))

Progress = Callable[[str, float], None]  # (stage, fraction of that stage done)


@dataclass
class DemoResult:
    folder: Path
    files: dict[str, Path]
    rows: dict[str, int]
    ground_truth: Path
    notes: list[str] = field(default_factory=list)


def _no_progress(stage: str, done: float) -> None:
    pass


def generate(
    params: DemoParams,
    folder: Path,
    *,
    ofac_dir: Path | None = None,
    progress: Progress = _no_progress,
) -> DemoResult:
    """Write every dataset and the ground truth into ``folder``; see the module docstring."""
    folder.mkdir(parents=True, exist_ok=True)
    world = World(params)
    scenarios = build_scenarios(world, ofac_dir)
    progress("organisation", 0.0)
    _organisation(world, scenarios)
    progress("organisation", 1.0)
    rows: dict[str, int] = {}
    books = _ledger(world, folder, rows, progress)
    big = _transfers(world, scenarios, books, ofac_dir)
    generate_customer_side(world, folder, world.shared["customer_flows"], books, big, rows)
    progress("transfers", 1.0)
    _write_all(world, folder, big, rows, progress)
    truth = folder / GROUND_TRUTH
    truth.write_text(
        json.dumps(ground_truth(world), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    files = {n: folder / f"{n}.{params.file_format}" for n in load_contracts()}
    return DemoResult(folder, files, rows, truth, list(world.notes))


def _organisation(world: World, scenarios: list[Scenario]) -> None:
    """People, access, custody, training, sessions and operations, with scenario hooks."""
    org.build_org(world)
    for s in scenarios:
        s.after_org(world)
    custody.build_custody(world)
    treasury.build_allowlists(world)
    for s in scenarios:
        s.after_custody(world)
    phishing.phishing_campaigns(world)
    activity.generate_sessions(world)
    for s in scenarios:
        s.after_sessions(world)
    activity.admin_actions(world)
    activity.deployments(world)


def _ledger(world: World, folder: Path, rows: dict[str, int], progress: Progress) -> list[Book]:
    """Stream the customer ledger to its file; return the books (totals and withdrawal draws)."""
    p = world.params
    with TableSink(folder, "customer_balances", p.file_format) as balances:
        books = simulate(
            p.seed,
            p.customers,
            p.days,
            (p.start - date(1970, 1, 1)).days,
            balances,
            on_day=lambda d: progress("customer ledger", (d + 1) / p.days),
        )
    rows["customer_balances"] = balances.rows
    return books


def _transfers(
    world: World, scenarios: list[Scenario], books: list[Book], ofac_dir: Path | None
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """Customer and internal transfers, wallet balances, logs numbered, sanctions loaded."""
    p = world.params
    flows = customer_flows.collect(books, epoch_us(p.at(0)), p.seed)
    for s in scenarios:
        s.on_customer_flows(world, flows)
    world.shared["customer_flows"] = flows
    hot = [treasury.wallet(world, b.asset.code, "HOT-1") for b in books]
    approvers = [x for x in world.team("approver") if x.person_id not in world.bystanders]
    big = customer_flows.tables(flows, hot, approvers, p.seed)
    treasury.routine_transfers(world, books)
    for s in scenarios:
        s.after_ledger(world, books)
    not_cold: dict[tuple[str, int], tuple[int, int]] = {}
    for s in scenarios:
        not_cold.update(s.not_cold(world))
    treasury.wallet_balances(world, books, not_cold)
    activity.finish_logs(world)
    if ofac_dir is not None and ofac_dir.is_dir():
        world.tables["sanctioned_addresses"] = load_ofac(ofac_dir)
    return big


def _write_all(
    world: World,
    folder: Path,
    big: tuple[pa.Table, pa.Table, pa.Table],
    rows: dict[str, int],
    progress: Progress,
) -> None:
    """The three transfer tables (customer part in Arrow, internal rows after it), then the rest."""
    fmt = world.params.file_format
    names = ("withdrawals", "withdrawal_approvals", "signed_transactions")
    for name, table in zip(names, big, strict=True):
        with TableSink(folder, name, fmt) as sink:
            sink.write(table)
            sink.write(world.tables[name])
        rows[name] = sink.rows
    small = [n for n in load_contracts() if n not in rows]
    for i, name in enumerate(small):
        rows[name] = write_rows(folder, name, fmt, world.tables[name])
        progress("files", (i + 1) / len(small))


def ground_truth(world: World) -> dict[str, Any]:
    p = world.params
    return {
        "seed": p.seed,
        "customers": p.customers,
        "days": p.days,
        "start": p.start.isoformat(),
        "as_of": p.end.isoformat(),
        "scenarios": [s.as_json() for s in world.scenarios],
        "notes": list(world.notes),
    }

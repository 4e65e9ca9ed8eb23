"""Generate the demo exchange: every dataset as one file, plus ``ground_truth.json``.

Order matters only where one part reads another: the organisation, then custody, then
activity logs and the customer ledger, with each scenario's hooks at its stage. All
randomness comes from named streams of the seed, so the same parameters give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.contracts import load_contracts
from kansa.demo import activity, custody, customer_flows, org, phishing, treasury
from kansa.demo.columns import epoch_us
from kansa.demo.ledger import simulate
from kansa.demo.params import DemoParams
from kansa.demo.sanctions import load_ofac
from kansa.demo.scenarios import build_scenarios
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
    folder.mkdir(parents=True, exist_ok=True)
    world = World(params)
    scenarios = build_scenarios(world, ofac_dir)
    progress("organisation", 0.0)
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
    progress("organisation", 1.0)

    fmt = params.file_format
    with TableSink(folder, "customer_balances", fmt) as balances:
        first_day = (params.start - params.start.replace(year=1970, month=1, day=1)).days
        books = simulate(
            params.seed,
            params.customers,
            params.days,
            first_day,
            balances,
            on_day=lambda d: progress("customer ledger", (d + 1) / params.days),
        )
    rows = {"customer_balances": balances.rows}

    flows = customer_flows.collect(books, epoch_us(params.at(0)), params.seed)
    for s in scenarios:
        s.on_customer_flows(world, flows)
    hot = [treasury.wallet(world, b.asset.code, "HOT-1") for b in books]
    approvers = [p for p in world.team("approver") if p.person_id not in world.bystanders]
    progress("transfers", 0.3)
    big = customer_flows.tables(flows, hot, approvers, params.seed)
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
    progress("transfers", 1.0)

    for name, table in zip(
        ("withdrawals", "withdrawal_approvals", "signed_transactions"), big, strict=True
    ):
        with TableSink(folder, name, fmt) as sink:
            sink.write(table)
            sink.write(world.tables[name])
        rows[name] = sink.rows
    small = [n for n in load_contracts() if n not in rows]
    for i, name in enumerate(small):
        rows[name] = write_rows(folder, name, fmt, world.tables[name])
        progress("files", (i + 1) / len(small))
    files = {n: folder / f"{n}.{fmt}" for n in load_contracts()}
    truth = folder / GROUND_TRUTH
    truth.write_text(
        json.dumps(ground_truth(world), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return DemoResult(folder, files, rows, truth, list(world.notes))


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

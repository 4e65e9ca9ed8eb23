"""``kansa reserves build``: one day of customer balances -> a committed Merkle-sum tree."""

from __future__ import annotations

import datetime as dt
import shutil
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reserves.artifact import commit_tree
from kansa.reserves.source import connect, read_customer_rows
from kansa.reserves.tree import Progress, build_tree
from kansa.vault import Vault
from kansa.vault.integrity import require_snapshot

DATASET = "customer_balances"


def build_reserves(
    vault: Vault,
    *,
    as_of: dt.date | None = None,
    seed: int | None = None,
    workers: int | None = None,
    memory_limit: str = "2GB",
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Build the tree over the latest ``customer_balances`` snapshot and commit it.

    Returns the ledger payload (as_of, assets, customers, root hash and sums, source).
    """
    snapshot = vault.latest(DATASET)
    if snapshot is None:
        raise KansaError(
            tr(
                "No customer_balances snapshot in the vault.",
                "customer_balances のスナップショットがありません。",
            ),
            hint=tr(
                "Ingest customer_balances first.", "先に customer_balances を取り込んでください。"
            ),
        )
    # the tree and its ledger entry name this snapshot's hash as their source: re-hash first
    require_snapshot(snapshot)  # the manifest and every day it lists, before reading
    report = progress or (lambda stage, done, total: None)
    report("read", 0, 1)
    spill = vault.staging_dir()
    try:
        con = connect(memory_limit, spill)
        try:
            rows = read_customer_rows(con, [p for p, _ in snapshot.files], as_of)
        finally:
            con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    report("read", 1, 1)
    try:
        built = build_tree(rows.tree_input, seed=seed, workers=workers, progress=progress)
    except OverflowError as exc:
        raise KansaError(
            tr(
                "An asset's total customer balance exceeds 2**128-1 and cannot be encoded.",
                "ある資産の顧客残高合計が 2**128-1 を超え、符号化できません。",
            )
        ) from exc
    report("write", 0, 1)
    payload = commit_tree(
        vault,
        built,
        rows.tree_input,
        rows.customer_ids,
        as_of=rows.as_of,
        source=snapshot,
        seeded=seed is not None,
        workers=workers,
    )
    report("write", 1, 1)
    return payload

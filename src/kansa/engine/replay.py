"""Re-performing a recorded run from the snapshots it recorded, and comparing the verdicts.

A run's ledger entry names, per control, the SHA-256 of every snapshot it read (a dated
dataset's: its manifest, which pins every day's part). Every snapshot stays in the vault, so
the same controls can run again on exactly those bytes, as of the same day, with the same
parameter overrides and tested period; the verdicts must be the same (re-performance, the
auditor's way of showing a result does not depend on who ran it or when).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from kansa.controls import Control
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault


@dataclass(frozen=True)
class RecordedRun:
    """What a committed run used: enough to run it again."""

    run_id: str
    as_of: dt.date
    period_start: dt.date | None
    overrides: dict[str, dict[str, Any]]
    results: list[dict[str, Any]]
    snapshots: dict[str, Snapshot]


def recorded_run(vault: Vault, run_id: str) -> RecordedRun:
    """The run ``run_id`` as its ledger entry records it, with its snapshots found again."""
    entries = list(vault.ledger.read())
    run = next((e for e in entries if e.kind == "run" and e.payload.get("run_id") == run_id), None)
    if run is None:
        raise KansaError(
            tr(f"No run {run_id} in the ledger.", f"台帳に実行 {run_id} はありません。"),
            hint=tr("List runs with `kansa runs`.", "`kansa runs` で一覧できます。"),
        )
    body = run.payload
    wanted = {(d, h) for r in body["results"] for d, h in r.get("snapshots", {}).items()}
    found: dict[str, Snapshot] = {}
    for e in entries[: run.seq]:
        if e.kind == "ingest" and (e.payload.get("dataset"), e.payload.get("sha256")) in wanted:
            found[e.payload["dataset"]] = vault.snapshot_of(e)
    lost = sorted(d for d, _ in wanted if d not in found)
    if lost:
        raise KansaError(
            tr(
                f"Run {run_id} read snapshots of {', '.join(lost)} that the ledger does not hold.",
                f"実行 {run_id} が読んだ {', '.join(lost)} のスナップショットが台帳にありません。",
            )
        )
    start = body.get("period_start")
    return RecordedRun(
        run_id=run_id,
        as_of=dt.date.fromisoformat(body["as_of"]),
        period_start=dt.date.fromisoformat(start) if start else None,
        overrides=body.get("overrides", {}),
        results=body["results"],
        snapshots=found,
    )


def recorded_controls(recorded: RecordedRun, catalog: dict[str, Control]) -> list[Control]:
    ids = [r["control_id"] for r in recorded.results]
    gone = [i for i in ids if i not in catalog]
    if gone:
        raise KansaError(
            tr(
                f"Control(s) {', '.join(gone)} of run {recorded.run_id} are no longer in the catalog.",
                f"実行 {recorded.run_id} のコントロール {', '.join(gone)} はカタログにありません。",
            )
        )
    return [catalog[i] for i in ids]


VERDICT = ("status", "population", "exceptions", "version_hash")


def differences(recorded: RecordedRun, replayed: dict[str, Any]) -> list[str]:
    """Per control, what differs between the recorded and the re-performed verdict."""
    again = {r["control_id"]: r for r in replayed["results"]}
    out = []
    for r in recorded.results:
        other = again.get(r["control_id"], {})
        for field in VERDICT:
            if r.get(field) != other.get(field):
                out.append(f"{r['control_id']} {field}: {r.get(field)} -> {other.get(field)}")
    return out

"""A run's evidence: exception Parquet files and the run summary, as ONE vault ledger entry."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from kansa.engine.result import RunResult
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.vault.integrity import EvidenceAltered, require_snapshots


def check_inputs(snapshots: Mapping[str, Snapshot], *, during_run: bool = False) -> None:
    """Re-hash every snapshot a run will read: a result must never rest on altered evidence.

    The run records the ledger's SHA-256 of each snapshot; this makes sure the bytes DuckDB is
    about to read are those bytes (about 1.5 GB/s with SHA-NI, so well under a second for the
    1M-customer demo). The check is the vault's, shared by every consumer of evidence.

    Called again after the controls ran (``during_run``; a file left untouched is not hashed
    twice): DuckDB's ``allowed_paths`` cannot make a readable file read-only, so a snapshot
    that changed while the run read it (a bypass of the SQL guard, another process) stops the
    commit.
    """
    if not during_run:
        require_snapshots(snapshots.values())
        return
    try:
        require_snapshots(snapshots.values())
    except EvidenceAltered as exc:
        raise EvidenceAltered(
            tr(
                f"A snapshot changed during the run; nothing was committed. {exc.message}",
                f"実行中にスナップショットが変更されました。何も記録していません。{exc.message}",
            ),
            hint=exc.hint,
        ) from exc


def exceptions_path(run_id: str, control_id: str) -> str:
    """Where a control's exception rows live in the vault."""
    return f"runs/{run_id}/{control_id}.parquet"


def _payload(run: RunResult) -> dict[str, Any]:
    """The ledger entry's payload: the run summary; the files' hashes are in its outputs."""
    body = run.to_dict()
    body.pop("ledger")
    for control in body["results"]:
        control.pop("exceptions_sha256")
        if control["status"] not in ("error", "not_tested"):  # those wrote no file
            control["exceptions_file"] = exceptions_path(run.run_id, control["control_id"])
    return body


def commit_run(vault: Vault, run: RunResult) -> RunResult:
    """Move every staged exception file in and append one ``run`` entry; return the run with
    its ledger position and the files' vault paths and SHA-256."""
    files = {
        exceptions_path(run.run_id, o.control_id): o.staged
        for o in run.outcomes
        if o.staged is not None
    }
    entry = vault.commit("run", _payload(run), files, actor=run.actor)
    outcomes = tuple(
        o.committed(rel, entry.outputs[rel])
        if (rel := exceptions_path(run.run_id, o.control_id)) in entry.outputs
        else o
        for o in run.outcomes
    )
    return replace(run, outcomes=outcomes, ledger_seq=entry.seq, ledger_hash=entry.hash)

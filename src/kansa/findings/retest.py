"""Retesting a finding: a complete run of its control now, recorded with the findings it moves.

The same step as ``kansa run --controls ID`` (:func:`kansa.engine.run_controls`, then
:func:`kansa.findings.reconcile.store_run`), asked for from the finding itself, by the CLI
(``kansa findings retest``) or the web app (the finding's page), naming the person who asked as
the run's actor. Whether the retest passed is the run's verdict, never the asker's: a passing
complete run moves the finding to ``retest_passed`` (:mod:`kansa.findings.lifecycle`), a failing
one sends a finding awaiting retest back to remediation, and a run that saw no data proves
nothing. Parameter overrides (``name=value`` for the finding's control) are recorded in the
run's ledger entry like ``--param``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select

from kansa.appdb import ControlResult, Finding
from kansa.controls import Control
from kansa.findings.lifecycle import Change
from kansa.findings.recording import find
from kansa.findings.scope import configured_scopes
from kansa.findings.states import CLOSED
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError
from kansa.workspace import Workspace


@dataclass(frozen=True)
class Retest:
    """What a retest did: the run, the control's verdict in it, the finding after it."""

    run_id: str
    ledger_seq: int | None
    status: str
    exception_count: int | None
    finding: Finding
    changes: tuple[Change, ...]


def _control_of(desk: Desk, catalog: Mapping[str, Control], finding_id: int) -> Control:
    with desk.db.session() as s:
        f = find(s, desk.workspace, finding_id)
    if f.state == CLOSED:
        raise WorkflowError(
            tr(
                f"Finding {finding_id} is closed: there is nothing to retest.",
                f"指摘事項 {finding_id} はクローズ済みのため再テストできません。",
            )
        )
    control = catalog.get(f.control_id)
    if control is None:
        raise WorkflowError(
            tr(
                f"Control {f.control_id} of finding {finding_id} is not in the catalog.",
                f"指摘事項 {finding_id} の統制 {f.control_id} はカタログにありません。",
            )
        )
    return control


def retest(
    desk: Desk,
    ws: Workspace,
    catalog: Mapping[str, Control],
    finding_id: int,
    parameters: Mapping[str, str] | None = None,
) -> Retest:
    """Run the control of ``finding_id`` now, as ``desk.actor``, and record it with the
    findings it moves (one transaction)."""
    from kansa.engine import run_controls  # the engine needs DuckDB: loaded on use
    from kansa.findings.reconcile import store_run

    control = _control_of(desk, catalog, finding_id)
    scopes = configured_scopes(ws.config.raw, catalog)
    overrides = {control.id: dict(parameters)} if parameters else None
    run = run_controls(ws, [control], parameters=overrides, progress=False, record=False,
                       timeout=ws.config.run_timeout, actor=desk.actor)  # fmt: skip
    changes = store_run(desk.db, run, scopes=scopes, vault_dir=ws.vault_dir)
    with desk.db.session() as s:
        f = find(s, desk.workspace, finding_id)
        result = s.scalars(
            select(ControlResult).where(
                ControlResult.run_id == run.run_id, ControlResult.control_id == control.id
            )
        ).one_or_none()
        status = result.status if result else "error"
        count = result.exception_count if result else None
    return Retest(run.run_id, run.ledger_seq, status, count, f, tuple(changes))


def parse_overrides(lines: list[str]) -> dict[str, str]:
    """``name=value`` items (the CLI's ``--param``, the web form's lines) for the finding's
    control; blank lines are skipped. Unknown names are refused by the run itself."""
    out: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep or not name.strip():
            raise WorkflowError(
                tr(
                    f"Parameter {line.strip()!r}: expected name=value.",
                    f"パラメータ {line.strip()!r}: name=value の形式で指定してください。",
                ),
                hint="min_cold_share=0.97",
            )
        out[name.strip()] = value.strip()
    return out

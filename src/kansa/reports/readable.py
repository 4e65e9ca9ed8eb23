"""Turn gathered report data into what a committee reads: the overview at the top, the
executive summary, exception samples with labels, asset units, local times and staff names.

Called once by :func:`kansa.reports.data.gather`; every format reads the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kansa.controls import load_catalog
from kansa.reports.labels import LABELS
from kansa.reports.overview import (
    Overview,
    earliest_day,
    executive_summary,
    input_rows,
    run_inputs,
)
from kansa.reports.presentation import (
    Presentation,
    column_kinds,
    column_labels,
    staff_names,
    workspace_decimals,
    workspace_zone,
)
from kansa.vault import LedgerEntry, Vault
from kansa.workspace import Workspace

if TYPE_CHECKING:
    from kansa.reports.data import ReportData

_SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3}
WORST_SHOWN = 5


def _staff_file(vault: Vault, sha: str | None) -> Path | None:
    """The staff snapshot the run read (by its hash), else the newest one."""
    if sha:
        by_hash = vault.root / "snapshots" / "staff" / f"{sha}.parquet"
        if by_hash.is_file():
            return by_hash
    latest = vault.latest("staff")
    return latest.path if latest else None


def make_readable(
    data: ReportData, ws: Workspace, vault: Vault, entries: list[LedgerEntry], language: str
) -> None:
    """Fill ``data.overview``, ``data.presentation`` and each failing control's display rows."""
    t = LABELS[language]
    run = data.run
    payload = run.payload if run else {}
    inputs = run_inputs(run) if run else {}
    staff = _staff_file(vault, inputs.get("staff"))
    p = Presentation(
        language=language,
        zone=workspace_zone(ws, payload),
        decimals=workspace_decimals(ws),
        people=staff_names(staff),
    )
    data.presentation = p
    catalog = load_catalog([ws.resolve(x) for x in ws.config.control_paths])
    for c in data.controls:
        if not c.sample_rows or not c.exceptions_file:
            continue
        control = catalog.get(c.control_id)
        labels = column_labels(language, control.datasets if control else ())
        c.sample_labels = [labels.get(col, col) for col in c.sample_columns]
        kinds = column_kinds(vault.root / c.exceptions_file)
        c.sample_display = [p.row(c.sample_columns, kinds, r) for r in c.sample_rows]
    findings: dict[str, int] = {}
    for f in data.findings:
        findings[f.rating] = findings.get(f.rating, 0) + 1
    failing = sorted(
        (c for c in data.controls if c.status == "fail"),
        key=lambda c: (_SEVERITY_ORDER.get(c.severity, 9), -(c.exceptions or 0), c.control_id),
    )
    worst = [(c.control_id, c.title, c.exceptions) for c in failing[:WORST_SHOWN]]
    data.overview = Overview(
        company=data.workspace,
        zone=p.zone,
        as_of=str(payload["as_of"]) if payload.get("as_of") else None,
        period_start=payload.get("period_start") or (earliest_day(vault, inputs) if run else None),
        generated=p.time(data.generated_at),
        run_time=p.time(run.time) if run else "",
        controls=len(data.controls),
        areas=sorted({c.area for c in data.controls if c.area}),
        datasets=sorted(inputs),
        inputs=input_rows(entries, inputs, p),
        summary=executive_summary(data.counts, findings, worst, t),
    )
    o = data.overview
    o.scope = t["scope_text"].format(
        controls=o.controls,
        areas=", ".join(t["areas"].get(a, a) for a in o.areas) or "-",
        datasets=len(o.datasets),
    )

"""``kansa map check``: everything an ingest would find, without storing anything.

The same reading, mapping, conversion and contract checks as :func:`kansa.ingest.ingest_file`,
run in a temporary folder outside the workspace (so the workspace stays byte for byte as it
was), but collecting instead of stopping: row count, empty values per column, the range of each
dated or numeric column, the values no map covers (each with its count and first line), the
values that do not convert or break the contract, and what an ingest would then do.
"""

from __future__ import annotations

import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from kansa.contracts import Contract
from kansa.ingest import engine
from kansa.ingest.checks import typed_sql
from kansa.ingest.conversion import as_problems, materialize, unconverted
from kansa.ingest.engine import quote_ident
from kansa.ingest.mapping import Plan, plan_columns
from kansa.ingest.pipeline import (
    Request,
    _checked_timezone,
    _open_source,
    _probe,
    _readable_text,
    _resolve,
)
from kansa.ingest.problems import InvalidData, Problem
from kansa.ingest.progress import Reporter
from kansa.ingest.sources import Source
from kansa.ingest.validate import validate
from kansa.vault import Vault
from kansa.workspace import Workspace


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    type: str
    empty: int
    low: str | None
    high: str | None


@dataclass
class DryRun:
    """What ``kansa map check`` found."""

    dataset: str
    file: str
    rows: int | None = None
    columns: list[ColumnProfile] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_problems: int = 0
    current_rows: int | None = None
    current_snapshot: str | None = None

    @property
    def ok(self) -> bool:
        return self.total_problems == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dataset": self.dataset,
            "file": self.file,
            "rows": self.rows,
            "columns": [vars(c) for c in self.columns],
            "unmapped": self.unmapped,
            "problems": [p.to_json() for p in self.problems],
            "total_problems": self.total_problems,
            "current": {"rows": self.current_rows, "snapshot": self.current_snapshot},
        }


def check_file(
    workspace: Workspace,
    dataset: str | Contract,
    path: str | Path,
    *,
    encoding: str | None = None,
    fmt: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    member: str | None = None,
) -> DryRun:
    """Dry-run an ingest of ``path``; nothing under the workspace is created or changed."""
    req = _resolve(workspace, dataset, Path(path), encoding, fmt, delimiter, sheet, member)
    report = DryRun(req.contract.name, req.display_name)
    current = Vault(workspace.vault_dir).latest(req.contract.name)
    if current is not None:
        report.current_rows, report.current_snapshot = current.rows, current.sha256
    with tempfile.TemporaryDirectory(prefix="kansa-map-check-") as tmp, Reporter(False) as rep:
        con = engine.connect(workspace, Path(tmp))
        try:
            _check(con, req, Path(tmp), rep, report)
        except InvalidData as exc:  # the file or its columns: nothing further can be read
            report.problems += exc.problems
            report.total_problems += exc.total
        finally:
            con.close()
    return report


def _check(
    con: duckdb.DuckDBPyConnection, req: Request, tmp: Path, rep: Reporter, report: DryRun
) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        text, _, digest, sheet_rows = _readable_text(req, tmp, pool, rep)
        digest.result()  # also refuses a line over [ingest] max_line_bytes
        source = _open_source(con, req, text, rep, sheet_rows)
        tz = _checked_timezone(con, req.contract.name, req.timezone)
        plan = plan_columns(req.contract, req.mapping, source, req.decimals)
        source = plan.source or source
        _probe(con, plan.mapped_sql, req.contract.name)
        try:
            _profile(con, req.contract, plan, source, tz, report, rep)
        except duckdb.Error as exc:
            raise source.failure(exc) from None


def _profile(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    plan: Plan,
    source: Source,
    tz: str | None,
    report: DryRun,
    rep: Reporter,
) -> None:
    checked, mapped = plan.checked_sql, plan.mapped_sql
    if plan.conversions:  # convert once, as an ingest does
        checked, mapped = materialize(con, checked, contract, plan.conversions, rep)
    _columns(con, contract, mapped, tz, report, rep)
    total, found = unconverted(con, checked, plan.conversions, rep)
    lines = source.lines_for({u.rec for u in found if u.code == "unmapped"})
    report.unmapped = [
        {"column": u.column, "value": u.value, "rows": u.count, "first_line": lines.get(u.rec)}
        for u in found
        if u.code == "unmapped"
    ]
    report.total_problems += total
    report.problems += as_problems(found, plan.conversions, source, contract.name)
    if total:
        return  # the contract checks would only repeat the values that did not convert
    try:
        validate(con, contract, mapped, source, tz, rep)
    except InvalidData as exc:
        report.problems += exc.problems
        report.total_problems += exc.total


def _columns(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    mapped: str,
    tz: str | None,
    report: DryRun,
    rep: Reporter,
) -> None:
    """Rows, and per column: empty values and the range (min, max) of typed values."""
    ranged = ("integer", "amount", "signed_amount", "number", "date", "timestamp")
    parts = ["count(*)"]
    for col in contract.columns:
        v = quote_ident(col.name)
        parts.append(f"count(*) - count({v})")
        if col.type in ranged:
            typed = typed_sql(col, v, tz, safe=True)
            parts += [f"CAST(min({typed}) AS VARCHAR)", f"CAST(max({typed}) AS VARCHAR)"]
    row = engine.run(con, f"SELECT {', '.join(parts)} FROM ({mapped})", rep)[0]
    report.rows = int(row[0])
    i = 1
    for col in contract.columns:
        low = high = None
        empty = int(row[i])
        i += 1
        if col.type in ranged:
            low, high = row[i], row[i + 1]
            i += 2
        report.columns.append(ColumnProfile(col.name, col.type, empty, low, high))

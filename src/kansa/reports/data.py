"""Collect what a report shows: snapshots, ledger head, the latest run and its results.

Run results are read from the newest ``run`` entry of the ledger (its payload is the run
summary, its outputs the exception files), so a report needs nothing but the vault and shows
exactly what the evidence holds: every exception file of the run is re-hashed against that
entry first (:func:`kansa.vault.integrity.require_intact`), and an edited one stops the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reports.overview import Overview
from kansa.reports.presentation import Presentation
from kansa.reports.readable import make_readable
from kansa.spelling import did_you_mean
from kansa.vault import LedgerEntry, Snapshot, Vault
from kansa.vault.integrity import require_intact
from kansa.workspace import Workspace

SAMPLE_ROWS = 10


@dataclass
class ControlRow:
    control_id: str
    title: str
    area: str
    severity: str
    status: str
    population: int | None
    exceptions: int | None
    error: str | None
    version_hash: str = ""
    reason: str | None = None  # why a control is not tested or incomplete (missing data, days)
    coverage: dict[str, Any] | None = None  # the same, as data: shown in the report's language
    exceptions_file: str | None = None
    exceptions_sha256: str | None = None
    sample_columns: list[str] = field(default_factory=list)
    sample_rows: list[list[str]] = field(default_factory=list)
    # for readers (kansa.reports.readable): labels from the contracts, asset units, local times
    sample_labels: list[str] = field(default_factory=list)
    sample_display: list[list[str]] = field(default_factory=list)


@dataclass
class FindingRow:
    finding_id: int
    control_id: str
    title: str
    rating: str
    repeat: bool
    first_seen_at: str
    last_seen_at: str
    occurrences: int
    exceptions: int


@dataclass
class ReportData:
    workspace: str
    generated_at: str
    ledger_entries: int
    ledger_head: str | None
    snapshots: list[Snapshot]
    run: LedgerEntry | None
    controls: list[ControlRow]
    score: dict[str, Any] | None
    findings: list[FindingRow] = field(default_factory=list)
    overview: Overview | None = None  # company, 基準日, period, scope, summary, source files
    presentation: Presentation = field(default_factory=Presentation)

    @property
    def run_id(self) -> str | None:
        return str(self.run.payload.get("run_id")) if self.run else None

    @property
    def failing(self) -> list[ControlRow]:
        """Failing controls whose exception file is in the vault (what a reader follows up)."""
        return [c for c in self.controls if c.status == "fail" and c.exceptions_file]

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.controls:
            out[c.status] = out.get(c.status, 0) + 1
        return out


def _sample(path: Path) -> tuple[list[str], list[list[str]]]:
    """The first rows of an exception file, as text (read with DuckDB: files can be large)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")  # evidence times read as UTC, as everywhere
        lit = "'" + path.as_posix().replace("'", "''") + "'"
        rel = con.sql(f"select * from read_parquet({lit}) limit {SAMPLE_ROWS}")
        cols = list(rel.columns)
        rows = [["" if v is None else str(v) for v in r] for r in rel.fetchall()]
        return cols, rows
    finally:
        con.close()


def _titles(language: str) -> dict[str, str]:
    from kansa.controls import load_catalog

    return {cid: c.title.get(language) for cid, c in load_catalog().items()}


def _open_findings(ws: Workspace, titles: dict[str, str]) -> list[FindingRow]:
    """Open findings from the app database, worst rating first."""
    from kansa.appdb import Database
    from kansa.findings import RATINGS, list_findings

    with Database(ws.database_url) as db:
        found = list_findings(db, ws.config.name, status="open")
    rows = [
        FindingRow(
            finding_id=f.id,
            control_id=f.control_id,
            title=titles.get(f.control_id, f.control_id),
            rating=f.rating,
            repeat=f.repeat,
            first_seen_at=f.first_seen_at.isoformat(timespec="seconds"),
            last_seen_at=f.last_seen_at.isoformat(timespec="seconds"),
            occurrences=f.occurrences,
            exceptions=f.exception_count,
        )
        for f in found
    ]
    order = {r: i for i, r in enumerate(reversed(RATINGS))}
    return sorted(rows, key=lambda r: (order.get(r.rating, 99), r.control_id))


def _control_rows(vault: Vault, run: LedgerEntry, titles: dict[str, str]) -> list[ControlRow]:
    from kansa.controls import load_catalog

    catalog = load_catalog()
    rows = []
    for r in run.payload.get("results", []):
        cid = str(r.get("control_id"))
        row = ControlRow(
            control_id=cid,
            title=titles.get(cid, cid),
            area=str(r.get("area", catalog[cid].area if cid in catalog else "")),
            severity=str(r.get("severity", catalog[cid].severity if cid in catalog else "")),
            status=str(r.get("status")),
            population=r.get("population"),
            exceptions=r.get("exceptions"),
            error=r.get("error"),
            version_hash=str(r.get("version_hash", "")),
            reason=r.get("reason"),
            coverage=r.get("coverage"),
        )
        exc_file = r.get("exceptions_file")
        if exc_file:
            # the ledger entry's outputs carry the file's hash (the chain vouches for it); a
            # file that no longer has it is refused, never shown as the run's evidence
            row.exceptions_file = str(exc_file)
            row.exceptions_sha256 = run.outputs.get(str(exc_file))
            require_intact(vault.root, row.exceptions_file, row.exceptions_sha256, run.seq)
        if row.status == "fail" and row.exceptions_file:
            row.sample_columns, row.sample_rows = _sample(vault.root / row.exceptions_file)
        rows.append(row)
    return rows


def _score_of(score_file: Path, run: LedgerEntry | None) -> dict[str, Any] | None:
    """The demo score of ``run`` only: a score saved by another run must not sit beside it."""
    if run is None or not score_file.exists():
        return None
    score: dict[str, Any] = json.loads(score_file.read_text())
    return score if score.get("run_id") == run.payload.get("run_id") else None


def pick_run(runs: list[LedgerEntry], run_id: str | None) -> LedgerEntry | None:
    """The run entry named ``run_id`` (``kansa report --run``), else the newest run."""
    if run_id is None:
        return runs[-1] if runs else None
    for entry in runs:
        if str(entry.payload.get("run_id")) == run_id:
            return entry
    known = [str(e.payload.get("run_id")) for e in runs]
    raise KansaError(
        tr(f"No run {run_id} in the ledger.", f"台帳に実行 {run_id} はありません。"),
        hint=did_you_mean(run_id, known) or tr("List runs: `kansa runs`.", "一覧: `kansa runs`"),
    )


def gather(ws: Workspace, language: str = "en", run_id: str | None = None) -> ReportData:
    """Everything a report shows, in one place: every format renders this same data.

    ``run_id``: the run to report on (default: the newest in the ledger).
    """
    titles = _titles(language)
    vault = Vault(ws.vault_dir)
    entries = vault.ledger.entries()
    runs = [e for e in entries if e.kind == "run"]
    run = pick_run(runs, run_id)
    score_file = ws.root / "demo" / "last_score.json"
    data = ReportData(
        workspace=ws.config.name,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        ledger_entries=len(entries),
        ledger_head=entries[-1].hash if entries else None,
        snapshots=sorted(vault.latest_all().values(), key=lambda s: s.dataset),
        run=run,
        controls=_control_rows(vault, run, titles) if run else [],
        score=_score_of(score_file, run),
        findings=_open_findings(ws, titles),
    )
    make_readable(data, ws, vault, entries, language)
    return data

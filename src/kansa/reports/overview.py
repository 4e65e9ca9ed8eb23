"""The top of a report: who and what it covers (company, 基準日, period, scope), an executive
summary a committee reads first, and the source files each verdict stood on.

Everything here is derived from the run's ledger entry and the vault; nothing is re-judged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import duckdb

from kansa.reports.presentation import Presentation
from kansa.vault import LedgerEntry, Vault
from kansa.vault.parts import read_parts


@dataclass
class InputRow:
    """One dataset a run read: its snapshot, and the source file that snapshot came from."""

    dataset: str
    rows: int | None
    snapshot_sha256: str
    source_name: str
    source_sha256: str
    ingested: str  # in the workspace zone


@dataclass
class Overview:
    company: str
    zone: str
    as_of: str | None = None
    period_start: str | None = None
    generated: str = ""
    run_time: str = ""
    controls: int = 0
    areas: list[str] = field(default_factory=list)
    datasets: list[str] = field(default_factory=list)
    scope: str = ""  # the sentence shown, in the report's language
    inputs: list[InputRow] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)


def run_inputs(run: LedgerEntry) -> dict[str, str]:
    """dataset -> snapshot SHA-256 the run's controls read."""
    found: dict[str, str] = {}
    for r in run.payload.get("results", []):
        for dataset, sha in (r.get("snapshots") or {}).items():
            found.setdefault(str(dataset), str(sha))
    return found


def input_rows(
    entries: list[LedgerEntry], wanted: dict[str, str], p: Presentation
) -> list[InputRow]:
    """The ingest entries behind the snapshots ``wanted`` (dataset -> snapshot SHA-256)."""
    by_sha = {
        str(e.payload.get("sha256")): e
        for e in entries
        if e.kind == "ingest" and e.payload.get("sha256")
    }
    rows = []
    for dataset, sha in sorted(wanted.items()):
        e = by_sha.get(sha)
        payload: dict[str, Any] = e.payload if e else {}
        sources = _view_sources(entries, e) if e else [{}]
        names = ", ".join(str(s.get("name", "")) for s in sources if isinstance(s, dict))
        hashes = ", ".join(str(s.get("sha256", "")) for s in sources if isinstance(s, dict))
        rows.append(
            InputRow(
                dataset=dataset,
                rows=payload.get("rows"),
                snapshot_sha256=sha,
                source_name=names,
                source_sha256=hashes,
                ingested=p.time(e.time) if e else "",
            )
        )
    return rows


def _sources(payload: dict[str, Any]) -> list[Any]:
    files = payload.get("files")  # a batch: every file's own record
    if isinstance(files, list):
        return [f.get("source") or {} for f in files if isinstance(f, dict)]
    return list(payload.get("sources") or [payload.get("source") or {}])


def _view_sources(entries: list[LedgerEntry], e: LedgerEntry) -> list[Any]:
    """The source files behind a snapshot: for a dated dataset, every ingest that loaded a day
    still in the view (a month loaded day by day stands on thirty files)."""
    if e.payload.get("layout") != "daily":
        return _sources(e.payload)
    owner: dict[str, LedgerEntry] = {}
    for earlier in entries[: e.seq + 1]:
        if earlier.kind != "ingest" or earlier.payload.get("dataset") != e.payload["dataset"]:
            continue
        replaced = [r.get("day") for r in earlier.payload.get("days_replaced", [])]
        for day in [*earlier.payload.get("days_added", []), *replaced]:
            owner[str(day)] = earlier
    out: list[Any] = []
    for entry in sorted({x.seq: x for x in owner.values()}.values(), key=lambda x: x.seq):
        out += _sources(entry.payload)
    return out


def earliest_day(vault: Vault, inputs: dict[str, str]) -> str | None:
    """The first business day in the run's dated inputs (their ``as_of`` column), for runs
    recorded before the engine wrote ``period_start`` itself."""
    days = []
    con = duckdb.connect()
    try:
        for dataset, sha in inputs.items():
            manifest = vault.root / "snapshots" / dataset / "manifests" / f"{sha}.json"
            if manifest.is_file():  # a dated dataset: its first loaded day
                days += [p.day for p in read_parts(manifest)[:1]]
                continue
            path = vault.root / "snapshots" / dataset / f"{sha}.parquet"
            if not path.is_file():
                continue
            lit = "'" + path.as_posix().replace("'", "''") + "'"
            names = [
                r[0] for r in con.execute(f"DESCRIBE SELECT * FROM read_parquet({lit})").fetchall()
            ]
            if "as_of" in names:
                (day,) = con.execute(f"SELECT min(as_of) FROM read_parquet({lit})").fetchone() or (
                    None,
                )
                if isinstance(day, dt.date):
                    days.append(day)
    finally:
        con.close()
    return min(days).isoformat() if days else None


def executive_summary(
    counts: dict[str, int],
    findings_by_rating: dict[str, int],
    worst: list[tuple[str, str, int | None]],
    t: dict[str, Any],
) -> list[str]:
    """Three to five sentences: the verdict, what could not be concluded, the findings, the
    worst items. Statuses other than pass and fail (errors, not tested, incomplete) are never
    folded into the passes."""
    total = sum(counts.values())
    if total == 0:
        return [t["sum_norun"]]
    passed, failed = counts.get("pass", 0), counts.get("fail", 0)
    other = total - passed - failed
    lines = [
        t["sum_all_pass"].format(n=total)
        if passed == total
        else t["sum_verdict"].format(total=total, passed=passed, failed=failed)
    ]
    if other:
        detail = ", ".join(
            f"{t['statuses'].get(s, s)} {n}"
            for s, n in sorted(counts.items())
            if s not in ("pass", "fail")
        )
        lines.append(t["sum_other"].format(n=other, detail=detail))
    if findings_by_rating:
        order = ("material_weakness", "significant_deficiency", "deficiency")
        parts = [
            f"{t['ratings'].get(r, r)} {findings_by_rating[r]}"
            for r in order
            if findings_by_rating.get(r)
        ]
        lines.append(t["sum_findings"].format(detail=", ".join(parts)))
    else:
        lines.append(t["sum_nofindings"])
    if worst:
        items = "; ".join(
            f"{cid} {title} ({n if n is not None else '-'})" for cid, title, n in worst
        )
        lines.append(t["sum_worst"].format(items=items))
    return lines

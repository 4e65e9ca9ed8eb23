"""Two recorded runs of one workspace compared, control by control and row by row.

Why: moving Kansa to another engine (Spark), replaying a run or upgrading must be shown to
give the same answers on the user's own data, not only on the test suite's. For every
control in either run, ``kansa compare`` checks the status, the population count, the
exception count and, when both runs wrote an exception file, the rows value by value
(:mod:`kansa.engine.compare_rows`). A control in one run only is a difference.

The runs are read from the app database (as ``kansa runs`` and ``kansa results`` do), and
every exception file is checked against the hash its run's ledger entry vouches for before
it is read (as ``kansa results --export`` does): a file that fails the check is reported as
altered evidence, and its rows are never compared. Nothing is written anywhere.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from kansa.appdb import ControlResult, Database, Run
from kansa.engine import exceptions as exc_rows
from kansa.engine.compare_rows import compare_files
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.spelling import did_you_mean
from kansa.vault import Vault
from kansa.vault.integrity import EvidenceAltered
from kansa.vault.ledger import LedgerEntry
from kansa.workspace import Workspace

FIRST_DIFFERENCES = 5  # row differences listed per control: enough to see the pattern


@dataclass(frozen=True)
class Difference:
    """One thing that differs: ``what`` is missing, status, population, exceptions, rows or
    evidence (a file that does not match its ledger entry)."""

    what: str
    detail: str


@dataclass(frozen=True)
class ControlComparison:
    control_id: str
    differences: list[Difference]
    same_verdict: bool
    same_exceptions: bool
    rows_compared: int
    # an exception file in either run (a not-tested or errored control has none to compare)
    has_exception_set: bool = False


@dataclass(frozen=True)
class RunComparison:
    """The whole comparison; ``equal`` is what ``kansa compare`` exits on."""

    run_a: dict[str, Any]
    run_b: dict[str, Any]
    controls: list[ControlComparison] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return all(not c.differences for c in self.controls)

    @property
    def differing(self) -> list[ControlComparison]:
        return [c for c in self.controls if c.differences]

    def counts(self) -> dict[str, int]:
        return {
            "controls": len(self.controls),
            "same_verdicts": sum(c.same_verdict for c in self.controls),
            "exception_sets": sum(c.has_exception_set for c in self.controls),
            "same_exception_sets": sum(
                c.same_exceptions and c.has_exception_set for c in self.controls
            ),
            "rows_compared": sum(c.rows_compared for c in self.controls),
            "differing": len(self.differing),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_a": self.run_a,
            "run_b": self.run_b,
            "equal": self.equal,
            "summary": self.counts(),
            "controls": [asdict(c) for c in self.controls],
        }


def _load_run(db: Database, ws: Workspace, run_id: str) -> Run:
    with db.session() as s:
        query = select(Run).where(Run.workspace == ws.config.name, Run.id == run_id)
        found = s.scalars(query.options(selectinload(Run.results))).one_or_none()
        if found is not None:
            return found
        known = s.scalars(select(Run.id).where(Run.workspace == ws.config.name)).all()
    raise KansaError(
        tr(
            f"No run {run_id} in workspace {ws.config.name}.",
            f"ワークスペース {ws.config.name} に実行 {run_id} はありません。",
        ),
        hint=did_you_mean(run_id, known)
        or tr("List runs with `kansa runs`.", "`kansa runs` で一覧できます。"),
    )


def _facts(run: Run) -> dict[str, Any]:
    return {"id": run.id, "engine": run.engine, "as_of": run.as_of.isoformat(),
            "ledger_seq": run.ledger_seq}  # fmt: skip


def _selected(results: list[ControlResult], globs: list[str]) -> dict[str, ControlResult]:
    return {
        r.control_id: r
        for r in results
        if not globs or any(fnmatch.fnmatchcase(r.control_id, g) for g in globs)
    }


class _Evidence:
    """The two runs' ledger entries, read once, to check each exception file before reading."""

    def __init__(self, ws: Workspace, runs: tuple[Run, Run]) -> None:
        self.root = ws.vault_dir
        seqs = {r.ledger_seq for r in runs}
        self.entries: dict[int | None, LedgerEntry] = {
            e.seq: e for e in Vault(ws.vault_dir).ledger.read() if e.seq in seqs
        }

    def check(self, r: ControlResult, run: Run, side: str) -> Difference | None:
        """None when the file is the one the ledger vouches for, else what is wrong."""
        if not r.exceptions_file:
            return None
        entry = self.entries.get(run.ledger_seq)
        try:
            exc_rows.require_vouched(
                self.root, r.exceptions_file, r.exceptions_sha256, entry, run.ledger_seq
            )
        except EvidenceAltered as exc:
            return Difference("evidence", f"{side}: {exc.message}")
        return None


def _verdict(a: ControlResult, b: ControlResult) -> list[Difference]:
    out = []
    for what, x, y in (
        ("status", a.status, b.status),
        ("population", a.population_count, b.population_count),
        ("exceptions", a.exception_count, b.exception_count),
    ):
        if x != y:
            out.append(Difference(what, f"{_shown(x)} != {_shown(y)}"))
    return out


def _shown(value: Any) -> str:
    return "NULL" if value is None else str(value)


def _compare_control(
    ev: _Evidence, runs: tuple[Run, Run], a: ControlResult, b: ControlResult
) -> ControlComparison:
    verdict = _verdict(a, b)
    altered = [d for d in (ev.check(a, runs[0], "A"), ev.check(b, runs[1], "B")) if d]
    diffs = verdict + altered
    rows = 0
    if altered:
        same_rows = False
    elif a.exceptions_file and b.exceptions_file:
        found = compare_files(
            ev.root / a.exceptions_file, ev.root / b.exceptions_file, limit=FIRST_DIFFERENCES
        )
        rows, same_rows = found.rows, not found.differences
        diffs += [Difference("rows", d) for d in found.differences]
    elif a.exceptions_file or b.exceptions_file:
        side = "A" if a.exceptions_file else "B"
        same_rows = False
        diffs.append(
            Difference(
                "rows",
                tr(f"exception file only in run {side}", f"例外ファイルは実行 {side} のみ"),
            )
        )
    else:
        same_rows = a.exception_count == b.exception_count
    has_set = bool(a.exceptions_file or b.exceptions_file)
    return ControlComparison(a.control_id, diffs, not verdict, same_rows, rows, has_set)


def _only_in(cid: str, side: str) -> ControlComparison:
    detail = tr(f"run {side} only", f"実行 {side} のみ")
    return ControlComparison(cid, [Difference("missing", detail)], False, False, 0)


def compare_runs(
    ws: Workspace,
    run_a: str,
    run_b: str,
    *,
    controls: str | None = None,
    on_control: Callable[[str, int], None] | None = None,
) -> RunComparison:
    """Compare runs ``run_a`` and ``run_b`` of ``ws``; ``controls`` is a comma-separated list
    of id globs (case-insensitive); ``on_control`` is told each control once it is compared,
    with how many there are (for a progress bar)."""
    with Database(ws.database_url) as db:
        runs = (_load_run(db, ws, run_a), _load_run(db, ws, run_b))
    globs = [p.strip().upper() for p in (controls or "").split(",") if p.strip()]
    a, b = (_selected(r.results, globs) for r in runs)
    if globs and not a and not b:
        raise KansaError(
            tr(
                f"No control of either run matches {controls!r}.",
                f"{controls!r} に一致するコントロールはどちらの実行にもありません。",
            )
        )
    ev = _Evidence(ws, runs)
    out = RunComparison(_facts(runs[0]), _facts(runs[1]))
    ids = sorted(a.keys() | b.keys())
    for cid in ids:
        if cid not in b:
            out.controls.append(_only_in(cid, "A"))
        elif cid not in a:
            out.controls.append(_only_in(cid, "B"))
        else:
            out.controls.append(_compare_control(ev, runs, a[cid], b[cid]))
        if on_control:
            on_control(cid, len(ids))
    return out

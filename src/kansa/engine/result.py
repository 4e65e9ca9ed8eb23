"""What a run produced, as plain values (the engine's answer; the app database keeps a copy)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

PASS, FAIL, ERROR = "pass", "fail", "error"
# An input dataset was never loaded: the control was not run (未実施), not an error.
NOT_TESTED = "not_tested"
# An input dataset misses days of the tested period: the control ran, but its verdict stands
# on part of the data, so it is never a pass (and never opens or closes a finding).
INCOMPLETE = "incomplete"
STATUSES = (PASS, FAIL, ERROR, NOT_TESTED, INCOMPLETE)


@dataclass(frozen=True)
class ControlOutcome:
    """One control in one run.

    ``status`` is ``pass`` only when the control ran to the end on every day of the tested
    period and returned no row; a control that could not run is ``error``; one whose input
    was never loaded is ``not_tested`` and one whose inputs miss days is ``incomplete`` (the
    ``reason`` says which, ``coverage`` lists the missing days). None of them is a pass. ``exceptions_file`` is vault-relative once
    the run is committed; ``staged`` is where the engine wrote it before that.
    """

    control_id: str
    version: int
    version_hash: str
    severity: str
    area: str
    owner: str
    key: tuple[str, ...]
    parameters: dict[str, Any]
    snapshots: dict[str, str]
    engine: str
    status: str
    population_count: int | None
    exception_count: int | None
    duration_s: float
    error: str | None = None
    exceptions_file: str | None = None
    exceptions_sha256: str | None = None
    reason: str | None = None
    coverage: dict[str, Any] | None = None
    staged: Path | None = field(default=None, compare=False, repr=False)

    def committed(self, rel: str, sha256: str) -> ControlOutcome:
        return replace(self, exceptions_file=rel, exceptions_sha256=sha256, staged=None)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``kansa run --json`` and the ledger's run payload)."""
        d = asdict(self)
        d.pop("staged")
        d["key"] = list(self.key)
        d["population"] = d.pop("population_count")
        d["exceptions"] = d.pop("exception_count")
        return d


@dataclass(frozen=True)
class RunResult:
    """A whole run: its id, the as-of date, every control's outcome, and its ledger entry."""

    run_id: str
    workspace: str
    as_of: dt.date
    started_at: dt.datetime
    finished_at: dt.datetime
    engine: str
    actor: str
    overrides: dict[str, dict[str, Any]]
    outcomes: tuple[ControlOutcome, ...]
    ledger_seq: int | None = None
    ledger_hash: str | None = None
    timezone: str = "UTC"
    period_start: dt.date | None = None
    warnings: tuple[dict[str, Any], ...] = ()
    replay_of: str | None = None
    # the shared root (``[spark] snapshot_root``) where a Spark run also leaves its exception
    # sets, at their vault paths, for executors and for ``kansa verify``; None: the vault only
    exceptions_root: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def passed(self) -> int:
        return self.count(PASS)

    @property
    def failed(self) -> int:
        return self.count(FAIL)

    @property
    def errored(self) -> int:
        return self.count(ERROR)

    @property
    def not_tested(self) -> int:
        return self.count(NOT_TESTED)

    @property
    def incomplete(self) -> int:
        return self.count(INCOMPLETE)

    @property
    def complete(self) -> bool:
        """Every control ran on all the data of its period (no error, nothing missing)."""
        return not (self.errored or self.not_tested or self.incomplete)

    def outcome(self, control_id: str) -> ControlOutcome:
        for o in self.outcomes:
            if o.control_id == control_id:
                return o
        raise KeyError(control_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "workspace": self.workspace,
            "as_of": self.as_of.isoformat(),
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "engine": self.engine,
            "actor": self.actor,
            "overrides": self.overrides,
            "business_day_zone": self.timezone,
            "period_start": self.period_start.isoformat() if self.period_start else None,
            "summary": {
                "pass": self.passed,
                "fail": self.failed,
                "error": self.errored,
                "not_tested": self.not_tested,
                "incomplete": self.incomplete,
            },
            "complete": self.complete,
            "warnings": list(self.warnings),
            "replay_of": self.replay_of,
            **({"exceptions_root": self.exceptions_root} if self.exceptions_root else {}),
            "ledger": {"seq": self.ledger_seq, "hash": self.ledger_hash},
            "results": [o.to_dict() for o in self.outcomes],
        }

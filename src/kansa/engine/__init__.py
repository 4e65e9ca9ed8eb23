"""The engine: run controls read-only on the vault's snapshots with DuckDB or Apache Spark
(:mod:`kansa.engine.engines`; Spark in :mod:`kansa.engine.spark`, imported only for a Spark run).

Public surface: :func:`run_controls` (a whole run: sandbox, parallel execution, one vault
ledger entry, a summary in the app database), :class:`RunResult`, :class:`ControlOutcome`,
:func:`select_controls`, :func:`check_query` (the SQL guard), :func:`transpile` (other
dialects), :data:`ENGINE_NAME`, and the status names :data:`PASS`, :data:`FAIL`, :data:`ERROR`,
:data:`NOT_TESTED`, :data:`INCOMPLETE`.
"""

from kansa.engine.dialects import transpile
from kansa.engine.evidence import exceptions_path
from kansa.engine.guard import UnsafeQuery, check_query
from kansa.engine.parameters import ParameterError, parse_assignments
from kansa.engine.result import (
    ERROR,
    FAIL,
    INCOMPLETE,
    NOT_TESTED,
    PASS,
    STATUSES,
    ControlOutcome,
    RunResult,
)
from kansa.engine.runner import DEFAULT_WORKERS, run_controls
from kansa.engine.sandbox import ENGINE_NAME
from kansa.engine.selection import select_controls

__all__ = [
    "DEFAULT_WORKERS",
    "ENGINE_NAME",
    "ERROR",
    "FAIL",
    "INCOMPLETE",
    "NOT_TESTED",
    "PASS",
    "STATUSES",
    "ControlOutcome",
    "ParameterError",
    "RunResult",
    "UnsafeQuery",
    "check_query",
    "exceptions_path",
    "parse_assignments",
    "run_controls",
    "select_controls",
    "transpile",
]

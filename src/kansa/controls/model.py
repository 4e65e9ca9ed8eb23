"""A control, as typed objects.

A control lives in two files side by side, dbt-style::

    catalog/custody/CUS-001.yaml   metadata: id, titles, objective, rule, parameters, frameworks
    catalog/custody/CUS-001.sql    "-- name: population" query and "-- name: test" query

The test query returns the failing rows (each carrying the control's ``key`` columns and the
figures behind the verdict); the population query returns what was tested (the engine counts
it). A control whose logic cannot be SQL (e.g. deriving addresses from a descriptor) names a
Python function instead: ``logic: "package.module:function"`` with the signature
``(con, params, as_of) -> (population_count, failing_rows_arrow_table)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.contracts.model import Text
from kansa.errors import KansaError

AREAS = (
    "custody", "keys", "withdrawals", "customers", "fiat", "access", "people", "operations", "audit",
)  # fmt: skip
SEVERITIES = ("critical", "high", "medium", "low")
FRAMEWORKS = ("jp", "ccss", "iso27001_2022", "nist_csf_2")
PARAMETER_TYPES = ("number", "integer", "string", "boolean")


class ControlError(KansaError):
    """A control or shared view that cannot be loaded as written."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: Any
    description: Text


@dataclass(frozen=True)
class Control:
    id: str
    version: int
    title: Text
    objective: Text
    rule: Text
    area: str
    severity: str
    frequency: str
    owner: str
    datasets: tuple[str, ...]
    key: tuple[str, ...]
    parameters: dict[str, Parameter]
    frameworks: dict[str, tuple[str, ...]]
    population_sql: str | None
    test_sql: str | None
    logic: str | None
    source: Path
    digest: str
    builtin: bool = True
    tags: tuple[str, ...] = field(default_factory=tuple)
    views: tuple[str, ...] = field(default_factory=tuple)
    # Python-logic controls only: dataset -> the query whose rows a Spark driver reads in place
    # of the whole dataset (``-- name: driver_<dataset>`` blocks; docs/spark.md)
    driver_reads: dict[str, str] = field(default_factory=dict)

    @property
    def version_hash(self) -> str:
        """SHA-256 over the YAML, the SQL and every shared view it reads: changes with any."""
        return self.digest

    def resolved_parameters(self, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """Defaults, then the workspace's overrides (unknown names are an error upstream)."""
        values = {name: p.default for name, p in self.parameters.items()}
        values.update(overrides or {})
        return values

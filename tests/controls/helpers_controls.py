"""Compact fixtures for control tests: tables from dicts, one call to run a control."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kansa.controls import load_catalog
from kansa.controls.direct import DirectResult, run_control
from kansa.controls.fixtures import contract_database, insert_rows
from kansa.controls.scoring import exception_keys

CATALOG = load_catalog()
AS_OF = dt.date(2026, 11, 20)


class Fixture:
    """An in-memory database shaped like the contracts (session zone Asia/Tokyo)."""

    def __init__(self, **tables: list[dict[str, Any]]) -> None:
        self.con = contract_database()
        for name, rows in tables.items():
            self.add(name, rows)

    def add(self, dataset: str, rows: list[dict[str, Any]]) -> Fixture:
        insert_rows(self.con, dataset, rows)
        return self

    def run(self, control_id: str, as_of: dt.date = AS_OF, **params: Any) -> DirectResult:
        return run_control(self.con, CATALOG[control_id], as_of, params)

    def keys(self, control_id: str, as_of: dt.date = AS_OF, **params: Any) -> set[tuple[str, ...]]:
        """The failing records' keys (as strings, in the control's key order)."""
        control = CATALOG[control_id]
        result = self.run(control_id, as_of, **params)
        return {
            tuple(k[c] for c in control.key) for k in exception_keys(result.exceptions, control.key)
        }

    def population(self, control_id: str, as_of: dt.date = AS_OF, **params: Any) -> int:
        return self.run(control_id, as_of, **params).population

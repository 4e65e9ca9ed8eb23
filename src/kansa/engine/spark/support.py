"""Which controls can run on Spark, and for the others why not (``kansa controls lint
--engine spark``). A control named here is never run on Spark, and never silently skipped: the
run records it as an error carrying this reason.

A control cannot run on Spark when SQLGlot cannot express its SQL (or a shared view it reads)
in Spark SQL without changing its meaning (:func:`kansa.engine.dialects.transpile` raises
rather than guess), or when it is listed in :data:`KNOWN_DIFFERENCES`: a control whose Spark
translation was measured to give other rows than DuckDB in the parity test
(tests/engine/test_engine_spark_parity.py), with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlglot.errors import SqlglotError

from kansa.controls import Control, render_sql
from kansa.controls.views import SharedView, closure, rendered
from kansa.engine.dialects import transpile

# control id -> why its Spark translation does not mean what the DuckDB SQL means
KNOWN_DIFFERENCES: dict[str, str] = {}

_SAMPLE_DAY = dt.date(2026, 1, 31)


def _first_untranslatable(sqls: Mapping[str, str]) -> str | None:
    for where, sql in sqls.items():
        try:
            transpile(sql, "spark")
        except (SqlglotError, ValueError) as exc:
            return f"{where} cannot be written in Spark SQL: {str(exc).splitlines()[0]}"
    return None


def spark_reason(control: Control, views: Mapping[str, SharedView]) -> str | None:
    """Why ``control`` cannot run on Spark, or ``None`` when it can.

    Python-logic controls can: they read their inputs on the driver
    (:mod:`kansa.engine.spark.driver`), through their driver blocks where they have them."""
    if control.id in KNOWN_DIFFERENCES:
        return KNOWN_DIFFERENCES[control.id]
    values = {**control.resolved_parameters(), "as_of": _SAMPLE_DAY, "tz": "UTC"}
    if control.logic:
        return _first_untranslatable(
            {f"driver block {d}": render_sql(q, values) for d, q in control.driver_reads.items()}
        )
    sqls = {
        f"shared view {v}": rendered(views[v], _SAMPLE_DAY, "UTC")
        for v in closure(control.views, views)
    }
    for label, sql in (
        ("population query", control.population_sql),
        ("test query", control.test_sql),
    ):
        if sql:
            sqls[label] = render_sql(sql, values)
    return _first_untranslatable(sqls)


def not_runnable(
    controls: Mapping[str, Control], views: Mapping[str, SharedView]
) -> dict[str, str]:
    """Every control of ``controls`` that cannot run on Spark, with the reason."""
    out = {}
    for cid, control in sorted(controls.items()):
        reason = spark_reason(control, views)
        if reason is not None:
            out[cid] = reason
    return out

"""DuckDB idioms rewritten for Spark 3.5 where SQLGlot's Spark output needs Spark 4 or means
something else (https://spark.apache.org/docs/3.5.3/api/sql/).

* ``string_agg(v, sep [ORDER BY ...]) [FILTER (WHERE c)]`` (SQLGlot: ``GroupConcat``; Spark 3.5
  has no ``LISTAGG``) becomes ``array_join`` over ``collect_set`` / ``collect_list``, sorted with
  ``array_sort`` (by ``v`` itself, or by another key through ``struct(k, v)`` pairs), the filter
  kept on each aggregate. As in DuckDB, NULL values are left out and a group with no value gives
  NULL (not ""). A descending order, several keys, or DISTINCT ordered by another expression
  raise ``UnsupportedError``: a control never runs on a translation that could mean otherwise.
* ``to_days(n)``, ``to_hours(n)``, ``to_minutes(n)``, ``to_seconds(n)`` (DuckDB intervals)
  become ``make_dt_interval``.
* ``error(msg)`` (a control's own refusal, e.g. "customer_logins holds no rows") becomes Spark's
  ``raise_error(msg)``: same effect, the query fails with that message.
* ``a - b`` of two DATEs is a number of days in DuckDB but an INTERVAL in Spark: with the
  tables' column types (``schema``, from the Spark session) SQLGlot infers the operands' types,
  and such a subtraction becomes ``datediff(a, b)``.
* ``date_diff(unit, a, b)`` counts the unit's boundaries crossed in DuckDB (a login at 20:00 and
  one at 03:00 the next morning are 1 day apart) but whole units elapsed in Spark's
  ``datediff(unit, a, b)`` / ``timestampdiff`` (0 days), which is what SQLGlot writes: CSR-002's
  ``dormant_days`` came out one day short on Spark at 1M x 365. It becomes
  ``timestampdiff(unit, date_trunc(unit, a), date_trunc(unit, b))``: whole units between the
  two boundaries, the boundaries crossed (checked against DuckDB for every unit below, on
  DuckDB and on Spark, in tests/engine). A week is refused: DuckDB's week difference is not
  that identity (284 of 1,500 random pairs differ).
* ``epoch(ts)`` is seconds with the microseconds as a fraction in DuckDB; SQLGlot's Spark
  ``unix_timestamp`` drops the fraction, so a cooling-off of exactly 24 hours less 0.5 s would
  pass on one engine and fail on the other (WDR-006). It becomes
  ``cast(unix_micros(cast(ts as timestamp)) as double) / 1000000``, DuckDB's own arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

Schema = Mapping[str, Mapping[str, str]]

_INTERVALS = {
    "to_days": "make_dt_interval({}, 0, 0, 0)",
    "to_hours": "make_dt_interval(0, {}, 0, 0)",
    "to_minutes": "make_dt_interval(0, 0, {}, 0)",
    "to_seconds": "make_dt_interval(0, 0, 0, {})",
}


def _parts(node: exp.GroupConcat) -> tuple[exp.Expr, bool, list[exp.Ordered]]:
    inner = node.this
    orders: list[exp.Ordered] = []
    if isinstance(inner, exp.Order):
        orders = list(inner.expressions)
        inner = inner.this
    distinct = isinstance(inner, exp.Distinct)
    if distinct:
        (inner,) = inner.expressions
    return inner, distinct, orders


def _string_agg(node: exp.GroupConcat, where: exp.Expr | None) -> exp.Expr:
    value, distinct, orders = _parts(node)
    sep = (node.args.get("separator") or exp.Literal.string(",")).sql("spark")
    v = value.sql("spark")
    keep = f" FILTER (WHERE {where.sql('spark')})" if where is not None else ""
    if len(orders) > 1 or any(o.args.get("desc") for o in orders):
        raise UnsupportedError("string_agg ordered by several keys or descending (Spark 3.5)")
    key = orders[0].this if orders else None
    same = key is not None and key == value
    if distinct and key is not None and not same:
        raise UnsupportedError("string_agg(DISTINCT v ORDER BY another expression) on Spark 3.5")
    collect = f"collect_{'set' if distinct else 'list'}"
    if key is None:
        joined = f"array_join({collect}({v}){keep}, {sep})"
    elif same:
        joined = f"array_join(array_sort({collect}({v}){keep}), {sep})"
    else:
        pairs = f"array_sort(collect_list(struct({key.sql('spark')} AS k, {v} AS v)){keep})"
        joined = f"array_join(transform({pairs}, kansa_pair -> kansa_pair.v), {sep})"
    text = f"CASE WHEN count({v}){keep} = 0 THEN NULL ELSE {joined} END"
    return sqlglot.parse_one(text, read="spark")


def _interval(node: exp.Anonymous) -> exp.Expr:
    (arg,) = node.expressions
    text = _INTERVALS[str(node.name).lower()].format(arg.sql("spark"))
    return sqlglot.parse_one(text, read="spark")


# units where DuckDB's date_diff(u, a, b) == whole u between date_trunc(u, a) and date_trunc(u, b)
_BOUNDARY_UNITS = frozenset({"YEAR", "QUARTER", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})


def _boundaries(node: exp.DateDiff, start: exp.Expr, end: exp.Expr) -> exp.Expr:
    """DuckDB's ``date_diff(unit, start, end)`` (boundaries crossed) in Spark 3.5."""
    unit = str(node.args["unit"].name).upper()
    if unit not in _BOUNDARY_UNITS:
        raise UnsupportedError(f"date_diff('{unit.lower()}', ...) has no exact Spark 3.5 form")
    a, b = start.sql("spark"), end.sql("spark")
    text = f"timestampdiff({unit}, date_trunc('{unit}', {a}), date_trunc('{unit}', {b}))"
    return sqlglot.parse_one(text, read="spark")


def _date_subtractions(tree: exp.Expr, schema: Schema) -> set[int]:
    """Marks of the ``a - b`` nodes whose operands are both DATE (types inferred by SQLGlot)."""
    for n, node in enumerate(tree.find_all(exp.Sub)):
        node.meta["kansa_sub"] = n
    try:
        typed = qualify(
            tree.copy(),
            schema={k: dict(v) for k, v in schema.items()},
            dialect="duckdb",
            validate_qualify_columns=False,
            identify=False,
        )
        typed = annotate_types(typed, schema={k: dict(v) for k, v in schema.items()})
    except (SqlglotError, KeyError, ValueError):
        return set()  # untyped: left as it is (Spark's analyzer then refuses date - date)
    date = exp.DataType.Type.DATE
    return {
        s.meta["kansa_sub"]
        for s in typed.find_all(exp.Sub)
        if "kansa_sub" in s.meta and s.left.is_type(date) and s.right.is_type(date)
    }


def for_spark_35(tree: exp.Expr, schema: Schema | None = None) -> exp.Expr:
    """``tree`` (parsed as DuckDB) with the rewrites above applied."""
    days = _date_subtractions(tree, schema) if schema else set()

    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Filter) and isinstance(node.this, exp.GroupConcat):
            return _string_agg(node.this, node.expression.this)
        if isinstance(node, exp.GroupConcat):
            return _string_agg(node, None)
        if isinstance(node, exp.Anonymous) and str(node.name).lower() in _INTERVALS:
            return _interval(node)
        if isinstance(node, exp.ToDays):  # SQLGlot parses to_days (only) into its own node
            return sqlglot.parse_one(_INTERVALS["to_days"].format(node.this.sql("spark")), "spark")
        if isinstance(node, exp.Anonymous) and str(node.name).lower() == "error":
            return exp.Anonymous(this="raise_error", expressions=node.expressions)
        if isinstance(node, exp.Sub) and node.meta.get("kansa_sub") in days:
            return exp.DateDiff(this=node.left, expression=node.right)
        if isinstance(node, exp.TimeToUnix):
            value = node.this.transform(rewrite).sql("spark")
            text = f"cast(unix_micros(cast({value} as timestamp)) as double) / 1000000"
            return sqlglot.parse_one(text, read="spark")
        if isinstance(node, exp.DateDiff) and node.args.get("unit") is not None:
            start, end = (node.expression.transform(rewrite), node.this.transform(rewrite))
            return _boundaries(node, start, end)
        return node

    return tree.transform(rewrite)

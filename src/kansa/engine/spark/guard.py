"""The Spark side of the SQL guard: what reaches ``spark.sql`` is one plain query, read-only.

A control's SQL is first checked by :func:`kansa.engine.guard.check_query` in the dialect it is
written in (DuckDB), exactly as on DuckDB; then SQLGlot rewrites it for Spark. The rewritten
text is checked again before Spark runs it, because Spark has statements and functions of its
own that DuckDB's grammar does not know:

1. SQLGlot (Spark dialect) must read one query, with no statement that writes, loads or changes
   the session (``SET``, ``ADD JAR``, ``CREATE``, ``INSERT``, ``CACHE``, ``REFRESH``...), no
   qualified table (``parquet.`/path```, ``global_temp.x``, ``default.t``) and no function that
   reaches the JVM, the files or the catalog (``reflect``, ``java_method``,
   ``input_file_name``, ``current_database``...).
2. Spark's own parser must read it as a plan that is not a ``Command`` (Spark's class of every
   statement that is not a query), so were SQLGlot and Spark to read the text differently, no
   command could ride along. Spark's parser reads exactly one statement.

The session itself is the third line: its catalog holds only this run's temporary views, and
``spark.sql.runSQLOnFiles`` is off (:mod:`kansa.engine.spark.session`).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from kansa.engine.guard import DENIED_NODES, UnsafeQuery, parse_one_query

# Spark functions that call into the JVM, read files or reveal the catalog and session.
SPARK_DENIED_FUNCTIONS = frozenset(
    {
        "reflect", "java_method", "try_reflect", "input_file_name", "input_file_block_start",
        "input_file_block_length", "current_catalog", "current_database", "current_schema",
        "current_user", "user", "session_user", "read_files", "from_avro", "to_avro",
        "from_protobuf", "to_protobuf", "version",
    }
)  # fmt: skip

# Table-valued functions that only generate rows.
SPARK_SAFE_TABLE_FUNCTIONS = frozenset(
    {"range", "explode", "explode_outer", "posexplode", "inline", "stack", "sequence"}
)

_COMMAND_CLASS = "org.apache.spark.sql.catalyst.plans.logical.Command"


def _name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return ""


def check_sqlglot(sql: str) -> exp.Expr:
    """Step 1: one query, nothing denied, no qualified table (Spark dialect)."""
    tree = parse_one_query(sql, "spark", "Spark SQL")
    for node in tree.walk():
        if isinstance(node, DENIED_NODES):
            raise UnsafeQuery(f"{node.key.upper()} is not allowed in a control")
        if _name(node) in SPARK_DENIED_FUNCTIONS:
            raise UnsafeQuery(f"function {_name(node)!r} is not allowed in a control on Spark")
    for table in tree.find_all(exp.Table):
        source = table.this
        if isinstance(source, exp.Func | exp.Anonymous):
            if _name(source) not in SPARK_SAFE_TABLE_FUNCTIONS:
                raise UnsafeQuery(f"table function {_name(source)!r} is not allowed on Spark")
        elif not isinstance(source, exp.Identifier):
            raise UnsafeQuery(f"table source {table.sql('spark')!r} is not allowed")
        elif table.args.get("db") or table.args.get("catalog"):
            raise UnsafeQuery(f"qualified table {table.sql('spark')!r} is not allowed")
    return tree


def check_spark_parser(spark: Any, sql: str) -> None:
    """Step 2: Spark's parser reads ``sql`` as one plan that is no command."""
    jvm = spark.sparkContext._jvm
    try:
        plan = spark._jsparkSession.sessionState().sqlParser().parsePlan(sql)
    except Exception as exc:  # Spark's ParseException, through Py4J
        raise UnsafeQuery(f"Spark cannot parse the SQL: {str(exc).splitlines()[0]}") from exc
    command = jvm.java.lang.Class.forName(_COMMAND_CLASS)
    if command.isInstance(plan):
        raise UnsafeQuery(f"Spark reads a command ({plan.nodeName()}), not a query")


def check_spark_sql(spark: Any, sql: str) -> str:
    """``sql`` (Spark dialect) if both checks pass; else :class:`UnsafeQuery`."""
    check_sqlglot(sql)
    check_spark_parser(spark, sql)
    return sql

"""Control SQL in other engines' dialects (SQLGlot), so a catalog is not tied to DuckDB.

Spark: SQLGlot writes the newest Spark SQL; Kansa runs on Spark 3.5, which lacks ``LISTAGG``
(Spark 4.0). DuckDB's ``string_agg(x, sep ORDER BY ...)`` is rewritten with what 3.5 has
(:mod:`kansa.engine.spark_sql`), as are ``to_hours``, ``date - date``, ``date_diff`` (boundaries
crossed, not whole units) and ``epoch`` (with its microseconds); anything else SQLGlot cannot
express raises.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlglot
from sqlglot.errors import ErrorLevel

SOURCE_DIALECT = "duckdb"


def transpile(sql: str, dialect: str, schema: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Rewrite one DuckDB query for ``dialect`` (e.g. ``"spark"``, ``"postgres"``).

    Raises :class:`sqlglot.errors.UnsupportedError` when the target cannot express it, rather
    than returning SQL that would mean something else. ``schema`` (table -> column -> type)
    lets the Spark rewrite see the operands' types (``date - date``).
    """
    trees = [t for t in sqlglot.parse(sql, read=SOURCE_DIALECT) if t is not None]
    if len(trees) != 1:
        raise ValueError(f"expected one statement, got {len(trees)}")
    tree = trees[0]
    if dialect == "spark":
        from kansa.engine.spark_sql import for_spark_35

        tree = for_spark_35(tree, schema)
    return tree.sql(dialect=dialect, unsupported_level=ErrorLevel.RAISE)

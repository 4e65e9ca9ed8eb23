"""Control SQL in other engines' dialects (SQLGlot), so a catalog is not tied to DuckDB."""

from __future__ import annotations

import sqlglot
from sqlglot.errors import ErrorLevel

SOURCE_DIALECT = "duckdb"


def transpile(sql: str, dialect: str) -> str:
    """Rewrite one DuckDB query for ``dialect`` (e.g. ``"spark"``, ``"postgres"``).

    Raises :class:`sqlglot.errors.UnsupportedError` when the target cannot express it, rather
    than returning SQL that would mean something else.
    """
    out = sqlglot.transpile(
        sql, read=SOURCE_DIALECT, write=dialect, unsupported_level=ErrorLevel.RAISE
    )
    if len(out) != 1:
        raise ValueError(f"expected one statement, got {len(out)}")
    return out[0]

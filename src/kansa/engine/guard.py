"""The first line of defence: refuse any control SQL that is not one plain query over datasets.

A control's SQL is parsed with SQLGlot (DuckDB dialect) before it reaches DuckDB. It must be a
single SELECT (optionally with WITH, UNION/INTERSECT/EXCEPT) whose every table is a dataset
view, a shared view of the catalog (``catalog/_views``, itself built over dataset views only) or
one of its own CTEs **visible where it is read**. CTE names are resolved per scope with
SQLGlot's scope analysis, the way DuckDB binds them: a CTE defined inside a subquery, a union
branch or a later ``WITH`` item does not hide a dataset of the same name elsewhere (DuckDB
would read the dataset there). A table the scope analysis does not reach is checked as a
dataset, never credited as a CTE. Table functions that read files or run SQL text (``read_csv``,
``read_parquet``, ``glob``, ``query``...), quoted paths (``FROM '/etc/passwd'``), qualified
names (``main.x``, ``information_schema.x``) and every statement that writes, loads or changes
settings (COPY, ATTACH, INSTALL, LOAD, SET, PRAGMA, DDL, DML) are refused. DuckDB's own
lock-down (:mod:`kansa.engine.sandbox`) is the second line, for anything this misses.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.scope import traverse_scope

# Table functions that only generate values (no file, network or catalog access).
SAFE_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})

# Functions refused wherever they appear (scalar position included): they read files, run SQL
# text, or reveal settings and the catalog.
DENIED_FUNCTIONS = frozenset(
    {
        "read_csv", "read_csv_auto", "read_parquet", "parquet_scan", "read_json",
        "read_json_auto", "read_ndjson", "read_ndjson_auto", "read_json_objects", "read_text",
        "read_blob", "glob", "query", "query_table", "sniff_csv", "parquet_metadata",
        "parquet_schema", "parquet_file_metadata", "parquet_kv_metadata", "getenv",
        "current_setting", "duckdb_settings", "duckdb_extensions", "duckdb_databases",
        "duckdb_secrets", "which_secret", "sqlite_scan", "postgres_scan", "iceberg_scan",
        "delta_scan", "read_xlsx", "st_read",
    }
)  # fmt: skip

DENIED_NODES: tuple[type[exp.Expr], ...] = (
    exp.DML,
    exp.DDL,
    exp.Command,
    exp.Copy,
    exp.Pragma,
    exp.Set,
    exp.Attach,
    exp.Detach,
    exp.Install,
    exp.Use,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Describe,
    exp.Summarize,
    exp.Into,
)


class UnsafeQuery(ValueError):
    """The SQL is not a single read-only query over known datasets."""


def parse_one_query(sql: str, dialect: str, what: str = "SQL") -> exp.Query:
    """The one SELECT query ``sql`` holds in ``dialect``; anything else is :class:`UnsafeQuery`
    (shared by the DuckDB guard and the Spark guard, so both refuse the same shapes)."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=dialect) if s is not None]
    except SqlglotError as exc:
        raise UnsafeQuery(f"cannot parse the {what}: {exc}") from exc
    if len(statements) != 1:
        raise UnsafeQuery(f"expected exactly one statement, found {len(statements)}")
    tree = statements[0]
    if not isinstance(tree, exp.Query):
        raise UnsafeQuery(f"only SELECT queries may run, not {tree.key.upper()}")
    return tree


def _parse_single(sql: str) -> exp.Expr:
    # DuckDB folds identifiers to one case, quoted or not: compare names the way it does
    return normalize_identifiers(parse_one_query(sql, "duckdb"), dialect="duckdb")


def _function_name(node: exp.Expr) -> str:
    if isinstance(node, exp.Anonymous):
        return str(node.name).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return ""


def _cte_references(tree: exp.Expr) -> set[int]:
    """Ids of the table nodes that name a CTE visible in their own scope.

    ``traverse_scope`` gives each scope the CTEs DuckDB would let it see: those of the
    enclosing ``WITH`` clauses, only the earlier items of its own ``WITH`` (all of them under
    ``RECURSIVE``), and none from a sibling subquery or union branch.
    """
    try:
        scopes = traverse_scope(tree)
    except SqlglotError as exc:
        raise UnsafeQuery(f"cannot resolve the query's tables: {exc}") from exc
    return {
        id(table)
        for scope in scopes
        for table in scope.tables
        if isinstance(table.this, exp.Identifier) and table.name.lower() in scope.cte_sources
    }


def tables_read(sql_or_tree: str | exp.Expr) -> set[str]:
    """Plain table names a query reads where they are not a CTE visible in that scope.

    Used by ``kansa controls lint`` to check that a control declares what it reads.
    """
    tree = _parse_single(sql_or_tree) if isinstance(sql_or_tree, str) else sql_or_tree
    tree = normalize_identifiers(tree.copy(), dialect="duckdb")
    ctes = _cte_references(tree)
    return {
        t.name.lower()
        for t in tree.find_all(exp.Table)
        if isinstance(t.this, exp.Identifier) and id(t) not in ctes
    }


def _check_table(
    table: exp.Table, allowed: set[str], known: Collection[str], referenced: set[str]
) -> None:
    source = table.this
    if isinstance(source, exp.Func | exp.Anonymous):
        name = _function_name(source)
        if name not in SAFE_TABLE_FUNCTIONS:
            raise UnsafeQuery(f"table function {name or source.sql('duckdb')!r} is not allowed")
        return
    if not isinstance(source, exp.Identifier):
        raise UnsafeQuery(f"table source {table.sql('duckdb')!r} is not allowed")
    if table.args.get("db") or table.args.get("catalog"):
        raise UnsafeQuery(f"qualified table {table.sql('duckdb')!r} is not allowed")
    name = source.name.lower()
    if name not in allowed:
        if name in known:
            raise UnsafeQuery(
                f"dataset {name!r} may not be read here: it is not declared in the control's "
                "'datasets' (or has no snapshot in the vault)"
            )
        raise UnsafeQuery(f"unknown table {source.name!r} (not a dataset, shared view or CTE)")
    referenced.add(name)


def check_query(
    sql: str,
    datasets: Collection[str],
    known: Collection[str] = (),
    views: Mapping[str, Collection[str]] | None = None,
) -> frozenset[str]:
    """Validate ``sql``; return the dataset names it reads (through shared views too).

    ``datasets``: names with a view in this run; ``known``: every contract name (to tell
    "not ingested" from "no such table" in the message); ``views``: the shared views created
    in this run, each with the datasets it reads (directly or through other views).
    """
    views = {k.lower(): v for k, v in (views or {}).items()}
    tree = _parse_single(sql)
    for node in tree.walk():
        if isinstance(node, DENIED_NODES):
            raise UnsafeQuery(f"{node.key.upper()} is not allowed in a control")
        name = _function_name(node)
        if name in DENIED_FUNCTIONS:
            raise UnsafeQuery(f"function {name!r} is not allowed in a control")
    ctes = _cte_references(tree)
    allowed = {d.lower() for d in datasets} | set(views)
    referenced: set[str] = set()
    for table in tree.find_all(exp.Table):
        if id(table) not in ctes:
            _check_table(table, allowed, {k.lower() for k in known}, referenced)
    read: set[str] = set()
    for name in referenced:
        read |= {d.lower() for d in views[name]} if name in views else {name}
    return frozenset(read)

"""Lint the shared views (``catalog/_views``) and create them on lint's contract database.

Each view must: load (a ``-- depends:`` header, names that are datasets or other views, no
cycle); use no placeholder but ``{{ as_of }}``; be one SELECT the engine's guard accepts over
the datasets and the views it depends on; read exactly what it declares; and bind against the
empty contract tables. Only views that pass are created, so a control reading a broken view is
reported too (it does not bind).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

from kansa.controls.model import ControlError
from kansa.controls.render import BUILTINS, placeholders
from kansa.controls.views import SharedView, base_datasets, create_views, load_views, rendered


def referenced_tables(tree: exp.Expr) -> set[str]:
    """Plain table names a query reads, CTEs left out only where they are in scope (the
    engine's guard resolves them the way DuckDB binds them)."""
    from kansa.engine.guard import tables_read  # the engine imports this package (cycle)

    return tables_read(tree)


def view_graph(views: Mapping[str, SharedView]) -> dict[str, frozenset[str]]:
    """Each view with the datasets it reads, directly or through other views."""
    return {name: base_datasets([name], views) for name in views}


def _guard() -> object:
    from kansa.engine import check_query  # the engine ships with Kansa; imported late (cycle)

    return check_query


def _view_problems(
    view: SharedView, views: Mapping[str, SharedView], datasets: Collection[str], as_of: dt.date
) -> list[str]:
    extra = placeholders(view.sql) - BUILTINS
    if extra:
        return [
            f"uses parameters {sorted(extra)}; a shared view may use only "
            "{{ as_of }} and {{ tz }}"
        ]
    sql = rendered(view, as_of)
    try:
        trees = [t for t in sqlglot.parse(sql, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        return [f"SQLGlot cannot parse it: {str(exc).splitlines()[0]}"]
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        return ["must be exactly one SELECT query"]
    problems = []
    read = referenced_tables(trees[0])
    if read != set(view.depends):
        problems.append(f"reads {sorted(read)} but its header declares {sorted(view.depends)}")
    before = {n: base_datasets([n], views) for n in view.depends if n in views}
    try:
        own = [d for d in view.depends if d in datasets]  # only what its header declares
        _guard()(sql, own, datasets, before)  # type: ignore[operator]
    except ValueError as exc:
        problems.append(f"refused by the engine's guard: {exc}")
    return problems


def lint_views(
    con: duckdb.DuckDBPyConnection, folder: Path, datasets: Collection[str], as_of: dt.date
) -> tuple[dict[str, SharedView], list[tuple[str, str, str]]]:
    """Load, check and create the views of ``folder``: (views, [(path, view, reason)])."""
    try:
        views = load_views(folder, datasets)
    except (ControlError, OSError, UnicodeDecodeError) as exc:
        return {}, [(str(folder), "_views", str(exc))]
    problems: list[tuple[str, str, str]] = []
    for name, view in views.items():
        reasons = _view_problems(view, views, datasets, as_of)
        if not reasons:
            try:
                create_views(con, [view], as_of)
            except duckdb.Error as exc:
                reasons = [f"does not bind against the contracts: {str(exc).splitlines()[0]}"]
        problems += [(str(view.source), f"view {name}", r) for r in reasons]
    return views, problems

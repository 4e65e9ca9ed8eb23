"""``kansa controls lint``: prove every control can run before any run depends on it.

For each control file: it parses; every framework reference names a known requirement; its
parameters' defaults fit their types; its SQL renders with the defaults and an as-of date,
parses with SQLGlot as one read-only query the engine's guard accepts, reads only the datasets
and shared views it declares (CTE names resolved per scope, as the guard does; a dataset read
through a shared view must be listed in 'datasets' too), and BINDS in DuckDB against empty
tables built from the data contracts, with the shared views created over them
(:mod:`kansa.controls.lint_views` checks those first); the test query returns the key columns;
parameters used and declared agree. Python-logic controls must name an importable callable.
Problems are collected, never raised, so one run lists them all.

Lint reads control files from anywhere (``--path``), so their SQL is hostile until proven
otherwise. It is bound only **after** the guard accepted it, only if DuckDB's own parser sees
one SELECT, and only on :func:`lint_connection`: in memory, external access off (no file, no
network, no extension install or load) and settings locked. Binding alone would otherwise read
files (``read_csv`` sniffs at bind time; a header row came back as column names in the
message) and try to download extensions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp

from kansa.contracts import load_contracts
from kansa.controls.direct import resolve_logic
from kansa.controls.fixtures import contract_database
from kansa.controls.frameworks import unknown_references
from kansa.controls.lint_views import lint_views, view_graph
from kansa.controls.loader import CATALOG_DIR, ControlError, parse_control
from kansa.controls.model import Control
from kansa.controls.render import BUILTINS, DEFAULT_TZ, RenderError, placeholders, render_sql
from kansa.controls.views import VIEWS_DIR, SharedView, builtin_views

Graph = Mapping[str, frozenset[str]]

LINT_AS_OF = dt.date(2026, 1, 31)
_ID_FILE = re.compile(r"^[A-Z]{2,5}-\d{3}$")
_TYPES: dict[str, tuple[type, ...]] = {
    "number": (int, float),
    "integer": (int,),
    "string": (str,),
    "boolean": (bool,),
}


@dataclass(frozen=True)
class Problem:
    path: str
    control: str
    reason: str


@dataclass
class LintReport:
    checked: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "controls": len(self.checked),
            "problems": [p.__dict__ for p in self.problems],
        }


def _guard() -> Any:
    """The engine's SQL guard (imported late: the engine imports the controls package)."""
    from kansa.engine import check_query

    return check_query


def _tables_read(tree: exp.Expr) -> set[str]:
    from kansa.engine.guard import tables_read

    return tables_read(tree)


def lint_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the contract tables that can reach no file and no network."""
    con = contract_database(timezone="UTC")
    for setting in (
        "autoinstall_known_extensions = false",
        "autoload_known_extensions = false",
        "enable_external_access = false",
        "lock_configuration = true",
    ):
        con.execute(f"SET {setting}")
    return con


def _is_locked(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "select current_setting('enable_external_access') = false "
        "and current_setting('lock_configuration')"
    ).fetchone()
    return bool(row and row[0])


# ``at time zone 'UTC'``: a day boundary of its own instead of the workspace's ({{ tz }})
_FIXED_ZONE = re.compile(r"at\s+time\s+zone\s+'", re.IGNORECASE)


def _check_parameters(control: Control) -> list[str]:
    out = []
    for p in control.parameters.values():
        ok = isinstance(p.default, _TYPES[p.type])
        if p.type in ("number", "integer") and isinstance(p.default, bool):
            ok = False
        if not ok:
            out.append(f"parameter {p.name}: default {p.default!r} is not a {p.type}")
    if control.logic:
        return out
    sql = (control.population_sql or "") + "\n" + (control.test_sql or "")
    if _FIXED_ZONE.search(sql):
        out.append(
            "hard-codes a time zone; write (ts at time zone {{ tz }})::date so that every "
            "control uses the workspace's business day"
        )
    used = placeholders(sql) - BUILTINS
    declared = set(control.parameters)
    if used - declared:
        out.append(f"SQL uses undeclared parameters {sorted(used - declared)}")
    if declared - used:
        out.append(f"declared parameters not used by the SQL {sorted(declared - used)}")
    return out


def _check_reads(control: Control, block: str, read: set[str], graph: Graph) -> list[str]:
    """Every dataset read (through shared views too) and every view read must be declared."""
    views = read & set(graph)
    datasets = (read - views).union(*(graph[v] for v in views))
    problems = []
    undeclared = datasets - set(control.datasets)
    if undeclared:
        problems.append(f"{block}: reads datasets not listed in 'datasets': {sorted(undeclared)}")
    if views - set(control.views):
        problems.append(
            f"{block}: reads shared views not listed in 'views': {sorted(views - set(control.views))}"
        )
    return problems


def _check_query(
    con: duckdb.DuckDBPyConnection,
    control: Control,
    block: str,
    sql: str,
    values: dict[str, Any],
    graph: Graph,
) -> list[str]:
    """Render, parse, guard and bind one block; return its problems."""
    try:
        rendered = render_sql(sql, values)
    except RenderError as exc:
        return [f"{block}: {exc}"]
    try:
        trees = [t for t in sqlglot.parse(rendered, read="duckdb") if t is not None]
    except sqlglot.errors.ParseError as exc:
        return [f"{block}: SQLGlot cannot parse it: {str(exc).splitlines()[0]}"]
    if len(trees) != 1 or not isinstance(trees[0], exp.Query):
        return [f"{block}: must be exactly one SELECT query"]
    problems = _check_reads(control, block, _tables_read(trees[0]), graph)
    views = {v: graph[v] for v in control.views if v in graph}
    try:
        _guard()(rendered, control.datasets, load_contracts().keys(), views)
    except ValueError as exc:  # never bound: binding alone can read files
        return [*problems, f"{block}: refused by the engine's guard: {exc}"]
    try:
        if [st.type.name for st in con.extract_statements(rendered)] != ["SELECT"]:
            return [*problems, f"{block}: DuckDB does not read it as exactly one SELECT"]
        columns = con.sql(rendered).columns
    except duckdb.Error as exc:
        return [
            *problems,
            f"{block}: does not bind against the contracts: {str(exc).splitlines()[0]}",
        ]
    if block == "test":
        missing = [k for k in control.key if k not in columns]
        if missing:
            problems.append(f"test: key columns {missing} are not in its output {columns}")
    return problems


def _unused_views(control: Control, graph: Graph) -> list[str]:
    read: set[str] = set()
    for sql in (control.population_sql, control.test_sql):
        try:
            tree = sqlglot.parse_one(
                render_sql(
                    sql or "select 1",
                    {**control.resolved_parameters(), "as_of": LINT_AS_OF, "tz": DEFAULT_TZ},
                ),
                read="duckdb",
            )
        except (sqlglot.errors.ParseError, RenderError):
            return []  # reported by the block checks
        read |= _tables_read(tree)
    unused = sorted(set(control.views) - read)
    return [f"declares shared views it does not read: {unused}"] if unused else []


def check_control(
    con: duckdb.DuckDBPyConnection, control: Control, graph: Graph | None = None
) -> list[str]:
    """Every problem of one parsed control, as sentences.

    ``con``: a :func:`lint_connection` (refused otherwise: control SQL is bound on it).
    ``graph``: the shared views created on ``con``, each with the datasets it reads.
    """
    if not _is_locked(con):
        raise ValueError("check_control binds control SQL: give it lint_connection()")
    graph = view_graph(builtin_views()) if graph is None else graph
    problems = [
        f"cites unknown {fw} requirement {ref!r}" for fw, ref in unknown_references(control)
    ]
    contracts = load_contracts()
    unknown = [d for d in control.datasets if d not in contracts]
    if unknown:
        problems.append(f"datasets {unknown} have no contract")
    if len(set(control.key)) != len(control.key):
        problems.append(f"key {list(control.key)} repeats a column")
    problems += _check_parameters(control)
    values = {**control.resolved_parameters(), "as_of": LINT_AS_OF, "tz": DEFAULT_TZ}
    if control.logic:
        try:
            resolve_logic(control.logic)
        except (ImportError, AttributeError, TypeError) as exc:
            problems.append(f"logic {control.logic} cannot be loaded: {exc}")
        for name, driver_sql in control.driver_reads.items():
            problems += _check_query(con, control, f"driver_{name}", driver_sql, values, graph)
        return problems
    for block, sql in (("population", control.population_sql), ("test", control.test_sql)):
        if sql is None:
            if block == "population":
                problems.append("no population block: the engine cannot count what was tested")
            continue
        problems += _check_query(con, control, block, sql, values, graph)
    return problems + _unused_views(control, graph)


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if _ID_FILE.match(p.stem))


def lint_folders(
    folders: Iterable[tuple[Path, bool]],
    overrides: Mapping[str, Mapping[str, Any]] | None = None,
    views_dir: Path = VIEWS_DIR,
) -> LintReport:
    """Lint the shared views of ``views_dir``, every control in ``folders`` ((path, builtin)
    pairs) and the workspace overrides."""
    report = LintReport()
    con = lint_connection()
    views, view_problems = lint_views(con, views_dir, set(load_contracts()), LINT_AS_OF)
    report.problems += [Problem(*p) for p in view_problems]
    seen: dict[str, Path] = {}
    for folder, builtin in folders:
        if not folder.is_dir():
            report.problems.append(Problem(str(folder), "-", "control folder does not exist"))
            continue
        for path in _yaml_files(folder):
            _lint_file(con, path, builtin, seen, report, views)
    for cid, params in (overrides or {}).items():
        if cid not in seen:
            report.problems.append(
                Problem("kansa.toml", cid, "parameters set for an unknown control")
            )
            continue
        declared = set(parse_control(seen[cid], shared=views).parameters)
        for name in set(params) - declared:
            report.problems.append(
                Problem(
                    "kansa.toml", cid, f"unknown parameter {name!r}; declared: {sorted(declared)}"
                )
            )
    return report


def _lint_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    builtin: bool,
    seen: dict[str, Path],
    report: LintReport,
    views: dict[str, SharedView],
) -> None:
    try:
        control = parse_control(path, builtin=builtin, shared=views)
    except (ControlError, OSError, ValueError, KeyError, TypeError) as exc:
        report.problems.append(Problem(str(path), path.stem, str(exc)))
        return
    if control.id in seen:
        report.problems.append(
            Problem(str(path), control.id, f"id already defined in {seen[control.id]}")
        )
        return
    seen[control.id] = path
    report.checked.append(control.id)
    for reason in check_control(con, control, view_graph(views)):
        report.problems.append(Problem(str(path), control.id, reason))


def lint_catalog(
    extra_paths: Iterable[Path] = (), overrides: Mapping[str, Mapping[str, Any]] | None = None
) -> LintReport:
    """The built-in catalog, then a workspace's own control folders."""
    folders = [(CATALOG_DIR, True), *((Path(p), False) for p in extra_paths)]
    return lint_folders(folders, overrides)

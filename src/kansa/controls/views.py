"""Shared, read-only views: a definition every control uses is written once, dbt-style.

``catalog/_views/NAME.sql`` holds ONE SELECT over datasets or other shared views, after a header::

    -- depends: accounts, role_grants, roles
    -- What the view means and why it is shared (free text).
    select ...

A control names the views it reads in its YAML (``views: [privileged_accounts]``) and reads them
like datasets. The engine creates them as VIEWS on its connection before the lock-down, in
dependency order, rendered with the run's ``{{ as_of }}`` (the only placeholder a view may use);
the direct runner, the fixture database and ``kansa controls lint`` create the very same views.
A change to a view changes the version hash of every control that uses it (directly or not).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import duckdb

from kansa.controls.model import ControlError
from kansa.controls.render import DEFAULT_TZ, render_sql

VIEWS_DIR = Path(__file__).parent / "catalog" / "_views"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DEPENDS = re.compile(r"^--\s*depends:\s*(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class SharedView:
    name: str
    sql: str
    depends: tuple[str, ...]
    text: bytes
    source: Path


def parse_view(path: Path) -> SharedView:
    """Read one ``_views/NAME.sql``; a missing ``-- depends:`` header is an error."""
    if not _NAME.match(path.stem):
        raise ControlError(f"{path}: a shared view's name must be lower_snake_case")
    text = path.read_bytes()
    body = text.decode("utf-8")
    found = _DEPENDS.search(body)
    if found is None:
        raise ControlError(f"{path}: needs a '-- depends: name, ...' header line")
    depends = tuple(sorted({d.strip() for d in found.group(1).split(",") if d.strip()}))
    sql = body.strip().rstrip(";").strip()
    return SharedView(path.stem, sql, depends, text, path)


def dependency_order(views: Mapping[str, SharedView], datasets: Collection[str]) -> list[str]:
    """View names, each after the views it reads; an unknown name or a cycle is an error."""
    for v in views.values():
        unknown = [d for d in v.depends if d not in views and d not in datasets]
        if unknown:
            raise ControlError(f"shared view {v.name}: depends on unknown {unknown}")
    order: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, path: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "open":
            raise ControlError(f"shared views form a cycle: {' -> '.join((*path, name))}")
        state[name] = "open"
        for dep in views[name].depends:
            if dep in views:
                visit(dep, (*path, name))
        state[name] = "done"
        order.append(name)

    for name in sorted(views):
        visit(name, ())
    return order


def load_views(
    folder: Path = VIEWS_DIR, datasets: Collection[str] | None = None
) -> dict[str, SharedView]:
    """Every shared view of ``folder``, in dependency order."""
    if datasets is None:
        from kansa.contracts import load_contracts

        datasets = set(load_contracts())
    if not folder.is_dir():
        return {}
    views = {p.stem: parse_view(p) for p in sorted(folder.glob("*.sql"))}
    clash = sorted(set(views) & set(datasets))
    if clash:
        raise ControlError(f"shared views {clash} are named like datasets")
    return {name: views[name] for name in dependency_order(views, datasets)}


@lru_cache(maxsize=1)
def builtin_views() -> dict[str, SharedView]:
    """The catalog's shared views (parsed once per process)."""
    return load_views()


def closure(names: Iterable[str], views: Mapping[str, SharedView]) -> list[str]:
    """``names`` and every view they read, in dependency order."""
    wanted: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in views and name not in wanted:
            wanted.add(name)
            stack.extend(views[name].depends)
    return [n for n in views if n in wanted]


def base_datasets(names: Iterable[str], views: Mapping[str, SharedView]) -> frozenset[str]:
    """The datasets ``names`` (views) read, directly or through other views."""
    out: set[str] = set()
    for name in closure(names, views):
        out |= {d for d in views[name].depends if d not in views}
    return frozenset(out)


def digest_part(names: Iterable[str], views: Mapping[str, SharedView]) -> bytes:
    """Bytes folded into a control's version hash: each view it uses, with its name."""
    return b"".join(b"\0" + n.encode() + b"\0" + views[n].text for n in closure(names, views))


def rendered(view: SharedView, as_of: dt.date, tz: str = DEFAULT_TZ) -> str:
    return render_sql(view.sql, {"as_of": as_of, "tz": tz})


def create_views(
    con: duckdb.DuckDBPyConnection,
    views: Iterable[SharedView],
    as_of: dt.date,
    *,
    replace: bool = True,
    tz: str = DEFAULT_TZ,
) -> None:
    """Create ``views`` (given in dependency order) on ``con`` for this as-of date and the
    business day's time zone ``tz``."""
    verb = "CREATE OR REPLACE VIEW" if replace else "CREATE VIEW"
    for view in views:
        con.execute(f'{verb} "{view.name}" AS\n{rendered(view, as_of, tz)}')

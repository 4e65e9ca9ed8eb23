"""Load controls from the built-in catalog and from a workspace's own folders."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kansa.contracts.model import Text
from kansa.controls.model import (
    AREAS,
    FRAMEWORKS,
    PARAMETER_TYPES,
    SEVERITIES,
    Control,
    ControlError,
    Parameter,
)
from kansa.controls.views import SharedView, builtin_views, digest_part
from kansa.i18n import tr
from kansa.yamlio import load_yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")
_BLOCK = re.compile(r"^--\s*name:\s*([a-z_]+)\s*$", re.MULTILINE)
# a block ``-- name: driver_<dataset>``: what a Spark driver reads of that dataset for a
# Python-logic control (e.g. one day's sums instead of every balance row)
DRIVER = "driver_"
_KEYS = {
    "id", "version", "title", "objective", "rule", "area", "severity", "frequency", "owner",
    "datasets", "key", "parameters", "frameworks", "logic", "tags", "views",
}  # fmt: skip


def _text(value: Any, where: str) -> Text:
    if not (isinstance(value, dict) and isinstance(value.get("en"), str)):
        raise ControlError(f"{where}: needs 'en' and 'ja' text")
    if not isinstance(value.get("ja"), str):
        raise ControlError(f"{where}: needs 'ja' text too")
    return Text(en=value["en"], ja=value["ja"])


def split_sql(text: str, where: str) -> dict[str, str]:
    """Split a control's SQL file into its ``-- name: X`` blocks."""
    marks = list(_BLOCK.finditer(text))
    if not marks:
        raise ControlError(f"{where}: no '-- name: population' / '-- name: test' blocks")
    blocks: dict[str, str] = {}
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end() : end].strip().rstrip(";").strip()
        if m.group(1) in blocks:
            raise ControlError(f"{where}: block {m.group(1)!r} appears twice")
        blocks[m.group(1)] = body
    unknown = {b for b in blocks if b not in ("population", "test") and not b.startswith(DRIVER)}
    if unknown:
        raise ControlError(f"{where}: unknown blocks {sorted(unknown)}")
    return blocks


def _parameters(raw: Any, where: str) -> dict[str, Parameter]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ControlError(f"{where}: parameters must be a mapping")
    out = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or "default" not in spec:
            raise ControlError(f"{where}: parameter {name} needs a default")
        ptype = spec.get("type", "number")
        if ptype not in PARAMETER_TYPES:
            raise ControlError(f"{where}: parameter {name} type must be one of {PARAMETER_TYPES}")
        out[str(name)] = Parameter(
            name=str(name),
            type=ptype,
            default=spec["default"],
            description=_text(spec.get("description"), f"{where}: parameter {name}"),
        )
    return out


def _frameworks(raw: Any, where: str) -> dict[str, tuple[str, ...]]:
    raw = raw or {}
    unknown = set(raw) - set(FRAMEWORKS)
    if unknown:
        raise ControlError(f"{where}: unknown frameworks {sorted(unknown)}; use {FRAMEWORKS}")
    return {k: tuple(str(x) for x in v or ()) for k, v in raw.items()}


def _views(raw: Any, where: str, shared: dict[str, SharedView]) -> tuple[str, ...]:
    names = tuple(str(v) for v in raw or ())
    unknown = [n for n in names if n not in shared]
    if unknown:
        raise ControlError(f"{where}: views {unknown} are not shared views ({sorted(shared)})")
    return names


TRUSTED_LOGIC_ENV = "KANSA_TRUSTED_LOGIC"


def _refuse_untrusted_logic(logic: str, where: str) -> None:
    """A workspace control may name Python logic only inside Kansa itself, or in a module the
    operator trusts through ``KANSA_TRUSTED_LOGIC`` (comma-separated module names, set in the
    environment, never read from the workspace): a workspace handed over by the audited party
    must not be able to make ``kansa run`` import and call code of its choosing."""
    module = logic.partition(":")[0]
    trusted = {m.strip() for m in os.environ.get(TRUSTED_LOGIC_ENV, "").split(",") if m.strip()}
    if module == "kansa" or module.startswith("kansa.") or module in trusted:
        return
    raise ControlError(
        tr(
            f"{where}: logic {logic!r} is outside Kansa; a workspace control may only name "
            "logic in the kansa package (or a module listed in KANSA_TRUSTED_LOGIC)",
            f"{where}: logic {logic!r} は Kansa の外にあります。ワークスペースの統制が指定できるのは "
            "kansa パッケージ内（または KANSA_TRUSTED_LOGIC に列挙したモジュール）のみです",
        )
    )


def parse_control(
    yaml_path: Path, *, builtin: bool = True, shared: dict[str, SharedView] | None = None
) -> Control:
    """Parse ``ID.yaml`` and its ``ID.sql``; any problem is a :class:`ControlError`.

    ``shared``: the shared views a control may name (default: the catalog's ``_views``).
    """
    where = str(yaml_path)
    text = yaml_path.read_bytes()
    data = load_yaml(text)
    if not isinstance(data, dict):
        raise ControlError(f"{where}: a control must be a mapping")
    unknown = set(data) - _KEYS
    if unknown:
        raise ControlError(f"{where}: unknown keys {sorted(unknown)}")
    cid = data.get("id")
    if not isinstance(cid, str) or not _ID.match(cid) or cid != yaml_path.stem:
        raise ControlError(f"{where}: id {cid!r} must look like ABC-001 and match the file name")
    if data.get("area") not in AREAS:
        raise ControlError(f"{where}: area must be one of {AREAS}")
    if data.get("severity") not in SEVERITIES:
        raise ControlError(f"{where}: severity must be one of {SEVERITIES}")
    sql_path = yaml_path.with_suffix(".sql")
    sql_bytes = sql_path.read_bytes() if sql_path.exists() else b""
    logic = data.get("logic")
    blocks = split_sql(sql_bytes.decode("utf-8"), str(sql_path)) if sql_bytes else {}
    if not logic and "test" not in blocks:
        raise ControlError(f"{where}: needs {sql_path.name} with a test block, or 'logic'")
    if logic and not re.match(r"^[\w.]+:\w+$", str(logic)):
        raise ControlError(f"{where}: logic must be 'package.module:function'")
    if logic and not builtin:
        _refuse_untrusted_logic(str(logic), where)
    shared = builtin_views() if shared is None else shared
    views = _views(data.get("views"), where, shared)
    datasets = tuple(data.get("datasets") or ())
    driver_reads = _driver_reads(blocks, datasets, bool(logic), where)
    key = tuple(data.get("key") or ())
    if not key:
        raise ControlError(f"{where}: key (the columns naming a failing record) is required")
    return Control(
        id=cid,
        version=int(data.get("version", 1)),
        title=_text(data.get("title"), f"{where}: title"),
        objective=_text(data.get("objective"), f"{where}: objective"),
        rule=_text(data.get("rule"), f"{where}: rule"),
        area=data["area"],
        severity=data["severity"],
        frequency=str(data.get("frequency", "daily")),
        owner=str(data.get("owner", "")),
        datasets=datasets,
        key=key,
        parameters=_parameters(data.get("parameters"), where),
        frameworks=_frameworks(data.get("frameworks"), where),
        population_sql=blocks.get("population"),
        test_sql=blocks.get("test"),
        logic=str(logic) if logic else None,
        source=yaml_path,
        digest=hashlib.sha256(text + b"\0" + sql_bytes + digest_part(views, shared)).hexdigest(),
        builtin=builtin,
        tags=tuple(data.get("tags") or ()),
        views=views,
        driver_reads=driver_reads,
    )


def _driver_reads(
    blocks: dict[str, str], datasets: tuple[str, ...], logic: bool, where: str
) -> dict[str, str]:
    """The ``driver_<dataset>`` blocks by dataset: only for Python logic, only declared datasets."""
    reads = {b.removeprefix(DRIVER): sql for b, sql in blocks.items() if b.startswith(DRIVER)}
    if reads and not logic:
        raise ControlError(f"{where}: driver_ blocks are for Python-logic controls only")
    undeclared = sorted(set(reads) - set(datasets))
    if undeclared:
        raise ControlError(
            f"{where}: driver blocks {undeclared} name datasets the control does not declare "
            f"({list(datasets)})"
        )
    return reads


def _yaml_files(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if _ID.match(p.stem))


def load_catalog(extra_paths: Iterable[Path] = ()) -> dict[str, Control]:
    """Built-in controls, then each workspace folder's; an id defined twice is an error."""
    controls: dict[str, Control] = {}
    sources = [(CATALOG_DIR, True), *((Path(p), False) for p in extra_paths)]
    for folder, builtin in sources:
        if not folder.is_dir():
            raise ControlError(f"control folder {folder} does not exist")
        for path in _yaml_files(folder):
            c = parse_control(path, builtin=builtin)
            if c.id in controls:
                raise ControlError(f"{path}: id {c.id} already defined in {controls[c.id].source}")
            controls[c.id] = c
    return dict(sorted(controls.items()))

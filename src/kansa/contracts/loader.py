"""Read and validate the contract YAML files shipped in ``definitions/``."""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from kansa.contracts.model import COLUMN_TYPES, Column, Contract, Text
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.spelling import did_you_mean
from kansa.yamlio import load_yaml

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_COLUMN_KEYS = {
    "name",
    "type",
    "description",
    "nullable",
    "optional",
    "unit",
    "allowed",
    "pattern",
    "minimum",
    "maximum",
    "unique",
}


class ContractError(KansaError):
    pass


def _text(value: Any, where: str) -> Text:
    if not (
        isinstance(value, dict)
        and isinstance(value.get("en"), str)
        and isinstance(value.get("ja"), str)
    ):
        raise ContractError(f"{where}: needs both 'en' and 'ja' text")
    return Text(en=value["en"], ja=value["ja"])


def _column(d: Any, where: str) -> Column:
    if not isinstance(d, dict):
        raise ContractError(f"{where}: a column must be a mapping")
    unknown = set(d) - _COLUMN_KEYS
    if unknown:
        raise ContractError(f"{where}: unknown keys {sorted(unknown)}")
    name = d.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ContractError(f"{where}: column name {name!r} must be lower_snake_case")
    ctype = d.get("type")
    if ctype not in COLUMN_TYPES:
        raise ContractError(f"{where}.{name}: type {ctype!r} is not one of {sorted(COLUMN_TYPES)}")
    if d.get("pattern") is not None:
        re.compile(d["pattern"])
    allowed = d.get("allowed")
    return Column(
        name=name,
        type=ctype,
        description=_text(d.get("description"), f"{where}.{name}.description"),
        # an optional column is NULL wherever it is absent, so it is nullable too
        nullable=bool(d.get("nullable", False)) or bool(d.get("optional", False)),
        optional=bool(d.get("optional", False)),
        unit=d.get("unit"),
        allowed=tuple(str(a) for a in allowed) if allowed is not None else None,
        pattern=d.get("pattern"),
        minimum=d.get("minimum"),
        maximum=d.get("maximum"),
        unique=bool(d.get("unique", False)),
    )


_REFERENCE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")


def _references(raw: Any, names: list[str], source: str) -> dict[str, str]:
    """``column: dataset.column`` links to other contracts (checked across contracts in tests)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ContractError(f"{source}: 'references' must map columns to 'dataset.column'")
    out: dict[str, str] = {}
    for col, target in raw.items():
        if col not in names:
            raise ContractError(f"{source}: references names unknown column {col!r}")
        if not isinstance(target, str) or not _REFERENCE.match(target):
            raise ContractError(f"{source}: reference of {col} must be 'dataset.column'")
        out[str(col)] = target
    return out


def _business_date(raw: Any, columns: tuple[Column, ...], source: str) -> str | None:
    """The column that dates each row: a non-nullable ``date`` or ``timestamp`` column."""
    if raw is None:
        return None
    col = next((c for c in columns if c.name == raw), None)
    if col is None:
        raise ContractError(f"{source}: business_date names unknown column {raw!r}")
    if col.type not in ("date", "timestamp") or col.nullable:
        raise ContractError(
            f"{source}: business_date {raw} must be a non-nullable date or timestamp column"
        )
    return col.name


def parse_contract(text: str, source: str) -> Contract:
    """Parse one contract; every problem is a :class:`ContractError` naming the file and key."""
    data = load_yaml(text)
    if not isinstance(data, dict):
        raise ContractError(f"{source}: a contract must be a mapping")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise ContractError(f"{source}: name {name!r} must be lower_snake_case")
    cols_raw = data.get("columns")
    if not isinstance(cols_raw, list) or not cols_raw:
        raise ContractError(f"{source}: 'columns' must be a non-empty list")
    columns = tuple(_column(c, f"{source}:columns[{i}]") for i, c in enumerate(cols_raw))
    names = [c.name for c in columns]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ContractError(f"{source}: duplicate columns {sorted(dupes)}")
    pk = tuple(data.get("primary_key") or ())
    missing = [k for k in pk if k not in names]
    if missing:
        raise ContractError(f"{source}: primary_key names unknown columns {missing}")
    for k in pk:
        if next(c for c in columns if c.name == k).nullable:
            raise ContractError(f"{source}: primary key column {k} cannot be nullable")
    references = _references(data.get("references"), names, source)
    business_date = _business_date(data.get("business_date"), columns, source)
    version = data.get("version")
    if not isinstance(version, int) or version < 1:
        raise ContractError(f"{source}: version must be a positive integer")
    return Contract(
        name=name,
        version=version,
        title=_text(data.get("title"), f"{source}:title"),
        description=_text(data.get("description"), f"{source}:description"),
        columns=columns,
        primary_key=pk,
        references=references,
        business_date=business_date,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@cache
def load_contracts() -> dict[str, Contract]:
    """All built-in contracts by name, sorted."""
    out: dict[str, Contract] = {}
    folder = resources.files("kansa.contracts") / "definitions"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            c = parse_contract(entry.read_text(encoding="utf-8"), f"contracts/{entry.name}")
            if c.name != Path(entry.name).stem:
                raise ContractError(f"contracts/{entry.name}: name must equal the file name")
            out[c.name] = c
    return dict(sorted(out.items()))


def get_contract(name: str) -> Contract:
    contracts = load_contracts()
    if name not in contracts:
        raise ContractError(
            tr(f"Unknown dataset {name!r}.", f"データセット {name!r} はありません。"),
            hint=" ".join(filter(None, [did_you_mean(name, contracts), tr("Known: ", "既知: ")]))
            + ", ".join(contracts),
        )
    return contracts[name]

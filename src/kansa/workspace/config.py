"""``kansa.toml``: the workspace's settings, read once, validated, typed.

Sections:

* ``[workspace]``: ``name``, ``language`` (``en``/``ja``), ``database_url`` (SQLAlchemy URL;
  a relative ``sqlite:///`` path is taken relative to the workspace), ``memory_limit``
  (DuckDB, e.g. ``"2GB"``), ``threads``.
* ``[mappings.DATASET]``: how a user's own export maps onto a contract (see
  :class:`DatasetMapping`), so nobody has to rewrite their files.
* ``[controls.parameters.CONTROL_ID]``: per-workspace overrides of control parameters.
* ``[controls] paths = [...]``: folders of the workspace's own controls.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.errors import ConfigError

CONFIG_FILE = "kansa.toml"


@dataclass(frozen=True)
class DatasetMapping:
    """Map a source export onto a data contract.

    ``rename``: source column -> contract column. ``constants``: contract column -> value for
    columns the export lacks. ``casts``: contract column -> a DuckDB SQL expression over the
    renamed source columns (e.g. ``"strptime(tx_time, '%Y/%m/%d %H:%M')"``) used instead of the
    plain column. ``timezone``: IANA zone for timestamps written without an offset (exports from
    Japanese systems are often naive JST). ``encoding``/``delimiter``: CSV defaults for this
    dataset. ``drop``: source columns to ignore.
    """

    rename: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    casts: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    timezone: str | None = None
    encoding: str | None = None
    delimiter: str | None = None


@dataclass(frozen=True)
class WorkspaceConfig:
    name: str = "kansa"
    language: str | None = None
    database_url: str = "sqlite:///kansa.db"
    memory_limit: str = "2GB"
    threads: int | None = None
    mappings: dict[str, DatasetMapping] = field(default_factory=dict)
    control_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    control_paths: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict)


# the sizes DuckDB's memory_limit setting parses: a number and a unit, or a share of RAM
_MEMORY_LIMIT = re.compile(
    r"\s*\d+(\.\d+)?\s*(%|b|bytes|[kmgt]|[kmgt]b|[kmgt]ib)\s*", re.IGNORECASE
)

_MAPPING_KEYS = {"rename", "constants", "casts", "drop", "timezone", "encoding", "delimiter"}


def _mapping(dataset: str, data: Any, path: Path) -> DatasetMapping:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [mappings.{dataset}] must be a table")
    unknown = set(data) - _MAPPING_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: [mappings.{dataset}] has unknown keys {sorted(unknown)}; "
            f"expected some of {sorted(_MAPPING_KEYS)}"
        )
    for key in ("rename", "constants", "casts"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{path}: mappings.{dataset}.{key} must be a table")
    for key in ("timezone", "encoding", "delimiter"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{path}: mappings.{dataset}.{key} must be a string")
    drop = data.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(c, str) for c in drop):
        raise ConfigError(f"{path}: mappings.{dataset}.drop must be a list of column names")
    return DatasetMapping(
        rename={str(k): str(v) for k, v in data.get("rename", {}).items()},
        constants=dict(data.get("constants", {})),
        casts={str(k): str(v) for k, v in data.get("casts", {}).items()},
        drop=tuple(drop),
        timezone=data.get("timezone"),
        encoding=data.get("encoding"),
        delimiter=data.get("delimiter"),
    )


def load_config(path: Path) -> WorkspaceConfig:
    """Read and validate ``kansa.toml``; a bad file is a :class:`ConfigError` naming the key."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    ws = raw.get("workspace", {})
    if not isinstance(ws, dict):
        raise ConfigError(f"{path}: [workspace] must be a table")
    language = ws.get("language")
    if language not in (None, "en", "ja"):
        raise ConfigError(f"{path}: workspace.language must be 'en' or 'ja', not {language!r}")
    threads = ws.get("threads")
    if threads is not None and (not isinstance(threads, int) or threads < 1):
        raise ConfigError(f"{path}: workspace.threads must be a positive integer")
    memory_limit = ws.get("memory_limit", "2GB")
    if not isinstance(memory_limit, str) or not _MEMORY_LIMIT.fullmatch(memory_limit):
        raise ConfigError(
            f'{path}: workspace.memory_limit must be a size such as "2GB" or "512MiB", '
            f"not {memory_limit!r}"
        )
    mappings = {name: _mapping(name, body, path) for name, body in raw.get("mappings", {}).items()}
    controls = raw.get("controls", {})
    params = controls.get("parameters", {})
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise ConfigError(f"{path}: [controls.parameters.ID] entries must be tables")
    return WorkspaceConfig(
        name=str(ws.get("name", path.parent.name)),
        language=language,
        database_url=str(ws.get("database_url", "sqlite:///kansa.db")),
        memory_limit=memory_limit,
        threads=threads,
        mappings=mappings,
        control_parameters={k: dict(v) for k, v in params.items()},
        control_paths=tuple(str(p) for p in controls.get("paths", [])),
        raw=raw,
    )


def default_config_text(name: str) -> str:
    """The commented ``kansa.toml`` written by ``kansa init``."""
    # a JSON string is a valid TOML basic string: quotes, backslashes, newlines come out escaped
    quoted = json.dumps(name, ensure_ascii=False).replace("\x7f", "\\u007f")
    return f"""# Kansa workspace settings / Kansa ワークスペース設定
[workspace]
name = {quoted}
# language = "ja"            # en | ja (default: from KANSA_LANG or LANG)
# App database (findings, runs). SQLite by default; PostgreSQL for teams:
# database_url = "postgresql+psycopg://kansa@db.internal/kansa"
database_url = "sqlite:///kansa.db"
memory_limit = "2GB"         # DuckDB memory cap for ingest and runs

# Map your own export onto a data contract without rewriting it, e.g.:
# [mappings.withdrawals]
# rename = {{ "出金ID" = "withdrawal_id", "金額" = "amount" }}
# constants = {{ asset = "BTC" }}
# timezone = "Asia/Tokyo"    # timestamps in the file carry no offset
# encoding = "cp932"

# Override a control's parameters for this workspace, e.g.:
# [controls.parameters.CUS-001]
# min_cold_share = 0.97
# [controls]
# paths = ["controls"]       # your own controls, linted like the built-in ones
"""

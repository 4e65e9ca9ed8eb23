"""``[run] engine`` and the ``[spark]`` table of ``kansa.toml``: which engine runs the controls.

``engine = "duckdb"`` (the default) runs them on this machine; ``engine = "spark"`` runs the
control SQL on Apache Spark (see docs/engine.md, "Spark"). The Spark settings are read here,
without importing PySpark, so a DuckDB user never needs it installed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.errors import ConfigError

ENGINES = ("duckdb", "spark")

# Spark's own size syntax for spark.driver.memory (a number and k/m/g/t)
_SPARK_SIZE = re.compile(r"[1-9][0-9]*[kmgt]", re.IGNORECASE)


@dataclass(frozen=True)
class SparkSettings:
    """How Kansa starts its Spark session and where the executors read the snapshots.

    ``master``: Spark master URL (``local[2]``: two threads of this machine).
    ``driver_memory``: the driver JVM's heap (its -Xmx), e.g. ``"2g"``.
    ``snapshot_root``: where executors find the vault's files (a shared path or a URL such as
    ``s3a://bucket/vault``); ``None``: the vault folder itself.
    ``driver_max_rows``: the most input rows a Python-logic control may read on the driver.
    ``conf``: further Spark properties (``spark.sql.shuffle.partitions`` ...).
    """

    master: str = "local[2]"
    driver_memory: str = "2g"
    snapshot_root: str | None = None
    driver_max_rows: int = 5_000_000
    conf: dict[str, str] = field(default_factory=dict)


def check_engine(name: Any, where: str) -> str:
    """``name`` if it is an engine Kansa has, else an error naming ``where`` it was given."""
    if name not in ENGINES:
        raise ConfigError(f"{where}: the engine must be one of {', '.join(ENGINES)}, not {name!r}")
    return str(name)


def _text(table: dict[str, Any], key: str, default: str | None, path: Path) -> str | None:
    value = table.get(key, default)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{path}: spark.{key} must be a non-empty string")
    return value


def spark_settings(raw: Any, path: Path) -> SparkSettings:
    """Validate the ``[spark]`` table; an unknown key is an error (a typo never goes unseen)."""
    if raw is None:
        return SparkSettings()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [spark] must be a table")
    known = {"master", "driver_memory", "snapshot_root", "driver_max_rows", "conf"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) in [spark]: {', '.join(unknown)}")
    memory = _text(raw, "driver_memory", "2g", path)
    if not _SPARK_SIZE.fullmatch(str(memory)):
        raise ConfigError(
            f'{path}: spark.driver_memory must be a size such as "2g" or "512m", not {memory!r}'
        )
    rows = raw.get("driver_max_rows", SparkSettings.driver_max_rows)
    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise ConfigError(f"{path}: spark.driver_max_rows must be a whole number >= 0")
    conf = raw.get("conf", {})
    if not isinstance(conf, dict) or not all(
        isinstance(v, str | int | float | bool) for v in conf.values()
    ):
        raise ConfigError(f"{path}: [spark.conf] must map Spark properties to values")
    return SparkSettings(
        master=str(_text(raw, "master", "local[2]", path)),
        driver_memory=str(memory),
        snapshot_root=_text(raw, "snapshot_root", None, path),
        driver_max_rows=rows,
        conf={str(k): _conf_value(v) for k, v in conf.items()},
    )


def _conf_value(value: str | int | float | bool) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)

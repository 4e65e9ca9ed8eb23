"""``kansa.toml``: the workspace's settings, read once, validated, typed.

Sections:

* ``[workspace]``: ``name``, ``language`` (``en``/``ja``), ``database_url`` (SQLAlchemy URL;
  a relative ``sqlite:///`` path is taken relative to the workspace), ``memory_limit``
  (DuckDB, e.g. ``"2GB"``), ``threads``, ``timezone`` (IANA zone: naive times in every
  dataset's files are read in it, unless the dataset's mapping names its own; the business day
  and displayed times follow it, UTC when absent; ``kansa init`` offers ``Asia/Tokyo``).
* ``[mappings.DATASET]``: how a user's own export maps onto a contract (see
  :class:`DatasetMapping`), so nobody has to rewrite their files.
* ``[assets.TICKER] decimals = N``: decimals of an asset the built-in table
  (:mod:`kansa.contracts.assets`) lacks or that the workspace counts differently.
* ``[controls.parameters.CONTROL_ID]``: per-workspace overrides of control parameters.
* ``[controls] paths = [...]``: folders of the workspace's own controls.
* ``[ingest]``: the size limits of input files, read by :func:`kansa.ingest.limits.limits_from`
  (kept in ``raw``; see docs/ingest.md).
* ``[run] timeout``: seconds each control of ``kansa run`` may take before its query is
  interrupted and it is recorded as an error (default 300); ``[run] engine``: ``duckdb``
  (default) or ``spark``, whose settings are the ``[spark]`` table
  (:mod:`kansa.workspace.engine_config`).
"""

from __future__ import annotations

import json
import math
import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansa.contracts.assets import ADDRESS_FORMATS
from kansa.errors import ConfigError
from kansa.workspace.engine_config import SparkSettings, check_engine, spark_settings

CONFIG_FILE = "kansa.toml"


@dataclass(frozen=True)
class DatasetMapping:
    """Map a source export onto a data contract.

    ``rename``: source column -> contract column. ``constants``: contract column -> value for
    columns the export lacks. ``casts``: contract column -> a DuckDB SQL expression over the
    renamed source columns (e.g. ``"strptime(tx_time, '%Y/%m/%d %H:%M')"``) used instead of the
    plain column. ``timezone``: IANA zone for timestamps written without an offset (exports from
    Japanese systems are often naive JST). ``encoding``/``delimiter``: CSV defaults for this
    dataset. ``drop``: source columns to ignore (``*`` and ``?`` match any characters).

    Declarative conversions (no SQL): ``values``: contract column -> {text in the file: value};
    ``formats``: contract column -> date/time formats tried in order (``%Y/%m/%d``, ``ISO``);
    ``amounts``: contract column -> :class:`AmountUnits` (coin units to the smallest unit);
    ``long``: :class:`LongForm` (wide columns ``承認者1..N`` to one row each). ``sheet``: the
    Excel sheet to read; ``member``: the CSV inside a ``.zip`` (a name or pattern).
    ``templates``: contract column -> text built from other columns (``"{withdrawal_id}-{n}"``).
    """

    rename: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    casts: dict[str, str] = field(default_factory=dict)
    drop: tuple[str, ...] = ()
    timezone: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)
    amounts: dict[str, AmountUnits] = field(default_factory=dict)
    long: LongForm | None = None
    sheet: str | None = None
    member: str | None = None
    templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AmountUnits:
    """How an amount column is written: in units of ``asset`` (a ticker), of the asset named
    in each row's ``asset_column``, or with a fixed number of ``decimals``; converted to the
    smallest unit. ``smallest = true``: already in the smallest unit (only the thousands
    separators, full-width digits and currency signs are removed)."""

    asset: str | None = None
    asset_column: str | None = None
    decimals: int | None = None
    smallest: bool = False


@dataclass(frozen=True)
class LongForm:
    """Wide columns to rows: ``columns`` maps a source-name pattern holding ``{n}`` (``承認者{n}``)
    to the name of the column it becomes; each ``n`` found in the header gives one row, and the
    number itself goes to the column ``index``. A row whose wide values are all empty is no row."""

    columns: dict[str, str]
    index: str = "n"


@dataclass(frozen=True)
class WorkspaceConfig:
    name: str = "kansa"
    language: str | None = None
    database_url: str = "sqlite:///kansa.db"
    memory_limit: str = "2GB"
    # DuckDB's spill cap; None = half the disk space free when the run starts (see sandbox)
    temp_limit: str | None = None
    threads: int | None = None
    timezone: str | None = None
    mappings: dict[str, DatasetMapping] = field(default_factory=dict)
    asset_decimals: dict[str, int] = field(default_factory=dict)
    chains: dict[str, dict[str, str]] = field(default_factory=dict)
    control_parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    control_paths: tuple[str, ...] = ()
    run_timeout: float = 300.0
    engine: str = "duckdb"
    spark: SparkSettings = field(default_factory=SparkSettings)
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def day_zone(self) -> str:
        """The zone of the business day and of displayed times: ``timezone``, else UTC."""
        return self.timezone or "UTC"


# the sizes DuckDB's memory_limit setting parses: a number and a unit, or a share of RAM
_MEMORY_LIMIT = re.compile(
    r"\s*\d+(\.\d+)?\s*(%|b|bytes|[kmgt]|[kmgt]b|[kmgt]ib)\s*", re.IGNORECASE
)

_MAPPING_KEYS = {
    "rename",
    "constants",
    "casts",
    "drop",
    "timezone",
    "encoding",
    "delimiter",
    "values",
    "formats",
    "amounts",
    "long",
    "sheet",
    "member",
    "templates",
}


def _mapping(dataset: str, data: Any, path: Path) -> DatasetMapping:
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [mappings.{dataset}] must be a table")
    unknown = set(data) - _MAPPING_KEYS
    if unknown:
        raise ConfigError(
            f"{path}: [mappings.{dataset}] has unknown keys {sorted(unknown)}; "
            f"expected some of {sorted(_MAPPING_KEYS)}"
        )
    for key in ("rename", "constants", "casts", "values", "formats", "amounts", "templates"):
        if not isinstance(data.get(key, {}), dict):
            raise ConfigError(f"{path}: mappings.{dataset}.{key} must be a table")
    for key in ("timezone", "encoding", "delimiter", "sheet", "member"):
        if not isinstance(data.get(key, ""), str):
            raise ConfigError(f"{path}: mappings.{dataset}.{key} must be a string")
    where = f"{path}: mappings.{dataset}"
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
        values={
            col: _value_map(f"{where}.values.{col}", body)
            for col, body in data.get("values", {}).items()
        },
        formats={
            col: _formats(f"{where}.formats.{col}", body)
            for col, body in data.get("formats", {}).items()
        },
        amounts={
            col: _amount_units(f"{where}.amounts.{col}", body)
            for col, body in data.get("amounts", {}).items()
        },
        long=_long_form(f"{where}.long", data["long"]) if "long" in data else None,
        sheet=data.get("sheet"),
        member=data.get("member"),
        templates={str(k): str(v) for k, v in data.get("templates", {}).items()},
    )


def _value_map(where: str, body: Any) -> dict[str, str | None]:
    """``{text: value}``; a TOML boolean is the text ``true``/``false``, ``""`` means empty."""
    if not isinstance(body, dict):
        raise ConfigError(f"{where} must be a table of text in the file = value")
    out: dict[str, str | None] = {}
    for raw, value in body.items():
        if isinstance(value, bool):
            out[str(raw)] = "true" if value else "false"
        elif isinstance(value, str | int) and not isinstance(value, bool):
            out[str(raw)] = str(value) if value != "" else None
        else:
            raise ConfigError(f"{where}.{raw!r} must be text, a number or true/false")
    return out


def _formats(where: str, body: Any) -> tuple[str, ...]:
    items = [body] if isinstance(body, str) else body
    if not isinstance(items, list) or not items or not all(isinstance(f, str) for f in items):
        raise ConfigError(f'{where} must be a format or a list of them, e.g. ["%Y/%m/%d"]')
    return tuple(items)


def _amount_units(where: str, body: Any) -> AmountUnits:
    if not isinstance(body, dict):
        raise ConfigError(f'{where} must be a table, e.g. {{ asset_column = "asset" }}')
    unknown = set(body) - {"asset", "asset_column", "decimals", "smallest"}
    if unknown:
        raise ConfigError(f"{where} has unknown keys {sorted(unknown)}")
    decimals = body.get("decimals")
    if decimals is not None and (
        not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 38
    ):
        raise ConfigError(f"{where}.decimals must be a whole number from 0 to 38")
    smallest = body.get("smallest", False)
    chosen = [k for k in ("asset", "asset_column", "decimals") if body.get(k) is not None]
    if smallest is not True and len(chosen) != 1:
        raise ConfigError(
            f"{where}: say which units, with exactly one of asset, asset_column, decimals "
            "(or smallest = true)"
        )
    for key in ("asset", "asset_column"):
        if not isinstance(body.get(key, ""), str):
            raise ConfigError(f"{where}.{key} must be a string")
    return AmountUnits(
        asset=body.get("asset"),
        asset_column=body.get("asset_column"),
        decimals=decimals,
        smallest=smallest is True,
    )


def _long_form(where: str, body: Any) -> LongForm:
    if not isinstance(body, dict) or not isinstance(body.get("columns"), dict):
        raise ConfigError(
            f'{where} must be a table with columns = {{ "承認者{{n}}" = "approver_person_id" }}'
        )
    columns = body["columns"]
    bad = [k for k, v in columns.items() if "{n}" not in k or not isinstance(v, str)]
    if bad or not columns:
        raise ConfigError(f"{where}.columns: each source pattern holds {{n}}: {bad}")
    index = body.get("index", "n")
    if not isinstance(index, str) or not index:
        raise ConfigError(f"{where}.index must be a column name")
    return LongForm(columns={str(k): str(v) for k, v in columns.items()}, index=index)


def _asset_decimals(raw: Any, path: Path) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [assets] must hold tables [assets.TICKER]")
    out: dict[str, int] = {}
    for ticker, body in raw.items():
        decimals = body.get("decimals") if isinstance(body, dict) else None
        if not isinstance(decimals, int) or isinstance(decimals, bool) or not 0 <= decimals <= 38:
            raise ConfigError(f"{path}: assets.{ticker}.decimals must be a whole number 0-38")
        out[str(ticker).upper()] = decimals
    return out


def _run_timeout(run: Any, path: Path) -> float:
    timeout = run.get("timeout", 300) if isinstance(run, dict) else None
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not 0 < timeout < math.inf
    ):
        raise ConfigError(f"{path}: run.timeout must be a number of seconds above 0")
    return float(timeout)


def _engine(run: Any, path: Path) -> str:
    """``[run] engine``: ``duckdb`` (default) or ``spark``."""
    name = run.get("engine", "duckdb") if isinstance(run, dict) else "duckdb"
    return check_engine(name, f"{path}: run.engine")


def _chains(raw: Any, path: Path) -> dict[str, dict[str, str]]:
    """``[chains.NAME] native = "TICKER", address_format = "evm"``: chains beyond the built-in
    registry (kansa.contracts.assets)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: [chains] must hold tables [chains.NAME]")
    out: dict[str, dict[str, str]] = {}
    for name, body in raw.items():
        native = body.get("native") if isinstance(body, dict) else None
        fmt = body.get("address_format") if isinstance(body, dict) else None
        if not isinstance(native, str) or not native.strip():
            raise ConfigError(f"{path}: chains.{name}.native must be an asset ticker")
        if fmt not in ADDRESS_FORMATS[1:]:  # "bitcoin" knows only Bitcoin/Litecoin prefixes
            raise ConfigError(
                f"{path}: chains.{name}.address_format must be one of "
                f"{', '.join(ADDRESS_FORMATS[1:])}"
            )
        if not re.fullmatch(r"[a-z][a-z0-9_-]*", str(name)):
            raise ConfigError(
                f"{path}: chains.{name}: a chain name is lower-case letters, digits, - or _"
            )
        out[str(name)] = {"native": native.strip().upper(), "address_format": str(fmt)}
    return out


def _timezone(value: Any, path: Path) -> str | None:
    """An IANA zone name (the business day's boundary); a typo must not fall back to UTC."""
    if value is None:
        return None
    try:
        if not isinstance(value, str) or not value:
            raise ValueError(value)
        zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ConfigError(
            f"{path}: workspace.timezone must be an IANA time zone such as "
            f'"Asia/Tokyo" or "UTC", not {value!r}'
        ) from None
    return value


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
    temp_limit = ws.get("temp_limit")
    if temp_limit is not None and (
        not isinstance(temp_limit, str) or not _MEMORY_LIMIT.fullmatch(temp_limit)
    ):
        raise ConfigError(
            f'{path}: workspace.temp_limit must be a size such as "50GB", not {temp_limit!r}'
        )
    timezone = _timezone(ws.get("timezone"), path)
    mappings = {name: _mapping(name, body, path) for name, body in raw.get("mappings", {}).items()}
    controls = raw.get("controls", {})
    params = controls.get("parameters", {})
    if not isinstance(params, dict) or not all(isinstance(v, dict) for v in params.values()):
        raise ConfigError(f"{path}: [controls.parameters.ID] entries must be tables")
    return WorkspaceConfig(
        run_timeout=_run_timeout(raw.get("run", {}), path),
        engine=_engine(raw.get("run", {}), path),
        spark=spark_settings(raw.get("spark"), path),
        name=str(ws.get("name", path.parent.name)),
        language=language,
        database_url=str(ws.get("database_url", "sqlite:///kansa.db")),
        memory_limit=memory_limit,
        temp_limit=temp_limit,
        threads=threads,
        timezone=timezone,
        mappings=mappings,
        asset_decimals=_asset_decimals(raw.get("assets", {}), path),
        chains=_chains(raw.get("chains", {}), path),
        control_parameters={k: dict(v) for k, v in params.items()},
        control_paths=tuple(str(p) for p in controls.get("paths", [])),
        raw=raw,
    )


def default_config_text(name: str, timezone: str | None = None) -> str:
    """The commented ``kansa.toml`` written by ``kansa init``."""
    # a JSON string is a valid TOML basic string: quotes, backslashes, newlines come out escaped
    quoted = json.dumps(name, ensure_ascii=False).replace("\x7f", "\\u007f")
    # The business day (a day's loads, every control's day) and displayed times follow this
    # zone, and naive times in exports are read in it: "Asia/Tokyo" for a Japanese exchange.
    zone_line = (
        f"timezone = {json.dumps(timezone)}      # business day, displayed times, naive times"
        if timezone
        else '# timezone = "Asia/Tokyo"    # business day, displayed times, naive times (else UTC)'
    )
    return f"""# Kansa workspace settings / Kansa ワークスペース設定
[workspace]
name = {quoted}
# language = "ja"            # en | ja (default: from KANSA_LANG or LANG)
# App database (findings, runs). SQLite by default; PostgreSQL for teams:
# database_url = "postgresql+psycopg://kansa@db.internal/kansa"
database_url = "sqlite:///kansa.db"
memory_limit = "2GB"         # DuckDB memory cap for ingest and runs
# temp_limit = "50GB"        # cap on what a run spills to disk (default: half the free space)
{zone_line}

# Map your own export onto a data contract without rewriting it, e.g.:
# [mappings.withdrawals]
# rename = {{ "出金ID" = "withdrawal_id", "金額" = "amount" }}
# constants = {{ asset = "BTC" }}
# timezone = "Asia/Tokyo"    # timestamps in the file carry no offset
# encoding = "cp932"
# formats = {{ requested_at = ["%Y/%m/%d %H:%M:%S"] }}
# amounts = {{ amount = {{ asset_column = "asset" }} }}   # coin units -> satoshi/wei
# [mappings.withdrawals.values.status]
# "送金済" = "broadcast"
# (kansa map suggest DATASET FILE proposes a block like this for your file)

# Size limits of input files (defaults shown; see docs/ingest.md), e.g.:
# [ingest]
# max_columns = 10000
# max_line_bytes = 2097152

# Override a control's parameters for this workspace, e.g.:
# [controls.parameters.CUS-001]
# min_cold_share = 0.97
# [controls]
# paths = ["controls"]       # your own controls, linted like the built-in ones

# [run]
# timeout = 300              # seconds per control before it is stopped and recorded as an error
"""

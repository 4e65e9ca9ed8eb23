"""How evidence values read in a report for people: amounts in asset units with the symbol,
times in the workspace's zone, staff names beside their IDs, column names as the contracts
label them in the chosen language.

The evidence itself is untouched (the vault Parquet and the workbook keep exact smallest units
and UTC); this only changes what a reader of the HTML/PDF sees. Rules:

- **Amount**: in a row that has an ``asset`` column, a whole-number decimal column (DECIMAL(p,0):
  how every contract amount and every control's sum of amounts is typed) is that asset's
  smallest unit, shown as ``4,502.90000000 BTC`` using the asset's decimals
  (:mod:`kansa.contracts.assets`, ``[assets.TICKER] decimals`` in kansa.toml). An asset whose
  decimals are unknown keeps its integer with "(smallest unit)".
- **Time**: a timestamp with a time zone is shown in the workspace zone, to the second, with the
  zone's abbreviation (``2026-11-02 10:22:43 JST``).
- **Person**: a value equal to a ``person_id`` of the staff dataset gets the display name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kansa.contracts import load_contracts
from kansa.contracts.assets import asset_decimals
from kansa.reports.column_labels import COMPUTED, computed_label
from kansa.workspace import Workspace

AMOUNT, TIME, OTHER = "amount", "time", "other"
_LABEL_ENDS = (";", "；", "(", "（", "。", ",", "、")


def workspace_zone(ws: Workspace, run_payload: dict[str, Any] | None = None) -> str:
    """The zone times are shown in: the run's, else kansa.toml ``[workspace] timezone``, else UTC."""
    chosen = (run_payload or {}).get("timezone") or getattr(ws.config, "timezone", None)
    chosen = chosen or ws.config.raw.get("workspace", {}).get("timezone") or "UTC"
    try:
        zoneinfo.ZoneInfo(str(chosen))
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return "UTC"  # an unknown zone is refused where kansa.toml is read; never guess here
    return str(chosen)


def workspace_decimals(ws: Workspace) -> dict[str, int]:
    """Built-in asset decimals with the workspace's ``[assets.TICKER] decimals`` on top."""
    extra = getattr(ws.config, "asset_decimals", None)
    if extra is None:
        assets = ws.config.raw.get("assets", {})
        extra = {
            str(k): int(v["decimals"])
            for k, v in (assets.items() if isinstance(assets, dict) else [])
            if isinstance(v, dict) and isinstance(v.get("decimals"), int)
        }
    return asset_decimals(extra)


def short_label(description: str) -> str:
    """A contract column description cut to a label: ``Requested amount; ...`` -> ``Requested
    amount``, ``顧客識別子（仮名。...）`` -> ``顧客識別子``."""
    cut = len(description)
    for mark in _LABEL_ENDS:
        at = description.find(mark)
        if 0 < at < cut:
            cut = at
    return description[:cut].strip()


def column_labels(language: str, datasets: tuple[str, ...] = ()) -> dict[str, str]:
    """Column name -> label in ``language``: the named datasets' contracts first, then any,
    then the labels of columns controls compute (:mod:`kansa.reports.column_labels`)."""
    contracts = load_contracts()
    order = [contracts[d] for d in datasets if d in contracts]
    order += [c for name, c in contracts.items() if name not in datasets]
    labels: dict[str, str] = {}
    for contract in order:
        for col in contract.columns:
            labels.setdefault(col.name, short_label(col.description.get(language)))
    for name in COMPUTED:
        labels.setdefault(name, computed_label(name, language) or name)
    return labels


def staff_names(path: Path | None) -> dict[str, str]:
    """person_id -> display_name from a staff snapshot file (empty when there is none)."""
    if path is None or not path.is_file():
        return {}
    table = pq.read_table(path, columns=["person_id", "display_name"])
    ids = table.column("person_id").to_pylist()
    names = table.column("display_name").to_pylist()
    return {str(i): str(n) for i, n in zip(ids, names, strict=True) if i and n}


def column_kinds(path: Path) -> list[str]:
    """AMOUNT / TIME / OTHER for each column of an exception file (its schema only)."""
    schema = pq.read_schema(path)
    has_asset = "asset" in schema.names
    kinds = []
    for f in schema:
        if has_asset and pa.types.is_decimal(f.type) and f.type.scale == 0:
            kinds.append(AMOUNT)
        elif pa.types.is_timestamp(f.type) and f.type.tz is not None:
            kinds.append(TIME)
        else:
            kinds.append(OTHER)
    return kinds


@dataclass
class Presentation:
    language: str = "en"
    zone: str = "UTC"
    decimals: dict[str, int] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.zone)

    def time(self, value: str | dt.datetime | None) -> str:
        """An instant in the workspace zone: ``2026-11-02 10:22:43 JST``; text kept if unparsable."""
        if value is None or value == "":
            return ""
        try:
            when = value if isinstance(value, dt.datetime) else _instant(str(value))
        except ValueError:
            return str(value)
        if when.tzinfo is None:
            return str(value)  # a naive time says nothing of its zone: shown as recorded
        local = when.astimezone(self.tz)
        return f"{local:%Y-%m-%d %H:%M:%S} {local.tzname()}"

    def amount(self, units: str | int | Decimal | None, asset: str | None) -> str:
        """``450290000000`` BTC -> ``4,502.90000000 BTC``; exact, never rounded."""
        if units is None or units == "":
            return ""
        try:
            whole = Decimal(str(units))
        except InvalidOperation:
            return str(units)
        places = self.decimals.get((asset or "").upper())
        if places is None or whole != whole.to_integral_value():
            unit = "smallest unit" if self.language == "en" else "最小単位"
            return f"{whole:,} ({unit}{' ' + asset if asset else ''})"
        coins = whole.scaleb(-places)
        return f"{coins:,.{places}f} {asset}"

    def person(self, value: str) -> str:
        name = self.people.get(value)
        return f"{value} ({name})" if name else value

    def row(self, columns: list[str], kinds: list[str], values: list[str]) -> list[str]:
        """One exception row as a reader sees it."""
        asset = values[columns.index("asset")] if "asset" in columns else None
        out = []
        for kind, value in zip(kinds, values, strict=True):
            if kind == AMOUNT:
                out.append(self.amount(value, asset))
            elif kind == TIME:
                out.append(self.time(value))
            else:
                out.append(self.person(value))
        return out


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))

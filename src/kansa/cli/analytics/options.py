"""The options every analytics command spells the same way, and the parsers of their values.

Declared once here so that ``--json``, ``-o``, ``--filter``, ``--limit`` and the dataset
argument read and behave alike in every command."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated

import typer

from kansa.errors import KansaError
from kansa.i18n import tr

DatasetArg = Annotated[str, typer.Argument(help="Dataset in the vault.")]
ColumnOpt = Annotated[str, typer.Option(help="Numeric column.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the workpaper as JSON.")]
OutOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Export to FILE (.xlsx, .json or .csv).")
]
EngineOpt = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Run the SQL on duckdb or spark (default: run.engine in kansa.toml).",
        metavar="duckdb|spark",
    ),
]
LimitOpt = Annotated[int, typer.Option(help="Most records kept in the workpaper.")]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option("--filter", help="Keep records where COLUMN=VALUE (repeatable), e.g. asset=ETH."),
]


def parse_filters(items: list[str] | None) -> dict[str, str]:
    """``--filter COLUMN=VALUE`` options as a mapping, refusing anything else."""
    out: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise KansaError(
                tr(
                    f"--filter {item!r}: use COLUMN=VALUE.",
                    f"--filter {item!r}: 列=値 の形で指定してください。",
                )
            )
        out[name.strip()] = value
    return out


def parse_decimal(text: str | None, name: str) -> Decimal | None:
    """An amount as typed (``1,000_000`` allowed), exact; ``None`` stays ``None``."""
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation as exc:
        raise KansaError(
            tr(f"{name}: {text!r} is not a number.", f"{name}: {text!r} は数値ではありません。")
        ) from exc


def split_list(text: str) -> list[str]:
    """A comma-separated option as its non-empty items."""
    return [p.strip() for p in text.split(",") if p.strip()]

"""``kansa datasets``: list the data contracts and show one in full or as JSON Schema."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from kansa.cli.context import console
from kansa.cli.terminal import print_json
from kansa.contracts import Column, Contract, get_contract, load_contracts, to_json_schema
from kansa.i18n import lang, tr

datasets_app = typer.Typer(
    help="Data contracts: what each dataset must contain. / データ契約（各データセットの定義）。",
    no_args_is_help=False,
    invoke_without_command=True,
)


class ShowFormat(StrEnum):
    table = "table"
    json = "json"
    json_schema = "json-schema"


@datasets_app.callback()
def datasets(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List every data contract, one line each."""
    if ctx.invoked_subcommand is not None:
        return
    contracts = load_contracts()
    if as_json:
        print_json([c.summary() for c in contracts.values()])
        return
    table = Table(box=None, pad_edge=False, header_style="bold")
    for head in (
        tr("dataset", "データセット"),
        tr("v", "版"),
        tr("cols", "列数"),
        tr("key", "主キー"),
        tr("title", "名称"),
    ):
        table.add_column(head, no_wrap=True, overflow="ellipsis")
    for c in contracts.values():
        table.add_row(
            c.name,
            str(c.version),
            str(len(c.columns)),
            ",".join(c.primary_key),
            c.title.get(lang()),
        )
    console.print(table)


def _rule(col: Column) -> str:
    """The value constraints of a column in a few words."""
    parts: list[str] = []
    if col.allowed:
        parts.append(" | ".join(col.allowed))
    if col.pattern:
        parts.append(f"~ {col.pattern}")
    if col.minimum is not None:
        parts.append(f">= {col.minimum:g}")
    if col.maximum is not None:
        parts.append(f"<= {col.maximum:g}")
    if col.unique:
        parts.append(tr("unique", "一意"))
    return "; ".join(parts)


def contract_table(c: Contract) -> Table:
    """All columns of one contract as a Rich table (key columns marked)."""
    ui = lang()
    table = Table(
        title=f"{c.name} v{c.version_id}: {c.title.get(ui)}",
        caption=c.description.get(ui),
        title_justify="left",
        caption_justify="left",
        expand=console.is_terminal,  # piped: no padding to the wide piped width
    )
    for head in (
        tr("column", "列"),
        tr("type", "型"),
        tr("null", "NULL"),
        tr("key", "キー"),
        tr("unit", "単位"),
        tr("values", "値の制約"),
        tr("refers to", "参照先"),
        tr("description", "説明"),
    ):
        table.add_column(head, overflow="fold")
    table.columns[0].no_wrap = True  # a column name is what users copy: never break it
    for shown, ratio in zip(table.columns[4:], (1, 2, 1, 3), strict=True):
        shown.ratio = ratio  # spare width goes to the description first
    for field in c.columns:
        table.add_row(
            field.name,
            field.type,
            tr("yes", "可") if field.nullable else "",
            "PK" if field.name in c.primary_key else "",
            field.unit or "",
            _rule(field),
            c.references.get(field.name, ""),
            field.description.get(ui),
        )
    return table


def contract_json(c: Contract) -> dict[str, object]:
    """The full contract as plain JSON (both languages)."""
    return {
        **c.summary(),
        "description": {"en": c.description.en, "ja": c.description.ja},
        "references": dict(c.references),
        "columns": [
            {
                "name": col.name,
                "type": col.type,
                "storage": col.duckdb_type,
                "nullable": col.nullable,
                "unit": col.unit,
                "allowed": list(col.allowed) if col.allowed else None,
                "pattern": col.pattern,
                "minimum": col.minimum,
                "maximum": col.maximum,
                "unique": col.unique,
                "description": {"en": col.description.en, "ja": col.description.ja},
            }
            for col in c.columns
        ],
    }


@datasets_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="Dataset name, e.g. withdrawals.")],
    fmt: Annotated[
        ShowFormat,
        typer.Option("--format", "-f", help="table, json or json-schema (draft 2020-12)."),
    ] = ShowFormat.table,
) -> None:
    """Show one data contract in full."""
    c = get_contract(name)
    if fmt is ShowFormat.json_schema:
        print_json(to_json_schema(c))
    elif fmt is ShowFormat.json:
        print_json(contract_json(c))
    else:
        console.print(contract_table(c))


@datasets_app.command("status")
def status(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON (rows of every day).")
    ] = False,
) -> None:
    """What the vault holds of each dataset: days covered, gaps, rows per day, last load."""
    from kansa.cli.datasets_status import print_status

    print_status(ctx, as_json)


def register(app: typer.Typer) -> None:
    """Add ``kansa datasets`` and ``kansa datasets show`` to the root app."""
    app.add_typer(datasets_app, name="datasets")

"""``kansa ingest DATASET FILE``: validate a file against its contract and vault it, or nothing."""

from __future__ import annotations

import codecs
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kansa.cli.context import console, err_console, workspace
from kansa.cli.ingest_change import change_lines, expand_files, parse_days
from kansa.cli.terminal import print_json, verbatim
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest import InvalidData, ingest_file


class Rejected(KansaError):
    """The problems are printed already; this carries the one-line verdict and exit code 1."""

    exit_code = 1


class Encoding(StrEnum):
    utf_8 = "utf-8"
    utf_8_sig = "utf-8-sig"
    cp932 = "cp932"
    shift_jis = "shift_jis"


class Format(StrEnum):
    csv = "csv"
    parquet = "parquet"
    jsonl = "jsonl"


def _delimiter(typed: str | None) -> str | None:
    """The delimiter as typed (any character, e.g. ``、``), or an escape such as ``\\t``."""
    if typed is None or not typed.isascii() or "\\" not in typed:
        return typed
    try:
        return codecs.decode(typed, "unicode_escape")
    except UnicodeDecodeError:
        raise KansaError(
            tr(
                f"--delimiter {typed!r} is not a character or an escape such as \\t.",
                f"--delimiter {typed!r} は 1 文字か \\t のようなエスケープではありません。",
            )
        ) from None


def _problems_table(exc: InvalidData) -> Table:
    table = Table(title=verbatim(exc.message.splitlines()[0]), title_justify="left")
    for head in (tr("line", "行"), tr("column", "列"), tr("value", "値"), tr("expected", "期待")):
        table.add_column(head, overflow="fold")
    for p in exc.problems:
        where = str(p.line) if p.line is not None else (f"#{p.row}" if p.row is not None else "")
        value = "" if p.value is None else repr(p.to_json()["value"])
        # user data is shown as plain text, never read as Rich markup
        table.add_row(where, verbatim(p.column), verbatim(value), verbatim(p.expected))
    rest = exc.total - len(exc.problems)
    if rest > 0:
        table.caption = tr(f"... and {rest} more", f"... ほか {rest} 件")
    return table


def ingest(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset (contract) name, e.g. withdrawals.")],
    files: Annotated[
        list[str],
        typer.Argument(
            help="CSV, Parquet, JSON Lines, .xlsx, .csv.gz or .zip file(s); a quoted glob such as "
            "'exports/withdrawals_*.csv' loads many files all-or-nothing.",
            metavar="FILE...",
        ),
    ],
    encoding: Annotated[
        Encoding | None,
        typer.Option("--encoding", help="CSV/JSONL text encoding (default: UTF-8, BOM detected)."),
    ] = None,
    fmt: Annotated[
        Format | None, typer.Option("--format", help="File format (default: from the extension).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="CSV field delimiter (default ',').")
    ] = None,
    sheet: Annotated[
        str | None, typer.Option("--sheet", help="Excel sheet to read (default: the mapping's).")
    ] = None,
    member: Annotated[
        str | None, typer.Option("--member", help="CSV inside a .zip (default: the mapping's).")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace the days the file carries that are already loaded."
        ),
    ] = False,
    day: Annotated[
        list[str] | None,
        typer.Option(
            "--day", help="A day the file covers, YYYY-MM-DD (repeat; a day with no rows)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    no_progress: Annotated[
        bool, typer.Option("--no-progress", help="Do not show a progress bar.")
    ] = False,
) -> None:
    """Check every row of FILE against the contract and store it as an immutable snapshot.

    All or nothing: a file with any problem changes nothing (exit code 1). A dated dataset
    (balances, withdrawals, logs...) is stored by day: new days are added, a day already
    loaded is refused unless --replace, which replaces exactly the file's days.
    """
    ws = workspace(ctx)
    paths = expand_files(files)
    try:
        snap = ingest_file(
            ws,
            dataset,
            paths,
            encoding=encoding.value if encoding else None,
            fmt=fmt.value if fmt else None,
            delimiter=_delimiter(delimiter),
            progress=not (no_progress or as_json),
            sheet=sheet,
            member=member,
            replace=replace,
            days=parse_days(day),
        )
    except InvalidData as exc:
        if as_json:
            print_json(exc.to_json())
        else:
            err_console.print(_problems_table(exc))
        # a KansaError (not typer.Exit) so that the exit code 1 reaches the shell
        raise Rejected(exc.message.splitlines()[0], hint=exc.hint) from None
    if as_json:
        out = {"ok": True, "seq": snap.seq, "path": str(snap.path), **snap.payload}
        print_json(out)
        return
    names = (
        paths[0].name if len(paths) == 1 else tr(f"{len(paths)} files", f"{len(paths)} ファイル")
    )
    loaded = snap.payload.get("rows_loaded", snap.rows)
    console.print(
        tr(
            f"[green]Ingested[/] {escape(names)} -> {escape(dataset)}: {loaded:,} rows, "
            f"snapshot {snap.sha256[:12]}, ledger entry {snap.seq}",
            f"[green]取り込み完了[/] {escape(names)} -> {escape(dataset)}: {loaded:,} 行、"
            f"スナップショット {snap.sha256[:12]}、台帳エントリ {snap.seq}",
        ),
        highlight=False,
        soft_wrap=True,
    )
    for line in change_lines(snap.payload):
        console.print(line, highlight=False, soft_wrap=True, markup=False)


def register(app: typer.Typer) -> None:
    """Add ``kansa ingest`` to the root app."""
    app.command("ingest")(ingest)

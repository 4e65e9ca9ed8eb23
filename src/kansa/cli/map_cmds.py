"""``kansa map``: the mapping assistant. ``suggest`` proposes a ``[mappings.DATASET]`` block
from an export; ``check`` dry-runs an ingest of it (and changes nothing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from kansa.cli.context import console, err_console, workspace
from kansa.cli.ingest_cmds import Encoding, Rejected, _delimiter, _problems_table
from kansa.cli.terminal import print_document, print_json, verbatim
from kansa.contracts import get_contract
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest import InvalidData
from kansa.workspace.config import CONFIG_FILE, load_config

map_app = typer.Typer(
    help="Mapping assistant: propose and check a mapping of your export. / マッピング支援。",
    no_args_is_help=True,
)

SheetOpt = Annotated[
    str | None, typer.Option("--sheet", help="Excel sheet to read (default: the one that fits).")
]
MemberOpt = Annotated[
    str | None, typer.Option("--member", help="CSV inside a .zip to read (name or pattern).")
]


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise KansaError(tr(f"No such file: {path}", f"ファイルがありません: {path}"))
    return path


@map_app.command("suggest")
def suggest_cmd(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset (contract) name, e.g. withdrawals.")],
    files: Annotated[
        list[Path],
        typer.Argument(help="One or more exports of the same layout (CSV, .csv.gz, .zip, .xlsx)."),
    ],
    sheet: SheetOpt = None,
    member: MemberOpt = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the proposal to this file.")
    ] = None,
    append: Annotated[
        bool, typer.Option("--append", help="Append the proposal to the workspace's kansa.toml.")
    ] = False,
) -> None:
    """Read the header and a sample of FILES and propose a mapping block to review."""
    from kansa.ingest.suggest import suggest

    ws = workspace(ctx)
    contract = get_contract(dataset)
    for f in files:
        _existing(f)
    known_zone = ws.config.timezone is not None
    proposal = suggest(
        contract,
        files[0],
        sheet=sheet,
        member=member,
        timezone_known=known_zone,
        also=tuple(files[1:]),
    )
    text = proposal.toml(contract)
    if append:
        _append(ws.root / CONFIG_FILE, dataset, text)
        err_console.print(
            tr(
                f"Appended [mappings.{dataset}] to {CONFIG_FILE}: review it, then run kansa map check.",
                f"{CONFIG_FILE} に [mappings.{dataset}] を追記しました。確認のうえ kansa map check を実行してください。",
            ),
            highlight=False,
            markup=False,
        )
    elif output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        print_document(text)


def _append(config: Path, dataset: str, text: str) -> None:
    """Append only a block that leaves kansa.toml valid and has no mapping of the dataset yet."""
    if dataset in load_config(config).mappings:
        raise KansaError(
            tr(
                f"{CONFIG_FILE} already has [mappings.{dataset}]; nothing was changed.",
                f"{CONFIG_FILE} には既に [mappings.{dataset}] があります。変更していません。",
            ),
            hint=tr(
                "Print the proposal (without --append) and merge it by hand.",
                "--append なしで提案を表示し、手で統合してください。",
            ),
        )
    current = config.read_text(encoding="utf-8")
    combined = current + ("" if current.endswith("\n") else "\n") + "\n" + text
    probe = config.with_name(f".{CONFIG_FILE}.proposed")
    try:
        probe.write_text(combined, encoding="utf-8")
        load_config(probe)
    finally:
        probe.unlink(missing_ok=True)
    config.write_text(combined, encoding="utf-8")


@map_app.command("check")
def check_cmd(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset (contract) name, e.g. withdrawals.")],
    file: Annotated[Path, typer.Argument(help="The export to check.")],
    encoding: Annotated[
        Encoding | None, typer.Option("--encoding", help="Text encoding (default: the mapping's).")
    ] = None,
    delimiter: Annotated[
        str | None, typer.Option("--delimiter", help="CSV field delimiter (default ',').")
    ] = None,
    sheet: SheetOpt = None,
    member: MemberOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Dry run: what an ingest of FILE would find and do. Changes nothing.

    Exit code 0 when an ingest would accept the file, 1 when it would refuse it.
    """
    from kansa.ingest.dryrun import check_file

    ws = workspace(ctx)
    report = check_file(
        ws,
        dataset,
        file,
        encoding=encoding.value if encoding else None,
        delimiter=_delimiter(delimiter),
        sheet=sheet,
        member=member,
    )
    if as_json:
        print_json(report.to_json())
    else:
        _print(report)
    if not report.ok:
        raise Rejected(
            tr(
                f"An ingest would refuse {report.file}: {report.total_problems} problem(s). Nothing was changed.",
                f"取り込みは {report.file} を拒否します（問題 {report.total_problems} 件）。何も変更していません。",
            )
        )


def _print(report: object) -> None:
    from kansa.ingest.dryrun import DryRun

    assert isinstance(report, DryRun)
    if report.rows is not None:
        table = Table(
            title=Text(
                tr(f"{report.file}: {report.rows:,} rows", f"{report.file}: {report.rows:,} 行")
            ),
            title_justify="left",
        )
        for head in (tr("column", "列"), tr("type", "型"), tr("empty", "空")):
            table.add_column(head, no_wrap=True)
        for head in ("min", "max"):
            table.add_column(head, overflow="fold")
        for c in report.columns:
            table.add_row(
                verbatim(c.name), c.type, f"{c.empty:,}", verbatim(c.low), verbatim(c.high)
            )
        console.print(table)
    if report.unmapped:
        table = Table(title=tr("Values no map covers", "対応付けのない値"), title_justify="left")
        for head in (
            tr("column", "列"),
            tr("value", "値"),
            tr("rows", "行数"),
            tr("first line", "最初の行"),
        ):
            table.add_column(head, overflow="fold")
        for u in report.unmapped:
            table.add_row(
                verbatim(u["column"]),
                verbatim(repr(u["value"])),
                str(u["rows"]),
                str(u["first_line"] or ""),
            )
        console.print(table)
    if report.problems:
        console.print(
            _problems_table(InvalidData(report.file, report.problems, report.total_problems))
        )
        return
    if report.current_rows is None:
        what = tr(
            f"An ingest would store the first snapshot of {report.dataset}: {report.rows:,} rows.",
            f"取り込むと {report.dataset} の最初のスナップショット（{report.rows:,} 行）を保存します。",
        )
    else:
        assert report.current_snapshot is not None
        what = tr(
            f"An ingest would store a new snapshot of {report.dataset}: {report.rows:,} rows "
            f"(the current one, {report.current_snapshot[:12]}, has {report.current_rows:,}).",
            f"取り込むと {report.dataset} の新しいスナップショット（{report.rows:,} 行）を保存します"
            f"（現在の {report.current_snapshot[:12]} は {report.current_rows:,} 行）。",
        )
    console.print(what + tr(" Nothing was changed.", " 何も変更していません。"), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``kansa map`` to the root app."""
    app.add_typer(map_app, name="map")

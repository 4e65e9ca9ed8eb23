"""How an analysis reaches the user: filed as a workpaper, exported with ``-o``, printed as
JSON with ``--json`` or as tables on the console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from kansa.analytics import Analysis, export, file_workpaper
from kansa.analytics.result import Table
from kansa.analytics.workbook import cell_value
from kansa.analytics.workpaper import build_document
from kansa.cli.context import console, err_console
from kansa.cli.terminal import print_json, verbatim
from kansa.i18n import lang, tr
from kansa.workspace import Workspace

SHOWN_ROWS = 25  # rows of a table printed on the console; the workpaper holds them all


@contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner on stderr (stdout stays clean for --json) while DuckDB works."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as p:
        p.add_task(what, total=None)
        yield


def deliver(ws: Workspace | None, a: Analysis, as_json: bool, output: Path | None) -> None:
    """File the workpaper (when there is a workspace), export it, print it."""
    filed = file_workpaper(ws, a) if ws is not None else None
    doc = filed.document if filed is not None else build_document(a)
    if output is not None:
        export(a, doc, output, filed)
    where = {"ledger_seq": filed.ledger_seq, "files": filed.files} if filed else None
    if as_json:
        print_json({**doc, "workpaper": where}, indent=1)
        return
    render(a, doc, where, output)


def render(
    a: Analysis, doc: dict[str, Any], where: dict[str, Any] | None, output: Path | None
) -> None:
    """The console view: title, tables, record count, conclusion, where it was filed."""
    ja = lang() == "ja"
    console.print(verbatim(a.title["ja" if ja else "en"]), style="bold")
    for t in a.tables:
        _print_table(t)
    if a.records is not None:
        n = a.records.total or len(a.records.rows)
        console.print(tr(f"Records listed: {n}", f"一覧レコード数: {n}"))
    console.print(verbatim(a.conclusion["ja" if ja else "en"]), highlight=False)
    _print_filed(doc, where)
    if output:
        console.print(tr(f"Exported to {output}", f"{output} に出力しました"), style="dim")


def _print_table(t: Table) -> None:
    rt = RichTable(title=verbatim(t.name), show_lines=False)
    for c in t.columns:
        rt.add_column(verbatim(c), overflow="fold")
    for row in t.rows[:SHOWN_ROWS]:
        rt.add_row(*[verbatim(_short(v)) for v in row])
    console.print(rt)
    if len(t.rows) > SHOWN_ROWS:
        console.print(
            tr(
                f"... {len(t.rows)} rows in all (see the workpaper)",
                f"... 全 {len(t.rows)} 行（調書を参照）",
            )
        )


def _print_filed(doc: dict[str, Any], where: dict[str, Any] | None) -> None:
    if where:
        console.print(
            tr(
                f"Workpaper {doc['id']} filed (ledger #{where['ledger_seq']}).",
                f"調書 {doc['id']} を登録しました（台帳 #{where['ledger_seq']}）。",
            ),
            style="dim",
        )
    else:
        console.print(
            tr("Not filed: no workspace.", "ワークスペースがないため登録していません。"),
            style="dim",
        )


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(cell_value(v)) if v is not None else ""

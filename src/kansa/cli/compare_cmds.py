"""``kansa compare RUN_A RUN_B``: do two runs give the same verdicts and exception rows?

The comparison is :mod:`kansa.engine.compare_runs`; this module prints it and exits 0 when
the runs agree, 1 when anything differs (2, from :class:`~kansa.errors.KansaError`, for an
unknown run id). It is read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from kansa.cli.context import console, err_console, workspace
from kansa.cli.terminal import print_json, verbatim
from kansa.engine.compare_runs import RunComparison, compare_runs
from kansa.i18n import tr

_WHAT_JA = {
    "missing": "片方のみ",
    "status": "結果",
    "population": "母集団",
    "exceptions": "例外件数",
    "rows": "例外行",
    "evidence": "証跡改ざん",
}


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[str, int], None]]:
    bar = Progress(
        TextColumn(tr("comparing controls", "コントロール比較中")),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        console=err_console,
        transient=True,
        disable=not enabled,
    )
    with bar:
        task = bar.add_task("compare", total=None, last="")
        yield lambda cid, total: bar.update(task, total=total, advance=1, last=cid)


def _summary(found: RunComparison) -> str:
    n = found.counts()
    return tr(
        f"{n['controls']} controls: {n['same_verdicts']} equal verdicts, "
        f"{n['same_exception_sets']} of {n['exception_sets']} exception sets equal, "
        f"{n['rows_compared']:,} rows compared"
        + (f"; {n['differing']} differ" if n["differing"] else ""),
        f"{n['controls']} コントロール: 結果一致 {n['same_verdicts']}、"
        f"例外集合一致 {n['same_exception_sets']}/{n['exception_sets']}、"
        f"比較した行 {n['rows_compared']:,}"
        + (f"; 相違 {n['differing']}" if n["differing"] else ""),
    )


def _table(found: RunComparison) -> Table:
    a, b = found.run_a, found.run_b
    table = Table(
        title=tr(
            f"A = {a['id']} ({a['engine']}, as of {a['as_of']})  "
            f"B = {b['id']} ({b['engine']}, as of {b['as_of']})",
            f"A = {a['id']}（{a['engine']}、基準日 {a['as_of']}）  "
            f"B = {b['id']}（{b['engine']}、基準日 {b['as_of']}）",
        ),
        title_justify="left",
        show_lines=True,
    )
    table.add_column(tr("control", "コントロール"), no_wrap=True)
    table.add_column(tr("differs", "相違"), no_wrap=True)
    table.add_column(tr("first differences (A != B)", "最初の相違（A != B）"), overflow="fold")
    for c in found.differing:
        whats = dict.fromkeys(d.what for d in c.differences)
        table.add_row(
            c.control_id,
            ", ".join(tr(w, _WHAT_JA[w]) for w in whats),
            Text("\n").join(verbatim(d.detail) for d in c.differences),
        )
    return table


def compare(
    ctx: typer.Context,
    run_a: Annotated[str, typer.Argument(help="The reference run id (e.g. the DuckDB run).")],
    run_b: Annotated[str, typer.Argument(help="The run to check against it.")],
    controls: Annotated[
        str | None,
        typer.Option("--controls", help="Only these control ids or globs: 'KEY-*,WDR-001'."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare two runs: verdicts, counts and exception rows, value by value (exit 1: differ)."""
    ws = workspace(ctx)
    with _progress(not json_out) as advance:
        found = compare_runs(ws, run_a, run_b, controls=controls, on_control=advance)
    if json_out:
        print_json(found.to_dict(), indent=1, default=str)
    else:
        if found.differing:
            console.print(_table(found))
        style = "green" if found.equal else "bold red"
        console.print(f"[{style}]{_summary(found)}[/]", highlight=False)
    raise typer.Exit(0 if found.equal else 1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("compare")(compare)

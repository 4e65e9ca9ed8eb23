"""``kansa demo``: generate the demo exchange, then ingest it into a workspace."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kansa.cli.context import console, state
from kansa.cli.terminal import print_json
from kansa.demo import DemoParams, DemoResult, generate, ingest_demo
from kansa.demo.generate import STAGES
from kansa.demo.sanctions import default_ofac_dir
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.workspace import Workspace, create_workspace, find_workspace


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _generate(params: DemoParams, out: Path, ofac_dir: Path) -> DemoResult:
    labels = {
        "organisation": tr("organisation, keys, logs", "組織・鍵・ログ"),
        "customer ledger": tr("customer ledger", "顧客残高"),
        "transfers": tr("withdrawals and balances", "出金・ウォレット残高"),
        "files": tr("writing files", "ファイル書き出し"),
    }
    with _progress() as bar:
        tasks = {name: bar.add_task(labels[name], total=100) for name, _ in STAGES}

        def report(stage: str, done: float) -> None:
            bar.update(tasks[stage], completed=100 * done)

        return generate(params, out, ofac_dir=ofac_dir, progress=report)


def _workspace(ctx: typer.Context, workspace_dir: Path | None) -> Workspace:
    if workspace_dir is None:
        return find_workspace(state(ctx).workspace_path)
    if (workspace_dir / "kansa.toml").is_file():
        return find_workspace(workspace_dir)
    from kansa.appdb import upgrade

    ws = create_workspace(workspace_dir)
    upgrade(ws.database_url)
    console.print(
        tr(f"Created workspace at {ws.root}", f"ワークスペースを {ws.root} に作成しました")
    )
    return ws


def demo(
    ctx: typer.Context,
    customers: Annotated[int, typer.Option(help="Number of customers.")] = 100_000,
    days: Annotated[int, typer.Option(help="Days of activity (7-365).")] = 30,
    seed: Annotated[int, typer.Option(help="Seed: same seed, same bytes.")] = 7,
    start: Annotated[
        str, typer.Option(help="First day of the period, YYYY-MM-DD (UTC).")
    ] = "2026-10-27",
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the source files (default: WORKSPACE/demo/source)."),
    ] = None,
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv.")] = "parquet",
    workspace_dir: Annotated[
        Path | None,
        typer.Option(help="Create (or reuse) this workspace and ingest into it."),
    ] = None,
    no_ingest: Annotated[
        bool, typer.Option("--no-ingest", help="Only write the files; ingest nothing.")
    ] = False,
    ofac_dir: Annotated[
        Path | None, typer.Option(help="Folder of the OFAC lists (default: ../shared/data).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Generate a realistic Japanese exchange with seeded control failures, and ingest it."""
    try:
        first = date.fromisoformat(start)
    except ValueError as exc:
        raise KansaError(
            tr(
                f"--start {start!r} is not YYYY-MM-DD.",
                f"--start {start!r} は YYYY-MM-DD 形式ではありません。",
            )
        ) from exc
    try:
        first + timedelta(days=max(days, 0) + 1)
    except OverflowError:
        raise KansaError(
            tr(
                f"--start {start}: the {days} days of activity run past the last date.",
                f"--start {start}: {days} 日間の期間が日付の上限を超えます。",
            )
        ) from None
    params = DemoParams(
        customers=customers, days=days, seed=seed, start=first, file_format=file_format
    )
    if out is not None and out.exists() and not out.is_dir():
        raise KansaError(
            tr(
                f"--out {out} is a file; give a folder for the source files.",
                f"--out {out} はファイルです。ソースファイル用のフォルダを指定してください。",
            )
        )
    ws = None if no_ingest and workspace_dir is None else _workspace(ctx, workspace_dir)
    folder = out or (ws.root / "demo" / "source" if ws else Path("kansa-demo-data"))
    began = time.perf_counter()
    result = _generate(params, folder.resolve(), ofac_dir or default_ofac_dir())
    generated = time.perf_counter() - began
    snapshots = {}
    if ws is not None and not no_ingest:
        snapshots = ingest_demo(ws, result, progress=_progress)
    summary = {
        "folder": str(result.folder),
        "seconds_generate": round(generated, 2),
        "seconds_total": round(time.perf_counter() - began, 2),
        "rows": result.rows,
        "ground_truth": str(result.ground_truth),
        "workspace": str(ws.root) if ws and not no_ingest else None,
        "snapshots": snapshots,
        "notes": result.notes,
    }
    if as_json:
        print_json(summary)
        return
    _print_summary(result, summary)


def _print_summary(result: DemoResult, summary: dict[str, object]) -> None:
    table = Table(title=tr("Demo exchange", "デモ取引所"), title_justify="left")
    table.add_column(tr("dataset", "データセット"))
    table.add_column(tr("rows", "行数"), justify="right")
    for name, rows in sorted(result.rows.items()):
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        tr(
            f"Files in {result.folder} ({summary['seconds_generate']} s); ground truth: {result.ground_truth}",
            f"ファイル: {result.folder}（{summary['seconds_generate']} 秒）、正解データ: {result.ground_truth}",
        )
    )
    if summary["workspace"]:
        console.print(
            tr(
                f"Ingested into {summary['workspace']} ({summary['seconds_total']} s in all).",
                f"{summary['workspace']} に取り込みました（合計 {summary['seconds_total']} 秒）。",
            )
        )
    for note in result.notes:
        console.print(f"[yellow]{note}[/]")


def register(app: typer.Typer) -> None:
    """Add ``kansa demo`` to the root app."""
    app.command("demo")(demo)

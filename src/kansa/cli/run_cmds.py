"""``kansa run``, ``kansa results``, ``kansa runs`` (``kansa findings`` is in findings_cmds)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import duckdb
import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from kansa.appdb import ControlResult, Database, Run
from kansa.cli.context import console, err_console, workspace
from kansa.cli.dates import parse_day
from kansa.cli.db_cmds import catch_up
from kansa.cli.engines import Engine
from kansa.cli.run_replay import coverage_reason, replay_run, status_label
from kansa.cli.terminal import print_json, verbatim
from kansa.controls import Control, load_catalog
from kansa.engine import (
    INCOMPLETE,
    NOT_TESTED,
    RunResult,
    parse_assignments,
    run_controls,
    select_controls,
)
from kansa.engine import exceptions as exc_rows
from kansa.engine.parameters import check_control_ids
from kansa.engine.signals import InterruptedAfterCommit, sigint_deferred
from kansa.engine.truth import score_run
from kansa.errors import KansaError
from kansa.findings import LABELS, Change, configured_scopes
from kansa.findings.reconcile import not_written, store_run
from kansa.i18n import lang, tr
from kansa.spelling import did_you_mean
from kansa.workspace import Workspace
from kansa.workspace.outputs import refuse_protected_output

_KIND_JA = {
    "opened": "新規",
    "updated": "更新",
    "retest_passed": "再テスト合格（承認待ち）",
    "error": "エラー（継続）",
    "not_tested": "未実施（継続）",
    "incomplete": "データ不足（継続）",
}
STATUS_STYLE = {
    "pass": "green",
    "fail": "bold red",
    "error": "bold magenta",
    "not_tested": "bold yellow",
    "incomplete": "bold yellow",
}


class FailOn(StrEnum):
    never = "never"
    fail = "fail"
    error = "error"


def _catalog(ws: Workspace) -> dict[str, Control]:
    return load_catalog([ws.resolve(p) for p in ws.config.control_paths])


def _title(catalog: dict[str, Control], cid: str) -> str:
    c = catalog.get(cid)
    return c.title.get(lang()) if c else ""


def _num(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _summary_table(run: RunResult, catalog: dict[str, Control]) -> Table:
    table = Table(title=tr(f"Run {run.run_id}", f"実行 {run.run_id}"), title_justify="left")
    # the title is the column that gives way on a narrow terminal; figures never do
    table.add_column("id", no_wrap=True, min_width=7)
    title_width = max(12, console.width - 64)
    table.add_column(
        tr("control", "コントロール"), no_wrap=True, overflow="ellipsis", max_width=title_width
    )
    table.add_column(tr("status", "結果"), no_wrap=True, min_width=5)
    for name, width in ((tr("population", "母集団"), 11), (tr("exceptions", "例外"), 10)):
        table.add_column(name, justify="right", no_wrap=True, min_width=width)
    table.add_column(tr("seconds", "秒"), justify="right", no_wrap=True, min_width=7)
    for o in run.outcomes:
        style = STATUS_STYLE[o.status]
        table.add_row(
            o.control_id,
            verbatim(_title(catalog, o.control_id)),
            f"[{style}]{status_label(o.status)}[/]",
            _num(o.population_count),
            _num(o.exception_count),
            f"{o.duration_s:.2f}",
        )
    return table


def _print_run(run: RunResult, catalog: dict[str, Control], changes: list[Change]) -> None:
    console.print(_summary_table(run, catalog))
    for o in run.outcomes:
        if o.error:
            console.print(f"[magenta]{o.control_id}[/]: {escape(o.error)}", highlight=False)
        elif o.status in (NOT_TESTED, INCOMPLETE):
            console.print(
                f"[yellow]{o.control_id}[/]: {escape(coverage_reason(o))}", highlight=False
            )
    for w in run.warnings:
        console.print(f"[yellow]{tr('warning', '警告')}:[/] {escape(w[lang()])}", highlight=False)
    seconds = (run.finished_at - run.started_at).total_seconds()
    console.print(
        tr(
            f"as of {run.as_of} ({run.timezone}): [green]{run.passed} pass[/], "
            f"[red]{run.failed} fail[/], [magenta]{run.errored} error[/], "
            f"[yellow]{run.not_tested} not tested, {run.incomplete} incomplete[/] in {seconds:.1f} s; "
            f"ledger entry #{run.ledger_seq} {str(run.ledger_hash)[:16]}",
            f"基準日 {run.as_of}（{run.timezone}）: [green]合格 {run.passed}[/]、"
            f"[red]不合格 {run.failed}[/]、[magenta]エラー {run.errored}[/]、"
            f"[yellow]未実施 {run.not_tested}、データ不足 {run.incomplete}[/]（{seconds:.1f} 秒）; "
            f"台帳エントリ #{run.ledger_seq} {str(run.ledger_hash)[:16]}",
        )
    )
    for c in changes:
        label = LABELS[c.rating][1 if lang() == "ja" else 0]
        repeat = tr(" (repeat)", "（再発）") if c.repeat else ""
        scope = escape(f" [{c.scope}]") if c.scope else ""
        console.print(
            f"  {tr('finding', '指摘')} #{c.finding_id} {c.control_id}{scope}: "
            f"{_KIND_JA.get(c.kind, c.kind) if lang() == 'ja' else c.kind}{repeat}, {label}",
            highlight=False,
        )


def _interrupted() -> NoReturn:
    """Ctrl-C before the commit: the running queries were interrupted and nothing of the run
    was committed. Exit 130 (128 + SIGINT, the shell's convention)."""
    err_console.print(
        tr(
            "Interrupted: the running controls were stopped; this run was not committed.",
            "中断しました: 実行中のコントロールを停止しました。この実行は記録していません。",
        ),
        style="bold red",
    )
    raise typer.Exit(130)


def _announce(ws: Workspace, catalog: dict[str, Control], changes: list[Change]) -> None:
    """New material weaknesses reach the people concerned at once (kansa.notify.at_once)."""
    from kansa.cli.desk import open_desk
    from kansa.notify.at_once import announce_run

    try:
        with open_desk(ws) as desk:
            announce_run(desk, ws, catalog, changes)
    except KansaError as exc:  # the run stands; `kansa notify send-due` tries again
        err_console.print(tr(f"warning: notifications not sent now: {escape(exc.message)}",
                             f"警告: 通知を送信できませんでした: {escape(exc.message)}"))  # fmt: skip


def _exit_code(run: RunResult, fail_on: FailOn) -> int:
    if fail_on == FailOn.fail and (run.failed or not run.complete):
        return 1
    if fail_on == FailOn.error and run.errored:
        return 1
    return 0


def run(
    ctx: typer.Context,
    controls: Annotated[
        str | None,
        typer.Option("--controls", help="Control ids or globs, comma-separated: 'KEY-*,WDR-001'."),
    ] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="As-of date YYYY-MM-DD (default: latest day in the data)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", help="Override a parameter: ID.name=value (repeatable)."),
    ] = None,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a control fails or errors (fail), errors only (error), or never.",
        ),
    ] = FailOn.never,
    workers: Annotated[int, typer.Option(help="Controls run at once.")] = 2,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            min=0.001,
            max=1e9,
            help="Seconds each control may run before it is stopped and recorded as an error "
            "(default: run.timeout in kansa.toml, else 300).",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
    period_from: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First day of the tested period, YYYY-MM-DD: every dated input must hold "
            "every day from it to the as-of day (default: each input's first loaded day).",
        ),
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="Run the controls on duckdb or spark (default: run.engine in kansa.toml, "
            "else duckdb).",
        ),
    ] = None,
    replay: Annotated[
        str | None,
        typer.Option(
            "--replay",
            help="Re-perform run RUN_ID on the snapshots it recorded and compare verdicts.",
        ),
    ] = None,
) -> None:
    """Run controls on the latest snapshots: verdicts, evidence to the vault, findings updated."""
    ws = workspace(ctx)
    catalog = _catalog(ws)
    if replay:
        raise typer.Exit(replay_run(ws, catalog, replay, json_out))
    check_control_ids(ws.config.control_parameters, catalog, "kansa.toml")  # a typo never skips
    scopes = configured_scopes(ws.config.raw, catalog)  # refused before anything runs
    chosen = select_controls(catalog, controls)
    with Database(ws.database_url) as db:  # also fails early when the database is unreachable
        catch_up(ws, db)
    interrupted = False
    try:
        result = run_controls(
            ws,
            chosen,
            as_of=parse_day(as_of),
            parameters=parse_assignments(param or []),
            progress=not json_out,
            workers=workers,
            timeout=ws.config.run_timeout if timeout is None else timeout,
            period_start=parse_day(period_from, "--from"),
            record=False,  # recorded below with its findings, in one transaction
            engine=engine.value if engine else None,
        )
    except InterruptedAfterCommit as exc:  # committed whole: finish recording it, then stop
        result, interrupted = exc.run, True
    except KeyboardInterrupt:
        _interrupted()
    with sigint_deferred() as held, Database(ws.database_url) as db:
        try:
            changes = store_run(db, result, scopes=scopes, vault_dir=ws.vault_dir)
        except DBAPIError as exc:
            what = tr(f"run {result.run_id}", f"実行 {result.run_id}")
            raise not_written(db.url, exc, what) from exc
    if interrupted or held.received:
        err_console.print(
            tr(
                f"Interrupted after run {result.run_id} was committed and its findings updated.",
                f"実行 {result.run_id} の記録と指摘の更新の後に中断しました。",
            ),
            style="bold red",
        )
        raise typer.Exit(130)
    _announce(ws, catalog, changes)
    score = score_run(ws, result)
    if json_out:
        out: dict[str, Any] = result.to_dict()
        out["findings"] = [c.__dict__ for c in changes]
        out["score"] = score.as_dict() if score else None
        print_json(out, indent=1, default=str)
    else:
        _print_run(result, catalog, changes)
        if score:
            console.print(
                tr(
                    f"ground truth: precision {score.precision:.4f}, recall {score.recall:.4f} "
                    f"(tp {score.overall.tp}, fp {score.overall.fp}, fn {score.overall.fn})",
                    f"正解データ: 適合率 {score.precision:.4f}、再現率 {score.recall:.4f}"
                    f"（tp {score.overall.tp}, fp {score.overall.fp}, fn {score.overall.fn}）",
                )
            )
    raise typer.Exit(_exit_code(result, fail_on))


def _find_result(db: Database, ws: Workspace, control_id: str, run_id: str | None) -> ControlResult:
    query = (
        select(ControlResult)
        .join(Run)
        .where(Run.workspace == ws.config.name, ControlResult.control_id == control_id)
        .order_by(Run.started_at.desc())
        .limit(1)
    )
    if run_id:
        query = query.where(Run.id == run_id)
    with db.session() as s:
        found = s.scalars(query).one_or_none()
        if found is not None:
            s.refresh(found, ["run"])  # the ledger entry is shown beside the result
    if found is None and control_id not in (known := _catalog(ws)):
        raise KansaError(
            tr(
                f"No control {control_id} in the catalog.",
                f"カタログに {control_id} はありません。",
            ),
            hint=did_you_mean(control_id, known)
            or tr("List them: `kansa controls`.", "一覧: `kansa controls`"),
        )
    if found is None:
        where = tr(f" in run {run_id}", f"（実行 {run_id}）") if run_id else ""
        raise KansaError(
            tr(f"No result for {control_id}{where}.", f"{control_id} の結果はありません{where}。"),
            hint=tr(
                "Run it first: `kansa run --controls ID`.", "先に `kansa run` を実行してください。"
            ),
        )
    return found


def results(
    ctx: typer.Context,
    control_id: Annotated[str, typer.Argument(help="Control id, e.g. WDR-001.")],
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the latest run of the control).")
    ] = None,
    page: Annotated[int, typer.Option(min=1, help="Page of exception rows.")] = 1,
    page_size: Annotated[int, typer.Option("--page-size", min=1, max=10_000)] = 50,
    export: Annotated[
        Path | None, typer.Option(help="Write all exception rows to .csv, .xlsx or .parquet.")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """A control's result: population, exceptions, the exception rows (paged), evidence hashes."""
    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        r = _find_result(db, ws, control_id.upper(), run_id)
    if export is not None:
        _export_rows(ws, r, export)
        return
    path = ws.vault_dir / r.exceptions_file if r.exceptions_file else None
    intact = exc_rows.verify(path, r.exceptions_sha256) if path else False
    columns: list[str] = []
    rows: list[tuple[Any, ...]] = []
    unreadable = None
    if path and path.is_file() and not intact:
        # An edited exception file is not evidence: show what the ledger says, never its rows.
        unreadable = tr(
            f"vault/{r.exceptions_file} does not match the hash in ledger entry "
            f"#{r.run.ledger_seq}: its rows are withheld. Run `kansa verify`.",
            f"vault/{r.exceptions_file} は台帳エントリ #{r.run.ledger_seq} のハッシュと一致しないため、"
            "行は表示しません。`kansa verify` を実行してください。",
        )
    elif path and path.is_file():
        try:
            columns, rows = exc_rows.read_page(path, page, page_size)
        except duckdb.Error as exc:  # a damaged file: say so, never guess its rows
            unreadable = str(exc).splitlines()[0]
    if json_out:
        out = {
            "run_id": r.run_id, "control_id": r.control_id, "status": r.status,
            "population": r.population_count, "exceptions": r.exception_count,
            "error": r.error, "reason": r.reason, "coverage": r.coverage, "parameters": r.parameters, "snapshots": r.snapshots,
            "control_version_hash": r.version_hash, "engine": r.engine,
            "exceptions_file": r.exceptions_file, "exceptions_sha256": r.exceptions_sha256,
            "ledger": {"seq": r.run.ledger_seq, "hash": r.run.ledger_hash},
            "evidence_intact": intact, "unreadable": unreadable, "page": page,
            "page_size": page_size,
            "rows": [dict(zip(columns, row, strict=True)) for row in rows],
        }  # fmt: skip
        print_json(out, indent=1, default=str)
    else:
        _print_result(r, intact, columns, rows, page, page_size)
        if unreadable:
            console.print(f"[red]{escape(unreadable)}[/]", highlight=False)
    if path and not intact:
        raise typer.Exit(1)


def _export_rows(ws: Workspace, r: ControlResult, dest: Path) -> None:
    """``--export``: every exception row, from a file re-hashed against the run's ledger entry,
    to a path outside the vault."""
    if not r.exceptions_file:
        raise KansaError(
            tr(
                "This result has no exception file (it errored or was not tested).",
                "この結果には例外ファイルがありません（エラーまたは未実施）。",
            )
        )
    refuse_protected_output(ws, dest)
    path = exc_rows.require_committed(
        ws.vault_dir, r.exceptions_file, r.exceptions_sha256, r.run.ledger_seq
    )
    n = exc_rows.export(path, dest)
    console.print(tr(f"Wrote {n:,} rows to {dest}", f"{n:,} 行を {dest} に出力しました"))


def _print_result(
    r: ControlResult,
    intact: bool,
    columns: list[str],
    rows: list[tuple[Any, ...]],
    page: int,
    size: int,
) -> None:
    style = STATUS_STYLE.get(r.status, "")
    console.print(
        f"[bold]{r.control_id}[/] [{style}]{r.status.upper()}[/]  {tr('run', '実行')} {r.run_id}"
    )
    console.print(
        tr(
            f"population {_num(r.population_count)}, exceptions {_num(r.exception_count)}",
            f"母集団 {_num(r.population_count)}、例外 {_num(r.exception_count)}",
        )
    )
    if r.error:
        console.print(f"[magenta]{escape(r.error)}[/]", highlight=False)
    if r.reason:
        console.print(f"[yellow]{escape(r.reason)}[/]", highlight=False)
    console.print(
        f"{tr('parameters', 'パラメータ')}: {escape(json.dumps(r.parameters, ensure_ascii=False))}"
    )
    console.print(f"{tr('control version', 'コントロール版')}: {r.version_hash}  ({r.engine})")
    for dataset, sha in sorted(r.snapshots.items()):
        console.print(f"  {tr('snapshot', 'スナップショット')} {dataset}: {sha}")
    console.print(f"{tr('ledger entry', '台帳エントリ')}: #{r.run.ledger_seq} {r.run.ledger_hash}")
    if r.exceptions_file:
        mark = (
            tr("[green]intact[/]", "[green]改ざんなし[/]")
            if intact
            else tr("[red]HASH MISMATCH[/]", "[red]ハッシュ不一致[/]")
        )
        console.print(
            f"{tr('exceptions file', '例外ファイル')}: vault/{r.exceptions_file}  sha256 {r.exceptions_sha256}  {mark}"
        )
    if rows:
        pages = -(-(r.exception_count or 0) // size)
        title = tr(f"exception rows, page {page}/{pages}", f"例外行 {page}/{pages} ページ")
        console.print(_rows_table(title, columns, rows))


def _rows_table(title: str, columns: list[str], rows: list[tuple[Any, ...]]) -> Table:
    """One row per line when it fits the terminal, else one record per block (column: value):
    exception rows carry hashes and addresses that must stay readable in full."""
    table = Table(title=title, title_justify="left", show_lines=True)
    if sum(max(len(c), 8) + 3 for c in columns) <= console.width:
        for c in columns:
            table.add_column(verbatim(c))
        for row in rows:
            table.add_row(*map(verbatim, row))
        return table
    table.add_column("#", justify="right")
    table.add_column(tr("column", "列"), overflow="fold")
    table.add_column(tr("value", "値"), overflow="fold")
    for i, row in enumerate(rows, start=1):
        lines = Text("\n")
        table.add_row(str(i), lines.join(map(verbatim, columns)), lines.join(map(verbatim, row)))
    return table


def runs(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The history of runs in this workspace."""
    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        catch_up(ws, db)
        with db.session() as s:
            query = select(Run).where(Run.workspace == ws.config.name)
            rows = list(s.scalars(query.order_by(Run.started_at.desc()).limit(limit)))
    if json_out:
        keys = ("id", "as_of", "started_at", "finished_at", "engine", "actor", "controls_total",
                "passed", "failed", "errored", "ledger_seq", "ledger_hash")  # fmt: skip
        data = [{k: getattr(r, k) for k in keys} for r in rows]
        print_json(data, indent=1, default=str)
        return
    if not rows:
        console.print(tr("No runs yet: `kansa run`.", "実行履歴はありません（`kansa run`）。"))
        return
    table = Table(title=tr("Runs", "実行履歴"), title_justify="left")
    for col in ("run", tr("as of", "基準日"), tr("started (UTC)", "開始 (UTC)"), tr("controls", "件数"),
                "pass", "fail", "error", tr("seconds", "秒"), tr("ledger", "台帳")):  # fmt: skip
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.id, str(r.as_of), r.started_at.strftime("%Y-%m-%d %H:%M:%S"), str(r.controls_total),
            str(r.passed), f"[red]{r.failed}[/]" if r.failed else "0",
            f"[magenta]{r.errored}[/]" if r.errored else "0",
            f"{(r.finished_at - r.started_at).total_seconds():.1f}", f"#{r.ledger_seq}",
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("run")(run)
    app.command("results")(results)
    app.command("runs")(runs)

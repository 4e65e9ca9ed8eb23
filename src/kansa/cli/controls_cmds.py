"""``kansa controls``: the catalog, one control in full, lint, framework coverage, scoring."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.cli.dates import parse_day
from kansa.cli.engines import Engine
from kansa.cli.terminal import print_json, verbatim
from kansa.controls import AREAS, FRAMEWORKS, Control, load_catalog
from kansa.controls.frameworks import coverage, load_frameworks
from kansa.controls.lint import lint_catalog
from kansa.controls.score_inputs import Collected, exceptions_direct, exceptions_from_run
from kansa.controls.scoring import Score, score
from kansa.engine.truth import ground_truth_path
from kansa.errors import KansaError, WorkspaceNotFound
from kansa.i18n import lang, tr
from kansa.spelling import did_you_mean
from kansa.workspace import Workspace

controls_app = typer.Typer(
    name="controls",
    help="The control catalog: list, show, lint, framework coverage, ground-truth scoring.",
    invoke_without_command=True,
    no_args_is_help=False,
)

SHORT = {"jp": "JP", "ccss": "CCSS", "iso27001_2022": "ISO", "nist_csf_2": "NIST"}


def _optional_workspace(ctx: typer.Context) -> Workspace | None:
    try:
        return workspace(ctx)
    except WorkspaceNotFound:
        return None


def _catalog(ws: Workspace | None) -> dict[str, Control]:
    paths = [ws.resolve(p) for p in ws.config.control_paths] if ws else []
    return load_catalog(paths)


def _dump(data: Any) -> None:
    print_json(data, indent=1, default=str)


def _summary(c: Control) -> dict[str, Any]:
    return {
        "id": c.id,
        "area": c.area,
        "severity": c.severity,
        "frequency": c.frequency,
        "owner": c.owner,
        "title": {"en": c.title.en, "ja": c.title.ja},
        "frameworks": {k: list(v) for k, v in c.frameworks.items() if v},
        "builtin": c.builtin,
    }


def _print_catalog(controls: list[Control]) -> None:
    table = Table(title=tr("Control catalog", "コントロール一覧"), title_justify="left")
    for col in ("id", tr("area", "領域"), tr("severity", "重要度"),
                tr("frameworks", "フレームワーク"), tr("title", "名称")):  # fmt: skip
        table.add_column(col)
    for c in controls:
        fws = " ".join(SHORT[k] for k in FRAMEWORKS if c.frameworks.get(k))
        table.add_row(c.id, c.area, c.severity, fws, verbatim(c.title.get(lang())))
    console.print(table)
    console.print(tr(f"{len(controls)} controls", f"{len(controls)} 件"))


def _coverage_rows(framework: str, controls: list[Control]) -> list[dict[str, Any]]:
    return [
        {
            "requirement": r.requirement.id,
            "title": {"en": r.requirement.title.en, "ja": r.requirement.title.ja},
            "controls": list(r.controls),
            "covered": r.covered,
        }
        for r in coverage(framework, controls)
    ]


def _print_coverage(framework: str, rows: list[dict[str, Any]]) -> None:
    fw = load_frameworks()[framework]
    table = Table(title=fw.name, title_justify="left", caption=fw.source, caption_justify="left")
    for col in (tr("requirement", "要求事項"), tr("title", "名称"), tr("controls", "コントロール")):
        table.add_column(col)
    for r in rows:
        controls = ", ".join(r["controls"]) or tr("[red]gap[/]", "[red]未対応[/]")
        table.add_row(r["requirement"], escape(r["title"][lang()]), controls)
    console.print(table)
    gaps = [r["requirement"] for r in rows if not r["covered"]]
    covered = len(rows) - len(gaps)
    console.print(
        tr(
            f"{covered} of {len(rows)} requirements covered; {len(gaps)} gaps. Scope: {fw.scope}",
            f"要求事項 {len(rows)} 件中 {covered} 件に対応、未対応 {len(gaps)} 件。範囲: {fw.scope}",
        ),
        highlight=False,
    )


@controls_app.callback()
def catalog(
    ctx: typer.Context,
    area: Annotated[str | None, typer.Option(help="Only this area (custody, keys, ...).")] = None,
    framework: Annotated[
        str | None,
        typer.Option(help="Coverage per requirement: jp, ccss, iso27001_2022, nist_csf_2."),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The catalog: id, area, severity, frameworks, title; or a framework's coverage and gaps."""
    if ctx.invoked_subcommand is not None:
        return
    controls = list(_catalog(_optional_workspace(ctx)).values())
    if area:
        if area not in AREAS:
            raise KansaError(
                tr(f"Unknown area {area!r}.", f"領域 {area!r} はありません。"),
                hint=tr("Known: ", "既知: ") + ", ".join(AREAS),
            )
        controls = [c for c in controls if c.area == area]
    if framework:
        if framework not in FRAMEWORKS:
            raise KansaError(
                tr(
                    f"Unknown framework {framework!r}.",
                    f"フレームワーク {framework!r} はありません。",
                ),
                hint=tr("Known: ", "既知: ") + ", ".join(FRAMEWORKS),
            )
        rows = _coverage_rows(framework, controls)
        if json_out:
            gaps = [r["requirement"] for r in rows if not r["covered"]]
            _dump({"framework": framework, "covered": len(rows) - len(gaps), "gaps": gaps,
                   "requirements": rows})  # fmt: skip
        else:
            _print_coverage(framework, rows)
        return
    _dump([_summary(c) for c in controls]) if json_out else _print_catalog(controls)


def _parameter_rows(c: Control, ws: Workspace | None) -> list[dict[str, Any]]:
    overrides = ws.config.control_parameters.get(c.id, {}) if ws else {}
    return [
        {
            "name": p.name,
            "type": p.type,
            "default": p.default,
            "effective": overrides.get(p.name, p.default),
            "description": {"en": p.description.en, "ja": p.description.ja},
        }
        for p in c.parameters.values()
    ]


def _print_control(c: Control, params: list[dict[str, Any]]) -> None:
    lg = lang()
    console.print(f"[bold]{c.id}[/] {escape(c.title.get(lg))}  [dim]v{c.version}[/]")
    console.print(
        f"{tr('area', '領域')}: {c.area} · {tr('severity', '重要度')}: {c.severity} · "
        f"{tr('frequency', '頻度')}: {c.frequency} · {tr('owner', '担当')}: {c.owner}",
        highlight=False,
    )
    console.print(f"\n[bold]{tr('Objective', '目的')}[/]\n{escape(c.objective.get(lg))}")
    console.print(f"\n[bold]{tr('Rule', '根拠')}[/]\n{escape(c.rule.get(lg))}")
    console.print(
        f"\n{tr('datasets', 'データセット')}: {', '.join(c.datasets)}\n"
        + (f"{tr('shared views', '共有ビュー')}: {', '.join(c.views)}\n" if c.views else "")
        + f"{tr('key', 'キー')}: {', '.join(c.key)}",
        highlight=False,
    )
    if params:
        table = Table(title=tr("Parameters", "パラメータ"), title_justify="left")
        for col in (tr("name", "名前"), tr("type", "型"), tr("default", "既定値"),
                    tr("effective", "適用値"), tr("description", "説明")):  # fmt: skip
            table.add_column(col)
        for p in params:
            table.add_row(p["name"], p["type"], str(p["default"]), str(p["effective"]),
                          escape(p["description"][lg]))  # fmt: skip
        console.print(table)
    for key in FRAMEWORKS:
        if c.frameworks.get(key):
            console.print(
                f"{load_frameworks()[key].name}: {', '.join(c.frameworks[key])}", highlight=False
            )
    if c.logic:
        console.print(f"\n{tr('logic', 'ロジック')}: {escape(c.logic)}")
    for name, sql in (("population", c.population_sql), ("test", c.test_sql)):
        if sql:
            console.print(f"\n[bold]-- {name}[/]")
            console.print(Syntax(sql, "sql", word_wrap=True))
    for name, sql in _view_sql(c).items():
        console.print(f"\n[bold]-- {tr('shared view', '共有ビュー')} {name}[/]")
        console.print(Syntax(sql, "sql", word_wrap=True))


def _view_sql(c: Control) -> dict[str, str]:
    """The SQL of every shared view the control reads, directly or through another view."""
    from kansa.controls.views import builtin_views, closure

    views = builtin_views()
    return {name: views[name].sql for name in closure(c.views, views)}


def show(
    ctx: typer.Context,
    control_id: Annotated[str, typer.Argument(help="Control id, e.g. WDR-001.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """One control: objective, rule, parameters (effective values), frameworks, SQL."""
    ws = _optional_workspace(ctx)
    catalog = _catalog(ws)
    c = catalog.get(control_id.upper())
    if c is None:
        raise KansaError(
            tr(f"No control {control_id!r}.", f"コントロール {control_id!r} はありません。"),
            hint=did_you_mean(control_id, catalog)
            or tr("List them with `kansa controls`.", "`kansa controls` で一覧を表示できます。"),
        )
    params = _parameter_rows(c, ws)
    if not json_out:
        _print_control(c, params)
        return
    _dump({
        **_summary(c),
        "version": c.version,
        "version_hash": c.version_hash,
        "objective": {"en": c.objective.en, "ja": c.objective.ja},
        "rule": {"en": c.rule.en, "ja": c.rule.ja},
        "datasets": list(c.datasets),
        "views": list(c.views),
        "view_sql": _view_sql(c),
        "key": list(c.key),
        "parameters": params,
        "logic": c.logic,
        "population_sql": c.population_sql,
        "test_sql": c.test_sql,
        "source": str(c.source),
    })  # fmt: skip


def lint(
    ctx: typer.Context,
    path: Annotated[
        list[Path] | None,
        typer.Option("--path", help="Also lint this folder of controls (repeatable)."),
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option(
            "--engine",
            help="Also name the controls that cannot run on this engine (spark), with the reason.",
        ),
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Every control parses, renders, parses with SQLGlot and binds against the contracts."""
    ws = _optional_workspace(ctx)
    folders = [ws.resolve(p) for p in ws.config.control_paths] if ws else []
    folders += list(path or [])
    overrides = ws.config.control_parameters if ws else {}
    with console.status(tr("Linting controls...", "コントロールを検査中...")):
        report = lint_catalog(folders, overrides)
        blocked = _not_runnable(folders) if engine == Engine.spark else None
    if json_out:
        out = report.as_dict()
        if blocked is not None:
            out["not_runnable"] = {"engine": str(engine), "controls": blocked}
        _dump(out)
    else:
        _print_lint(report)
        if blocked is not None:
            _print_not_runnable(blocked)
    if not report.ok:
        raise typer.Exit(1)


def _not_runnable(folders: list[Path]) -> dict[str, str]:
    from kansa.controls.views import builtin_views
    from kansa.engine.spark.support import not_runnable

    return not_runnable(load_catalog(folders), builtin_views())


def _print_lint(report: Any) -> None:
    for p in report.problems:
        console.print(f"[red]{escape(p.path)}[/]: {p.control}: {escape(p.reason)}", highlight=False)
    n = len(report.checked)
    msg = (
        tr(f"{n} controls: all clean.", f"{n} 件: 問題なし。")
        if report.ok
        else tr(
            f"{n} controls, {len(report.problems)} problems.",
            f"{n} 件中、問題 {len(report.problems)} 件。",
        )
    )
    console.print(msg, style="green" if report.ok else "bold red")


def _print_not_runnable(blocked: dict[str, str]) -> None:
    for cid, reason in blocked.items():
        console.print(
            f"[yellow]{cid}[/]: {tr('cannot run on Spark', 'Spark では実行不可')}: {escape(reason)}",
            highlight=False,
        )
    console.print(
        tr(
            f"Spark: {len(blocked)} control(s) cannot run there (recorded as errors on a Spark run).",
            f"Spark: 実行できないコントロール {len(blocked)} 件（Spark の実行ではエラーとして記録）。",
        )
    )


def _print_score(result: Score, source: str) -> None:
    table = Table(title=tr(f"Ground truth vs {source}", f"正解データと {source} の比較"),
                  title_justify="left")  # fmt: skip
    for col in ("control", "tp", "fp", "fn", tr("precision", "適合率"), tr("recall", "再現率")):
        table.add_column(col, justify="right" if col != "control" else "left")
    for cs in result.per_control.values():
        style = "" if not (cs.fp or cs.fn) else "red"
        table.add_row(cs.control, str(cs.tp), str(cs.fp), str(cs.fn),
                      f"{cs.precision:.4f}", f"{cs.recall:.4f}", style=style)  # fmt: skip
    console.print(table)
    for cs in result.per_control.values():
        for label, keys in (("missed", cs.missed), ("extra", cs.extra)):
            for k in keys[:10]:
                console.print(f"  {cs.control} {label}: {escape(str(k))}", highlight=False)
    o = result.overall
    console.print(
        tr(
            f"precision {o.precision:.4f}, recall {o.recall:.4f} (tp {o.tp}, fp {o.fp}, fn {o.fn})",
            f"適合率 {o.precision:.4f}、再現率 {o.recall:.4f}（tp {o.tp}, fp {o.fp}, fn {o.fn}）",
        ),
        style="green" if not (o.fp or o.fn) else "bold red",
    )


def _truth_file(ws: Workspace, given: Path | None) -> Path:
    path = given or ground_truth_path(ws)
    if not path.is_file():
        raise KansaError(
            tr(f"No ground truth at {path}.", f"正解データ {path} がありません。"),
            hint=tr(
                "Pass --ground-truth FILE, or run `kansa demo`.",
                "--ground-truth FILE を指定するか `kansa demo` を実行してください。",
            ),
        )
    return path


def score_cmd(
    ctx: typer.Context,
    ground_truth: Annotated[
        Path | None,
        typer.Option(
            "--ground-truth",
            exists=True,
            dir_okay=False,
            help="ground_truth.json (default: the workspace demo's).",
        ),
    ] = None,
    run_id: Annotated[
        str | None, typer.Option("--run", help="Run id (default: the workspace's latest run).")
    ] = None,
    direct: Annotated[
        bool,
        typer.Option(
            help="Run the catalog straight on the latest snapshots instead (no run stored)."
        ),
    ] = False,
    as_of: Annotated[str | None, typer.Option(help="As-of date for --direct (YYYY-MM-DD).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Precision and recall of a run's exceptions against a demo's ground truth."""
    ws = workspace(ctx)
    catalog = _catalog(ws)
    truth = json.loads(_truth_file(ws, ground_truth).read_text(encoding="utf-8"))
    if direct:
        day = parse_day(as_of)
        with console.status(tr("Running the catalog...", "カタログを実行中...")):
            _, got = exceptions_direct(ws, catalog, day, ws.config.control_parameters)
    else:
        got = exceptions_from_run(ws, catalog, run_id)
    result = score(got.scored_truth(truth), got.found)
    errored = sorted(got.errored)
    if json_out:
        _dump({"source": got.source, "errored": errored,
               "not_tested": dict(sorted(got.not_tested.items())), **result.as_dict()})  # fmt: skip
    else:
        _print_score(result, got.source)
        _print_unscored(got)
    if result.overall.fp or result.overall.fn or errored:
        raise typer.Exit(1)


def _print_unscored(got: Collected) -> None:
    """Controls with no verdict: not tested (nothing to test, with why), then errors."""
    for cid, reason in sorted(got.not_tested.items()):
        console.print(tr(f"not tested: {cid}: {escape(reason)}",
                         f"未実施: {cid}: {escape(reason)}"), style="yellow", highlight=False)  # fmt: skip
    if got.errored:
        names = ", ".join(sorted(got.errored))
        console.print(tr(f"not scored (errors): {names}", f"採点対象外（エラー）: {names}"),
                      style="magenta")  # fmt: skip


controls_app.command("show")(show)
controls_app.command("lint")(lint)
controls_app.command("score")(score_cmd)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(controls_app)

"""``kansa sample ...``, ``benford``, ``duplicates``, ``gaps``, ``stratify``, ``ageing``,
``outliers``: audit analytics over vault snapshots, each filed as a workpaper."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from kansa.analytics import Analysis, Population, export, file_workpaper, open_population
from kansa.analytics.ageing import run_ageing
from kansa.analytics.benford import TESTS, run_benford
from kansa.analytics.duplicates import parse_duration, run_duplicates
from kansa.analytics.gaps import run_gaps
from kansa.analytics.outliers import THRESHOLD, run_outliers
from kansa.analytics.population import latest_snapshot
from kansa.analytics.result import json_value
from kansa.analytics.sampling.draw import DrawSpec, run_draw
from kansa.analytics.sampling.reports import (
    attribute_analysis,
    deviations,
    mus_analysis,
    mus_items,
    size_analysis,
)
from kansa.analytics.sampling.sample_file import params_sidecar, read_sample_file
from kansa.analytics.sampling.sizes import attribute_size, mus_size_expansion, mus_size_gamma
from kansa.analytics.stratify import run_stratify
from kansa.analytics.workbook import cell_value
from kansa.analytics.workpaper import build_document
from kansa.cli.context import console, err_console, workspace
from kansa.errors import KansaError, WorkspaceNotFound
from kansa.i18n import lang, tr
from kansa.workspace import Workspace

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the workpaper as JSON.")]
OutOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Export to FILE (.xlsx, .json or .csv).")
]
LimitOpt = Annotated[int, typer.Option(help="Most records kept in the workpaper.")]
FilterOpt = Annotated[
    list[str] | None,
    typer.Option("--filter", help="Keep records where COLUMN=VALUE (repeatable), e.g. asset=ETH."),
]

sample_app = typer.Typer(
    help="Statistical sampling: sizes, selection, evaluation.", no_args_is_help=True
)


@contextmanager
def _working(what: str) -> Iterator[None]:
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


def _optional_workspace(ctx: typer.Context) -> Workspace | None:
    try:
        return workspace(ctx)
    except WorkspaceNotFound:
        return None


def _deliver(ws: Workspace | None, a: Analysis, as_json: bool, output: Path | None) -> None:
    """File the workpaper (when there is a workspace), export it, print it."""
    filed = file_workpaper(ws, a) if ws is not None else None
    doc = filed.document if filed is not None else build_document(a)
    if output is not None:
        export(a, doc, output, filed)
    where = {"ledger_seq": filed.ledger_seq, "files": filed.files} if filed else None
    if as_json:
        typer.echo(json.dumps({**doc, "workpaper": where}, ensure_ascii=False, indent=1))
        return
    _render(a, doc, where, output)


def _render(
    a: Analysis, doc: dict[str, Any], where: dict[str, Any] | None, output: Path | None
) -> None:
    ja = lang() == "ja"
    console.print(f"[bold]{a.title['ja' if ja else 'en']}[/]")
    for t in a.tables:
        rt = RichTable(title=t.name, show_lines=False)
        for c in t.columns:
            rt.add_column(c, overflow="fold")
        for row in t.rows[:25]:
            rt.add_row(*[_short(v) for v in row])
        console.print(rt)
        if len(t.rows) > 25:
            console.print(
                tr(
                    f"... {len(t.rows)} rows in all (see the workpaper)",
                    f"... 全 {len(t.rows)} 行（調書を参照）",
                )
            )
    if a.records is not None:
        console.print(
            tr(
                f"Records listed: {a.records.total or len(a.records.rows)}",
                f"一覧レコード数: {a.records.total or len(a.records.rows)}",
            )
        )
    console.print(a.conclusion["ja" if ja else "en"], highlight=False)
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
    if output:
        console.print(tr(f"Exported to {output}", f"{output} に出力しました"), style="dim")


def _short(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.6g}"
    s = str(cell_value(v)) if v is not None else ""
    return s


def _filters(items: list[str] | None) -> dict[str, str]:
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


def _run_on(
    ctx: typer.Context,
    dataset: str,
    what: str,
    fn: Callable[[Population], Analysis],
    as_json: bool,
    output: Path | None,
    filters: list[str] | None = None,
) -> None:
    ws = workspace(ctx)
    with _working(what), open_population(ws, dataset, _filters(filters)) as pop:
        a = fn(pop)
    _deliver(ws, a, as_json, output)


def _decimal(text: str | None, name: str) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation as exc:
        raise KansaError(
            tr(f"{name}: {text!r} is not a number.", f"{name}: {text!r} は数値ではありません。")
        ) from exc


def _split(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


# -- sample ----------------------------------------------------------------------------------


@sample_app.command("size")
def sample_size(
    ctx: typer.Context,
    method: Annotated[
        str, typer.Option(help="attribute (tests of controls) or mus (monetary unit sampling).")
    ] = "attribute",
    confidence: Annotated[
        float, typer.Option(help="Confidence = 1 - risk (0.95, 0.90...).")
    ] = 0.95,
    tolerable_rate: Annotated[
        float | None, typer.Option(help="attribute: tolerable deviation rate, e.g. 0.05.")
    ] = None,
    expected_rate: Annotated[
        str, typer.Option(help="attribute: expected deviation rate, e.g. 0.01.")
    ] = "0",
    distribution: Annotated[
        str, typer.Option(help="attribute: binomial (AICPA tables) or poisson.")
    ] = "binomial",
    tolerable_misstatement: Annotated[
        str | None, typer.Option(help="mus: tolerable misstatement (smallest unit).")
    ] = None,
    expected_misstatement: Annotated[str, typer.Option(help="mus: expected misstatement.")] = "0",
    population_value: Annotated[
        str | None, typer.Option(help="mus: book value of the population.")
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(help="mus: take the population value from this dataset's --amount."),
    ] = None,
    amount: Annotated[str | None, typer.Option(help="mus: amount column of --dataset.")] = None,
    mus_formula: Annotated[
        str,
        typer.Option(
            help="mus: expansion (AICPA expansion factors) or gamma (AICPA 2017 Table C-1)."
        ),
    ] = "expansion",
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Sample size for attribute sampling or monetary unit sampling (AICPA Audit Sampling guide)."""
    ws = _optional_workspace(ctx)
    params: dict[str, Any] = {"method": method, "confidence": confidence}
    if method == "attribute":
        if tolerable_rate is None:
            raise KansaError(tr("--tolerable-rate is required.", "--tolerable-rate が必要です。"))
        params.update(
            tolerable_rate=tolerable_rate, expected_rate=expected_rate, distribution=distribution
        )
        a = size_analysis(
            method,
            params,
            attribute_size(confidence, tolerable_rate, expected_rate, distribution),
            None,
        )
    elif method == "mus":
        bv = _population_value(ctx, population_value, dataset, amount, filter_)
        tm = _decimal(tolerable_misstatement, "--tolerable-misstatement")
        em = _decimal(expected_misstatement, "--expected-misstatement") or Decimal(0)
        if tm is None:
            raise KansaError(
                tr("--tolerable-misstatement is required.", "--tolerable-misstatement が必要です。")
            )
        params.update(
            population_value=bv,
            tolerable_misstatement=tm,
            expected_misstatement=em,
            mus_formula=mus_formula,
        )
        sizer = {"expansion": mus_size_expansion, "gamma": mus_size_gamma}.get(mus_formula)
        if sizer is None:
            raise KansaError(
                tr(
                    "--mus-formula is expansion or gamma.",
                    "--mus-formula は expansion か gamma です。",
                )
            )
        a = size_analysis(method, params, None, sizer(bv, tm, em, confidence))
    else:
        raise KansaError(tr("--method is attribute or mus.", "--method は attribute か mus です。"))
    _deliver(ws, a, as_json, output)


def _population_value(
    ctx: typer.Context,
    text: str | None,
    dataset: str | None,
    amount: str | None,
    filters: list[str] | None = None,
) -> Decimal:
    if text is not None:
        value = _decimal(text, "--population-value")
        assert value is not None
        return value
    if dataset is None or amount is None:
        raise KansaError(
            tr(
                "Give --population-value, or --dataset with --amount.",
                "--population-value、または --dataset と --amount を指定してください。",
            )
        )
    ws = workspace(ctx)
    latest_snapshot(ws, dataset)
    with open_population(ws, dataset, _filters(filters)) as pop:
        col = pop.column(amount, numeric=True)
        pop.require_one_unit(amount)
        total = pop.one(f"SELECT coalesce(sum({col}) FILTER ({col} > 0), 0) FROM population")[0]
    return Decimal(int(total))


@sample_app.command("draw")
def sample_draw(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    method: Annotated[str, typer.Option(help="random, systematic, stratified or mus.")] = "random",
    size: Annotated[int, typer.Option(help="Sample size.")] = 25,
    seed: Annotated[
        int | None, typer.Option(help="Seed (recorded); a random one when omitted.")
    ] = None,
    amount: Annotated[str | None, typer.Option(help="mus: book value column.")] = None,
    strata: Annotated[str | None, typer.Option(help="stratified: stratum column.")] = None,
    strata_bands: Annotated[
        int | None, typer.Option(help="stratified: equal-width value bands of a numeric --strata.")
    ] = None,
    order: Annotated[
        str | None, typer.Option(help="systematic: order by this column (default: file order).")
    ] = None,
    selection: Annotated[
        str, typer.Option(help="mus: fixed (interval, random start) or cell.")
    ] = "fixed",
    confidence: Annotated[float, typer.Option(help="Recorded for the evaluation.")] = 0.95,
    tolerable_rate: Annotated[
        float | None, typer.Option(help="Recorded for an attribute evaluation.")
    ] = None,
    tolerable_misstatement: Annotated[
        str | None, typer.Option(help="Recorded for a MUS evaluation.")
    ] = None,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Draw a reproducible sample; the file (-o) is what the auditor fills in."""
    used_seed = seed if seed is not None else secrets.randbelow(2**31)
    spec = DrawSpec(method, size, used_seed, amount, strata, strata_bands, order, selection)
    plan: dict[str, Any] = {
        "confidence": confidence,
        "tolerable_rate": tolerable_rate,
        "tolerable_misstatement": _decimal(tolerable_misstatement, "--tolerable-misstatement"),
    }
    ws = workspace(ctx)
    with (
        _working(tr("Drawing the sample", "標本を抽出中")),
        open_population(ws, dataset, _filters(filter_)) as pop,
    ):
        a = run_draw(pop, spec, plan)
    _deliver(ws, a, as_json, output)
    if output is not None and output.suffix.lower() == ".csv":
        side = {"parameters": json_value(a.parameters), "summary": json_value(a.summary)}
        params_sidecar(output).write_text(
            json.dumps(side, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


@sample_app.command("evaluate")
def sample_evaluate(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="The drawn sample with results (.xlsx, .csv, .json).")
    ],
    method: Annotated[
        str | None, typer.Option(help="attribute or mus (default: from the file).")
    ] = None,
    confidence: Annotated[
        float | None, typer.Option(help="Default: from the file, else 0.95.")
    ] = None,
    tolerable_rate: Annotated[
        float | None, typer.Option(help="attribute: tolerable deviation rate.")
    ] = None,
    tolerable_misstatement: Annotated[
        str | None, typer.Option(help="mus: tolerable misstatement.")
    ] = None,
    interval: Annotated[
        str | None, typer.Option(help="mus: sampling interval (default: from the file).")
    ] = None,
    amount_column: Annotated[
        str | None, typer.Option(help="mus: book value column (default: from the file).")
    ] = None,
    distribution: Annotated[str, typer.Option(help="attribute: binomial or poisson.")] = "binomial",
    factors: Annotated[
        str,
        typer.Option(
            help="mus: table (published two-decimal factors), exact, or your own list RF(0),RF(1),..."
        ),
    ] = "table",
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Evaluate a sample: deviation-rate upper limit, or MUS projected misstatement and upper limit."""
    sample = read_sample_file(file)
    p = sample.parameters
    kind = method or str(
        p.get("evaluation") or ("mus" if p.get("method") == "mus" else "attribute")
    )
    params: dict[str, Any] = {
        "file": file.name,
        "evaluation": kind,
        "confidence": confidence or float(p.get("confidence") or 0.95),
        "draw": {k: p.get(k) for k in ("dataset", "method", "seed", "size") if k in p},
    }
    if kind == "attribute":
        tol = tolerable_rate if tolerable_rate is not None else p.get("tolerable_rate")
        params.update(
            tolerable_rate=float(tol) if tol not in (None, "") else None, distribution=distribution
        )
        a = attribute_analysis(sample, params, deviations(sample))
    elif kind == "mus":
        tm = _decimal(tolerable_misstatement, "--tolerable-misstatement") or _decimal(
            _text(p.get("tolerable_misstatement")), "tolerable_misstatement"
        )
        j = _decimal(interval, "--interval") or _decimal(
            _text(p.get("sampling_interval")), "sampling_interval"
        )
        book = amount_column or p.get("amount_column")
        if j is None or not book:
            raise KansaError(
                tr(
                    "The file does not say the sampling interval and book value column: give --interval and --amount-column.",
                    "ファイルに抽出間隔と帳簿価額の列がありません。--interval と --amount-column を指定してください。",
                )
            )
        params.update(
            sampling_interval=j,
            tolerable_misstatement=tm,
            amount_column=book,
            factors=_factor_mode(factors),
        )
        a = mus_analysis(sample, params, mus_items(sample, str(book)))
    else:
        raise KansaError(tr("--method is attribute or mus.", "--method は attribute か mus です。"))
    _deliver(_optional_workspace(ctx), a, as_json, output)


def _factor_mode(text: str) -> str | list[Decimal]:
    if text in ("table", "exact"):
        return text
    values = [_decimal(x, "--factors") for x in _split(text)]
    return [v for v in values if v is not None]


def _text(v: Any) -> str | None:
    return None if v in (None, "") else str(v)


# -- population analyses ---------------------------------------------------------------------


def benford(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    column: Annotated[str, typer.Option(help="Numeric column.")] = "amount",
    test: Annotated[str, typer.Option(help=", ".join(TESTS))] = "first",
    min_records: Annotated[
        int, typer.Option(help="Refuse fewer eligible values than this.")
    ] = 1000,
    min_orders: Annotated[
        int,
        typer.Option(help="Refuse data spanning fewer orders of magnitude (1st-99th percentile)."),
    ] = 2,
    top: Annotated[
        int, typer.Option(help="List the records of this many most over-represented digits.")
    ] = 3,
    limit: LimitOpt = 10_000,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Benford's law digit test: expected vs actual, z per digit, chi-square, MAD (Nigrini)."""
    _run_on(
        ctx,
        dataset,
        tr("Counting digits", "桁を集計中"),
        lambda pop: run_benford(
            pop, column, test, min_records=min_records, min_orders=min_orders, top=top, limit=limit
        ),
        as_json,
        output,
        filters=filter_,
    )


def duplicates(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    keys: Annotated[
        str, typer.Option(help="Comma-separated key columns, e.g. destination_address,amount.")
    ],
    within: Annotated[str | None, typer.Option(help="Time window, e.g. 10m, 2h, 1d.")] = None,
    time: Annotated[
        str | None, typer.Option(help="Timestamp column for --within (default: the first one).")
    ] = None,
    fuzzy: Annotated[
        bool, typer.Option("--fuzzy", help="Near amounts and similar names, within --within.")
    ] = False,
    tolerance: Annotated[
        float, typer.Option(help="fuzzy: relative amount difference allowed.")
    ] = 0.01,
    similarity: Annotated[
        float, typer.Option(help="fuzzy: minimum Jaro-Winkler similarity of text keys.")
    ] = 0.9,
    limit: LimitOpt = 10_000,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Exact or fuzzy duplicate records."""
    window = parse_duration(within) if within else None
    _run_on(
        ctx,
        dataset,
        tr("Looking for duplicates", "重複を検索中"),
        lambda pop: run_duplicates(
            pop,
            _split(keys),
            within=window,
            time_column=time,
            fuzzy=fuzzy,
            tolerance=tolerance,
            similarity=similarity,
            limit=limit,
        ),
        as_json,
        output,
        filters=filter_,
    )


def gaps(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    sequence: Annotated[str, typer.Option(help="Sequence number column.")] = "seq",
    by: Annotated[str | None, typer.Option(help="Partition column, e.g. host.")] = None,
    limit: LimitOpt = 10_000,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Gaps and duplicates in sequence numbers."""
    _run_on(
        ctx,
        dataset,
        tr("Checking sequences", "連番を検査中"),
        lambda pop: run_gaps(pop, sequence, by=by, limit=limit),
        as_json,
        output,
        filters=filter_,
    )


def stratify(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    column: Annotated[str, typer.Option(help="Numeric column.")] = "amount",
    bands: Annotated[int, typer.Option(help="Number of bands.")] = 10,
    scheme: Annotated[str, typer.Option(help="equal, quantile or bounds.")] = "equal",
    bounds: Annotated[
        str | None, typer.Option(help="bounds: comma-separated upper bounds.")
    ] = None,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Strata by value: counts, totals and shares per band."""
    parsed = [b for b in (_decimal(x, "--bounds") for x in _split(bounds or "")) if b is not None]
    if parsed and scheme == "equal":
        scheme = "bounds"
    _run_on(
        ctx,
        dataset,
        tr("Stratifying", "階層化中"),
        lambda pop: run_stratify(pop, column, bands=bands, scheme=scheme, bounds=parsed),
        as_json,
        output,
        filters=filter_,
    )


def ageing(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    date_column: Annotated[str, typer.Option("--date", help="Date or timestamp column.")],
    as_of: Annotated[
        str | None, typer.Option(help="As-of date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    buckets: Annotated[str, typer.Option(help="Bucket limits in days.")] = "30,60,90",
    amount: Annotated[str | None, typer.Option(help="Amount column to total per bucket.")] = None,
    limit: LimitOpt = 10_000,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Ageing buckets by days between a date column and the as-of date."""
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
        limits = [int(x) for x in _split(buckets)]
    except ValueError as exc:
        raise KansaError(
            tr(f"Bad --as-of or --buckets: {exc}", f"--as-of または --buckets が不正です: {exc}")
        ) from exc
    _run_on(
        ctx,
        dataset,
        tr("Ageing", "年齢分析中"),
        lambda pop: run_ageing(pop, date_column, day, limits, amount=amount, limit=limit),
        as_json,
        output,
        filters=filter_,
    )


def outliers(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Argument(help="Dataset in the vault.")],
    column: Annotated[str, typer.Option(help="Numeric column.")] = "amount",
    by: Annotated[str | None, typer.Option(help="Score within groups of this column.")] = None,
    threshold: Annotated[
        float, typer.Option(help="Flag |modified z| above this (Iglewicz & Hoaglin: 3.5).")
    ] = THRESHOLD,
    log: Annotated[bool, typer.Option("--log", help="Score log10 of positive values.")] = False,
    limit: LimitOpt = 10_000,
    filter_: FilterOpt = None,
    as_json: JsonOpt = False,
    output: OutOpt = None,
) -> None:
    """Outliers by the robust modified z-score (median and MAD)."""
    _run_on(
        ctx,
        dataset,
        tr("Scoring", "評価中"),
        lambda pop: run_outliers(pop, column, by=by, threshold=threshold, log=log, limit=limit),
        as_json,
        output,
        filters=filter_,
    )


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(sample_app, name="sample")
    for name, fn in (
        ("benford", benford),
        ("duplicates", duplicates),
        ("gaps", gaps),
        ("stratify", stratify),
        ("ageing", ageing),
        ("outliers", outliers),
    ):
        app.command(name)(fn)

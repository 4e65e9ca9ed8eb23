"""``kansa sample size | draw | evaluate``: statistical sampling (AICPA Audit Sampling guide),
each result filed as a workpaper."""

from __future__ import annotations

import json
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from kansa.analytics import Analysis, open_population
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
from kansa.cli.analytics.command import Runner, population_command, report_command
from kansa.cli.analytics.options import FilterOpt, parse_decimal, parse_filters, split_list
from kansa.cli.context import workspace
from kansa.errors import KansaError
from kansa.i18n import tr

sample_app = typer.Typer(
    help="Statistical sampling: sizes, selection, evaluation.", no_args_is_help=True
)

MUS_SIZERS = {"expansion": mus_size_expansion, "gamma": mus_size_gamma}


def _bad_method() -> KansaError:
    return KansaError(tr("--method is attribute or mus.", "--method は attribute か mus です。"))


# -- size ------------------------------------------------------------------------------------


@sample_app.command("size")
@report_command
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
) -> Analysis:
    """Sample size for attribute sampling or monetary unit sampling (AICPA Audit Sampling guide)."""
    params: dict[str, Any] = {"method": method, "confidence": confidence}
    if method == "attribute":
        if tolerable_rate is None:
            raise KansaError(tr("--tolerable-rate is required.", "--tolerable-rate が必要です。"))
        params.update(
            tolerable_rate=tolerable_rate, expected_rate=expected_rate, distribution=distribution
        )
        size = attribute_size(confidence, tolerable_rate, expected_rate, distribution)
        return size_analysis(method, params, size, None)
    if method == "mus":
        bv = _population_value(ctx, population_value, dataset, amount, filter_)
        params.update(population_value=bv)
        return _mus_size(
            params, tolerable_misstatement, expected_misstatement, mus_formula, confidence
        )
    raise _bad_method()


def _mus_size(
    params: dict[str, Any],
    tolerable_misstatement: str | None,
    expected_misstatement: str,
    mus_formula: str,
    confidence: float,
) -> Analysis:
    tm = parse_decimal(tolerable_misstatement, "--tolerable-misstatement")
    em = parse_decimal(expected_misstatement, "--expected-misstatement") or Decimal(0)
    if tm is None:
        raise KansaError(
            tr("--tolerable-misstatement is required.", "--tolerable-misstatement が必要です。")
        )
    params.update(tolerable_misstatement=tm, expected_misstatement=em, mus_formula=mus_formula)
    sizer = MUS_SIZERS.get(mus_formula)
    if sizer is None:
        raise KansaError(
            tr("--mus-formula is expansion or gamma.", "--mus-formula は expansion か gamma です。")
        )
    return size_analysis("mus", params, None, sizer(params["population_value"], tm, em, confidence))


def _population_value(
    ctx: typer.Context,
    text: str | None,
    dataset: str | None,
    amount: str | None,
    filters: list[str] | None = None,
) -> Decimal:
    """``--population-value``, else the sum of the positive ``--amount`` of ``--dataset``."""
    if text is not None:
        value = parse_decimal(text, "--population-value")
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
    with open_population(ws, dataset, parse_filters(filters)) as pop:
        col = pop.column(amount, numeric=True)
        pop.require_one_unit(amount)
        total = pop.one(f"SELECT coalesce(sum({col}) FILTER ({col} > 0), 0) FROM population")[0]
    return Decimal(int(total))


# -- draw ------------------------------------------------------------------------------------


def _write_sidecar(a: Analysis, output: Path | None) -> None:
    """Beside a CSV sample, its parameters: what ``sample evaluate`` needs to read it back."""
    if output is not None and output.suffix.lower() == ".csv":
        side = {"parameters": json_value(a.parameters), "summary": json_value(a.summary)}
        params_sidecar(output).write_text(
            json.dumps(side, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


@sample_app.command("draw")
@population_command(("Drawing the sample", "標本を抽出中"), after=_write_sidecar)
def sample_draw(
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
) -> Runner:
    """Draw a reproducible sample; the file (-o) is what the auditor fills in."""
    used_seed = seed if seed is not None else secrets.randbelow(2**31)
    spec = DrawSpec(method, size, used_seed, amount, strata, strata_bands, order, selection)
    plan: dict[str, Any] = {
        "confidence": confidence,
        "tolerable_rate": tolerable_rate,
        "tolerable_misstatement": parse_decimal(tolerable_misstatement, "--tolerable-misstatement"),
    }
    return lambda pop: run_draw(pop, spec, plan)


# -- evaluate --------------------------------------------------------------------------------


@sample_app.command("evaluate")
@report_command
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
) -> Analysis:
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
        return attribute_analysis(sample, params, deviations(sample))
    if kind == "mus":
        params.update(_mus_plan(p, tolerable_misstatement, interval, amount_column, factors))
        return mus_analysis(sample, params, mus_items(sample, str(params["amount_column"])))
    raise _bad_method()


def _mus_plan(
    p: dict[str, Any],
    tolerable_misstatement: str | None,
    interval: str | None,
    amount_column: str | None,
    factors: str,
) -> dict[str, Any]:
    """The MUS evaluation's parameters: the options given, else what the sample file says."""
    tm = parse_decimal(tolerable_misstatement, "--tolerable-misstatement") or parse_decimal(
        _text(p.get("tolerable_misstatement")), "tolerable_misstatement"
    )
    j = parse_decimal(interval, "--interval") or parse_decimal(
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
    return {
        "sampling_interval": j,
        "tolerable_misstatement": tm,
        "amount_column": book,
        "factors": _factor_mode(factors),
    }


def _factor_mode(text: str) -> str | list[Decimal]:
    if text in ("table", "exact"):
        return text
    values = [parse_decimal(x, "--factors") for x in split_list(text)]
    return [v for v in values if v is not None]


def _text(v: Any) -> str | None:
    return None if v in (None, "") else str(v)


def register(app: typer.Typer) -> None:
    """Add ``kansa sample`` to the root app."""
    app.add_typer(sample_app, name="sample")

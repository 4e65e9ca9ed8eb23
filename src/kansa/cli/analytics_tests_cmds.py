"""``kansa benford``, ``duplicates``, ``gaps``, ``stratify``, ``ageing``, ``outliers``: the
tests an auditor runs over one dataset, each filed as a workpaper.

Each command only turns its options into a runner; :func:`population_command` adds the
dataset argument, ``--filter``, ``--json`` and ``-o`` and does the rest."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from kansa.analytics.ageing import run_ageing
from kansa.analytics.benford import TESTS, run_benford
from kansa.analytics.duplicates import parse_duration, run_duplicates
from kansa.analytics.gaps import run_gaps
from kansa.analytics.outliers import THRESHOLD, run_outliers
from kansa.analytics.stratify import run_stratify
from kansa.cli.analytics.command import Runner, population_command
from kansa.cli.analytics.options import ColumnOpt, LimitOpt, parse_decimal, split_list
from kansa.errors import KansaError
from kansa.i18n import tr


@population_command(("Counting digits", "桁を集計中"), spark=True)
def benford(
    column: ColumnOpt = "amount",
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
) -> Runner:
    """Benford's law digit test: expected vs actual, z per digit, chi-square, MAD (Nigrini)."""
    return lambda pop: run_benford(
        pop, column, test, min_records=min_records, min_orders=min_orders, top=top, limit=limit
    )


@population_command(("Looking for duplicates", "重複を検索中"), spark=True)
def duplicates(
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
) -> Runner:
    """Exact or fuzzy duplicate records."""
    window = parse_duration(within) if within else None
    return lambda pop: run_duplicates(
        pop,
        split_list(keys),
        within=window,
        time_column=time,
        fuzzy=fuzzy,
        tolerance=tolerance,
        similarity=similarity,
        limit=limit,
    )


@population_command(("Checking sequences", "連番を検査中"), spark=True)
def gaps(
    sequence: Annotated[str, typer.Option(help="Sequence number column.")] = "seq",
    by: Annotated[str | None, typer.Option(help="Partition column, e.g. host.")] = None,
    limit: LimitOpt = 10_000,
) -> Runner:
    """Gaps and duplicates in sequence numbers."""
    return lambda pop: run_gaps(pop, sequence, by=by, limit=limit)


@population_command(("Stratifying", "階層化中"), spark=True)
def stratify(
    column: ColumnOpt = "amount",
    bands: Annotated[int, typer.Option(help="Number of bands.")] = 10,
    scheme: Annotated[str, typer.Option(help="equal, quantile or bounds.")] = "equal",
    bounds: Annotated[
        str | None, typer.Option(help="bounds: comma-separated upper bounds.")
    ] = None,
) -> Runner:
    """Strata by value: counts, totals and shares per band."""
    parsed = [
        b for b in (parse_decimal(x, "--bounds") for x in split_list(bounds or "")) if b is not None
    ]
    chosen = "bounds" if parsed and scheme == "equal" else scheme
    return lambda pop: run_stratify(pop, column, bands=bands, scheme=chosen, bounds=parsed)


@population_command(("Ageing", "年齢分析中"))
def ageing(
    date_column: Annotated[str, typer.Option("--date", help="Date or timestamp column.")],
    as_of: Annotated[
        str | None, typer.Option(help="As-of date YYYY-MM-DD (default: today, UTC).")
    ] = None,
    buckets: Annotated[str, typer.Option(help="Bucket limits in days.")] = "30,60,90",
    amount: Annotated[str | None, typer.Option(help="Amount column to total per bucket.")] = None,
    limit: LimitOpt = 10_000,
) -> Runner:
    """Ageing buckets by days between a date column and the as-of date."""
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
        limits = [int(x) for x in split_list(buckets)]
    except ValueError as exc:
        raise KansaError(
            tr(f"Bad --as-of or --buckets: {exc}", f"--as-of または --buckets が不正です: {exc}")
        ) from exc
    return lambda pop: run_ageing(pop, date_column, day, limits, amount=amount, limit=limit)


@population_command(("Scoring", "評価中"))
def outliers(
    column: ColumnOpt = "amount",
    by: Annotated[str | None, typer.Option(help="Score within groups of this column.")] = None,
    threshold: Annotated[
        float, typer.Option(help="Flag |modified z| above this (Iglewicz & Hoaglin: 3.5).")
    ] = THRESHOLD,
    log: Annotated[bool, typer.Option("--log", help="Score log10 of positive values.")] = False,
    limit: LimitOpt = 10_000,
) -> Runner:
    """Outliers by the robust modified z-score (median and MAD)."""
    return lambda pop: run_outliers(pop, column, by=by, threshold=threshold, log=log, limit=limit)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    for command in (benford, duplicates, gaps, stratify, ageing, outliers):
        app.command(command.__name__)(command)

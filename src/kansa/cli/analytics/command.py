"""The one sequence every analytics command follows, as two decorators.

* :func:`population_command`: the command's own options become a *runner* (a function of the
  population); the decorator adds the dataset argument and ``--filter``, ``--json`` and
  ``-o``, refuses an ``-o`` inside the vault, opens the dataset's latest snapshot (re-hashed
  against the ledger), runs, files the workpaper and prints or exports.
  With ``spark=True`` (the analyses written in SQL: Benford, stratification, duplicates,
  gaps) it also adds ``--engine duckdb|spark`` (default: ``[run] engine`` of ``kansa.toml``):
  on Spark the same SQL runs through SQLGlot (:mod:`kansa.analytics.spark_population`).
* :func:`report_command`: for commands that need no dataset (``sample size``, ``sample
  evaluate``): the command returns the analysis; the decorator adds ``--json`` and ``-o`` and
  files it when there is a workspace.

Typer reads a command's options from its signature, so each decorator publishes the signature
of the command's own function with the shared parameters put around it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from kansa.analytics import Analysis, Population, open_population
from kansa.cli.analytics.options import (
    DatasetArg,
    EngineOpt,
    FilterOpt,
    JsonOpt,
    OutOpt,
    parse_filters,
)
from kansa.cli.analytics.output import deliver, working
from kansa.cli.context import workspace
from kansa.errors import KansaError, WorkspaceNotFound
from kansa.i18n import tr
from kansa.workspace import Workspace
from kansa.workspace.engine_config import ENGINES
from kansa.workspace.outputs import refuse_protected_output

Runner = Callable[[Population], Analysis]
AfterDelivery = Callable[[Analysis, Path | None], None]


def _param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(
        name, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=annotation, default=default
    )


CTX = _param("ctx", typer.Context)
DATASET = _param("dataset", DatasetArg)
FILTER = _param("filter_", FilterOpt, None)
OUTPUT_PARAMS = [_param("as_json", JsonOpt, False), _param("output", OutOpt, None)]
ENGINE = _param("engine", EngineOpt, None)


def _publish(
    command: Callable[..., None],
    own: Callable[..., Any],
    before: list[inspect.Parameter],
    after: list[inspect.Parameter],
) -> Callable[..., None]:
    """Give ``command`` the name, help and options of ``own``, with ``before``/``after``."""
    params = [*before, *inspect.signature(own, eval_str=True).parameters.values(), *after]
    functools.update_wrapper(command, own, assigned=("__module__", "__name__", "__qualname__"))
    command.__doc__ = own.__doc__
    command.__signature__ = inspect.Signature(params, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def _engine(name: str) -> str:
    if name not in ENGINES:
        raise KansaError(
            tr(
                f"--engine {name!r}: use one of {', '.join(ENGINES)}.",
                f"--engine {name!r}: {', '.join(ENGINES)} のいずれかを指定してください。",
            )
        )
    return name


def _open(ws: Workspace, dataset: str, filters: dict[str, str], engine: str) -> Any:
    """The population on ``engine`` (Spark imported only when asked for)."""
    if engine == "spark":
        from kansa.analytics.spark_population import open_spark_population

        return open_spark_population(ws, dataset, filters)
    return open_population(ws, dataset, filters)


def population_command(
    what: tuple[str, str], after: AfterDelivery | None = None, *, spark: bool = False
) -> Callable[[Callable[..., Runner]], Callable[..., None]]:
    """Run the analysis the command builds on ``dataset``; ``what`` (en, ja) names the wait;
    ``spark``: the command offers ``--engine``."""

    def decorate(own: Callable[..., Runner]) -> Callable[..., None]:
        def command(
            ctx: typer.Context,
            dataset: str,
            filter_: list[str] | None = None,
            as_json: bool = False,
            output: Path | None = None,
            engine: str | None = None,
            **options: Any,
        ) -> None:
            run = own(**options)
            ws = workspace(ctx)
            if output is not None:
                refuse_protected_output(ws, output)
            chosen = _engine(engine or ws.config.engine)
            with working(tr(*what)), _open(ws, dataset, parse_filters(filter_), chosen) as pop:
                a = run(pop)
            deliver(ws, a, as_json, output)
            if after is not None:
                after(a, output)

        extra = [ENGINE] if spark else []
        return _publish(command, own, [CTX, DATASET], [*extra, FILTER, *OUTPUT_PARAMS])

    return decorate


def optional_workspace(ctx: typer.Context) -> Workspace | None:
    """The workspace, or ``None`` outside one (then nothing is filed)."""
    try:
        return workspace(ctx)
    except WorkspaceNotFound:
        return None


def report_command(own: Callable[..., Analysis]) -> Callable[..., None]:
    """Deliver the analysis ``own(ctx, ...)`` returns; file it when there is a workspace."""

    def command(
        ctx: typer.Context, as_json: bool = False, output: Path | None = None, **options: Any
    ) -> None:
        ws = optional_workspace(ctx)
        if ws is not None and output is not None:
            refuse_protected_output(ws, output)
        a = own(ctx, **options)
        deliver(ws, a, as_json, output)

    return _publish(command, own, [], OUTPUT_PARAMS)

"""The options every analytics command shares read and behave the same in each of them."""

from __future__ import annotations

from typing import Any

import pytest
import typer
import typer.main

from kansa.cli.app import app

ON_A_DATASET = [
    ["benford"],
    ["duplicates"],
    ["gaps"],
    ["stratify"],
    ["ageing"],
    ["outliers"],
    ["sample", "draw"],
]
WITHOUT_A_DATASET = [["sample", "size"], ["sample", "evaluate"]]


def _command(path: list[str]) -> Any:
    root = typer.main.get_command(app)
    ctx = typer.Context(root)
    cmd: Any = root
    for name in path:
        cmd = cmd.get_command(ctx, name)
        assert cmd is not None, path
    return cmd


def _shape(cmd: Any, name: str) -> tuple[Any, ...]:
    p = next(p for p in cmd.params if p.name == name)
    return (type(p).__name__, tuple(p.opts), getattr(p, "help", None), p.default)


@pytest.mark.parametrize("path", ON_A_DATASET, ids=" ".join)
def test_dataset_commands_take_the_dataset_first_and_the_shared_options_last(
    path: list[str],
) -> None:
    cmd = _command(path)
    names = [p.name for p in cmd.params]
    assert names[0] == "dataset" and type(cmd.params[0]).__name__ == "TyperArgument"
    assert names[-3:] == ["filter_", "as_json", "output"]
    for name in ("dataset", "filter_", "as_json", "output"):
        assert _shape(cmd, name) == _shape(_command(["benford"]), name)


@pytest.mark.parametrize("path", WITHOUT_A_DATASET, ids=" ".join)
def test_report_commands_end_with_json_and_output(path: list[str]) -> None:
    cmd = _command(path)
    assert [p.name for p in cmd.params][-2:] == ["as_json", "output"]
    for name in ("as_json", "output"):
        assert _shape(cmd, name) == _shape(_command(["benford"]), name)


def test_limit_means_the_same_wherever_it_is_offered() -> None:
    shapes = {
        _shape(c, "limit")
        for c in map(_command, ON_A_DATASET)
        if any(p.name == "limit" for p in c.params)
    }
    assert len(shapes) == 1 and next(iter(shapes))[-1] == 10_000

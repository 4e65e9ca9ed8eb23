"""``--engine``: the engines a command can name (``kansa run``, ``kansa controls lint``)."""

from __future__ import annotations

from enum import StrEnum


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"

"""A conversion as SQL evaluated in steps, each costly expression computed once per row.

DuckDB does not share a repeated subexpression between the branches of a ``CASE`` (a branch may
not run), so an amount written as one expression parsed the same text with a regular expression
eight times per row. Written as steps (``SELECT *, <step> FROM (<previous>)``), each value is
computed once and later steps read it as a column: a million amounts convert in about a second.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Staged:
    """``steps[k]``: (alias, SQL) pairs computed at step ``k`` (reading the raw column and the
    aliases of earlier steps); ``value`` and ``bad``: the converted text and the problem code
    (NULL when the value converted), reading the aliases."""

    steps: tuple[tuple[tuple[str, str], ...], ...]
    value: str
    bad: str

    def query(self, from_sql: str) -> str:
        """SQL with the columns ``value`` and ``bad`` over ``from_sql`` (used by tests)."""
        sql = from_sql
        for step in self.steps:
            sql = f"SELECT *, {', '.join(f'{e} AS {a}' for a, e in step)} FROM ({sql})"
        return f"SELECT {self.value} AS value, {self.bad} AS bad FROM ({sql})"

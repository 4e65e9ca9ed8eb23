"""Wide columns to rows (``[mappings.DATASET.long]``), in SQL.

An exchange's withdrawal export often carries its approvals in one row: ``承認者1``,
``承認日時1``, ``承認者2``, ``承認日時2``... The approvals contract wants one row per approval.
Each number ``n`` found in the header gives one row per source row, holding the columns not
part of the wide set, ``n`` itself (column ``index``) and that number's wide columns under their
new names. A row whose wide values for ``n`` are all empty (only two approvers of three) is no
row. Rows keep the source's record number, so a problem still names the line of the file.
"""

from __future__ import annotations

import dataclasses
import re

from kansa.i18n import tr
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.ingest.fullwidth import trimmed
from kansa.ingest.problems import InvalidData, Problem
from kansa.ingest.sources import REC, Source
from kansa.workspace.config import LongForm

_ORDER = "__kansa_n"


def _pattern(p: str) -> re.Pattern[str]:
    return re.compile(re.escape(p).replace(re.escape("{n}"), "([0-9]+)"))


def _found(columns: tuple[str, ...], spec: LongForm) -> dict[str, dict[int, str]]:
    """Pattern -> {n: the header's column name}."""
    out: dict[str, dict[int, str]] = {p: {} for p in spec.columns}
    for p in spec.columns:
        rx = _pattern(p)
        for c in columns:
            m = rx.fullmatch(c)
            if m:
                out[p][int(m[1])] = c
    return out


def to_long(source: Source, spec: LongForm, dataset: str) -> Source:
    """The source with its wide columns turned into rows, or :class:`InvalidData` naming the
    columns a number lacks (``承認者3`` without ``承認日時3``)."""
    found = _found(source.columns, spec)
    numbers = sorted({n for by_n in found.values() for n in by_n})
    line = 1 if source.fmt == "csv" else None
    problems = [
        Problem(
            source.display_name,
            line,
            None,
            p.replace("{n}", str(n)),
            None,
            tr(
                f"the column {p.replace('{n}', str(n))} for number {n} "
                f"(kansa.toml mappings.{dataset}.long)",
                f"番号 {n} の列 {p.replace('{n}', str(n))}（kansa.toml mappings.{dataset}.long）",
            ),
        )
        for p in spec.columns
        for n in numbers
        if n not in found[p]
    ]
    if not numbers:
        problems.append(
            Problem(
                source.display_name,
                line,
                None,
                None,
                None,
                tr(
                    f"columns named like {', '.join(spec.columns)} (kansa.toml mappings.{dataset}.long)",
                    f"{', '.join(spec.columns)} の形の列（kansa.toml mappings.{dataset}.long）",
                ),
            )
        )
    if problems:
        raise InvalidData(source.display_name, problems)
    wide = {c for by_n in found.values() for c in by_n.values()}
    others = [c for c in source.columns if c not in wide]
    selects = [_rows_for(source, spec, found, n, others) for n in numbers]
    relation = (
        f"SELECT * EXCLUDE ({_ORDER}) FROM ({' UNION ALL '.join(selects)}) ORDER BY {REC}, {_ORDER}"
    )
    columns = (*others, spec.index, *spec.columns.values())
    return dataclasses.replace(source, columns=columns, relation=relation)


def _text(source: Source, name: str) -> str:
    v = quote_ident(name)
    return f"CAST({v} AS VARCHAR)" if source.typed else v


def _rows_for(
    source: Source, spec: LongForm, found: dict[str, dict[int, str]], n: int, others: list[str]
) -> str:
    wide = [(found[p][n], target) for p, target in spec.columns.items()]
    cols = [REC, *(quote_ident(c) for c in others)]
    cols.append(f"{quote_literal(str(n))} AS {quote_ident(spec.index)}")
    cols += [f"{quote_ident(src)} AS {quote_ident(dst)}" for src, dst in wide]
    cols.append(f"{n} AS {_ORDER}")
    empty = " AND ".join(f"{trimmed(_text(source, src))} IS NULL" for src, _ in wide)
    return f"SELECT {', '.join(cols)} FROM ({source.relation}) WHERE NOT ({empty})"

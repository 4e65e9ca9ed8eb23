"""Apply a workspace mapping (``[mappings.DATASET]`` in ``kansa.toml``) to a source's columns.

Order: wide columns to rows (``long``), ``drop`` source columns, ``rename`` source -> contract
names, then each contract column comes from (first match) a ``casts`` expression over the
renamed columns, a ``constants`` value, or the renamed column itself, converted by its
declarative rule if it has one (``values``, ``formats``, ``amounts``: see
:mod:`kansa.ingest.conversion`). Columns neither used nor dropped are "unexpected"; contract
columns with no source are "missing": both are file-level problems listed together.
"""

from __future__ import annotations

import fnmatch
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import sqlglot
from sqlglot import exp

from kansa.contracts import Contract
from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.ingest.conversion import Conversion, rules_sql
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.ingest.long_form import to_long
from kansa.ingest.problems import InvalidData, Problem
from kansa.ingest.sources import REC, Source
from kansa.workspace import DatasetMapping


@dataclass(frozen=True)
class Plan:
    """SQL for the mapped relation: ``__kansa_rec`` plus every contract column as text.

    ``checked_sql`` is the same relation with, for each declaratively converted column, its raw
    text and a problem code (see :class:`~kansa.ingest.conversion.Conversion`); ``source`` is
    the source as read after any wide-to-long step.
    """

    mapped_sql: str
    mapping: dict[str, Any]
    checked_sql: str = ""
    conversions: tuple[Conversion, ...] = ()
    source: Source | None = None


def _constant_text(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return quote_literal("true" if value else "false")
    return quote_literal(str(value))


def _cast_columns(dataset: str, target: str, expression: str) -> set[str]:
    """Column names a cast expression reads (so that they do not count as unexpected)."""
    try:
        tree = sqlglot.parse_one(expression, read="duckdb")
    except sqlglot.errors.ParseError as exc:
        raise ConfigError(
            tr(
                f"kansa.toml mappings.{dataset} casts.{target}: not a SQL expression ({exc})",
                f"kansa.toml mappings.{dataset} casts.{target}: SQL 式ではありません（{exc}）",
            )
        ) from None
    return {c.name for c in tree.find_all(exp.Column)}


def _dropped(name: str, patterns: tuple[str, ...]) -> bool:
    """``drop`` lists names; one holding ``*`` or ``?`` is a pattern (``承認者*``)."""
    return any(
        name == p or (("*" in p or "?" in p) and fnmatch.fnmatchcase(name, p)) for p in patterns
    )


def plan_columns(
    contract: Contract,
    mapping: DatasetMapping,
    source: Source,
    decimals: Mapping[str, int] | None = None,
) -> Plan:
    """Build the mapped relation or raise :class:`InvalidData` listing missing/unexpected columns.

    ``decimals``: asset ticker -> decimals, for amounts written in coin units.
    """
    dataset = contract.name
    if mapping.long is not None:
        source = to_long(source, mapping.long, dataset)
    generated = {mapping.long.index} if mapping.long is not None else set()
    header_line = 1 if source.fmt == "csv" else None
    kept = [c for c in source.columns if not _dropped(c, mapping.drop)]
    renamed = [mapping.rename.get(c, c) for c in kept]
    _check_rename_clash(kept, renamed, source, header_line)
    used_by_casts: set[str] = set()
    for target, expression in mapping.casts.items():
        used_by_casts |= _cast_columns(dataset, target, expression)
    templates = {t: _template(dataset, t, text, renamed) for t, text in mapping.templates.items()}
    for _, used in templates.values():
        used_by_casts |= used
    contract_cols = set(contract.column_names)
    declared = set(mapping.values) | set(mapping.formats) | set(mapping.amounts)
    declared |= set(mapping.templates)
    unknown_targets = (set(mapping.casts) | set(mapping.constants) | declared) - contract_cols
    if unknown_targets:
        raise ConfigError(
            tr(
                f"kansa.toml mappings.{dataset} names columns not in the contract: {sorted(unknown_targets)}",
                f"kansa.toml mappings.{dataset} に契約にない列があります: {sorted(unknown_targets)}",
            )
        )
    present = set(renamed)
    problems: list[Problem] = []
    exprs: dict[str, str] = {}
    for col in contract.columns:
        if col.name in mapping.casts:
            exprs[col.name] = f"CAST(({mapping.casts[col.name]}) AS VARCHAR)"
        elif col.name in templates:
            exprs[col.name] = templates[col.name][0]
        elif col.name in mapping.constants:
            if col.name in present:
                problems.append(_constant_clash(source, col.name, dataset, header_line))
            exprs[col.name] = _constant_text(mapping.constants[col.name])
        elif col.name in present:
            v = quote_ident(col.name)
            exprs[col.name] = f"CAST({v} AS VARCHAR)" if source.typed else v
        elif col.optional:
            exprs[col.name] = "CAST(NULL AS VARCHAR)"
        else:
            problems.append(_missing(source, col.name, dataset, header_line))
    for name in renamed:
        if name not in contract_cols and name not in used_by_casts and name not in generated:
            problems.append(_unexpected(source, name, contract.name, header_line))
    if problems:
        raise InvalidData(source.display_name, problems)
    select_renamed = ", ".join(
        f"{quote_ident(src)} AS {quote_ident(dst)}" for src, dst in zip(kept, renamed, strict=True)
    )
    renamed_sql = f"SELECT {REC}{', ' if kept else ''}{select_renamed} FROM ({source.relation})"
    rules = rules_sql(contract, mapping, exprs, dict(decimals or {}))
    checked_sql = rules.checked_sql(renamed_sql)
    names = ", ".join(quote_ident(c.name) for c in contract.columns)
    mapped_sql = f"SELECT {REC}, {names} FROM ({checked_sql})"
    return Plan(
        mapped_sql=mapped_sql,
        mapping=_mapping_record(mapping),
        checked_sql=checked_sql,
        conversions=rules.conversions,
        source=source,
    )


def _template(dataset: str, target: str, text: str, columns: list[str]) -> tuple[str, set[str]]:
    """SQL joining the template's text and ``{column}`` values, and the columns it reads."""
    parts: list[str] = []
    used: set[str] = set()
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ConfigError(
            tr(
                f"kansa.toml mappings.{dataset}.templates.{target}: {exc}",
                f"kansa.toml mappings.{dataset}.templates.{target}: {exc}",
            )
        ) from None
    for literal, name, _, _ in parsed:
        if literal:
            parts.append(quote_literal(literal))
        if name is None:
            continue
        if name not in columns:
            raise ConfigError(
                tr(
                    f"kansa.toml mappings.{dataset}.templates.{target}: no column {name!r} "
                    f"(the columns after rename: {', '.join(columns)})",
                    f"kansa.toml mappings.{dataset}.templates.{target}: 列 {name!r} がありません"
                    f"（rename 後の列: {', '.join(columns)}）",
                )
            )
        used.add(name)
        parts.append(f"CAST({quote_ident(name)} AS VARCHAR)")
    return ("(" + " || ".join(parts or ["''"]) + ")", used)


def _check_rename_clash(
    kept: list[str], renamed: list[str], source: Source, line: int | None
) -> None:
    seen: dict[str, str] = {}
    problems: list[Problem] = []
    for src, dst in zip(kept, renamed, strict=True):
        if dst in seen:
            problems.append(
                Problem(
                    source.display_name,
                    line,
                    None,
                    dst,
                    None,
                    tr(
                        f"one source column per name, but {seen[dst]!r} and {src!r} both become {dst!r}",
                        f"列名は 1 つずつですが、{seen[dst]!r} と {src!r} が共に {dst!r} になります",
                    ),
                )
            )
        seen[dst] = src
    if problems:
        raise InvalidData(source.display_name, problems)


def _missing(source: Source, name: str, dataset: str, line: int | None) -> Problem:
    return Problem(
        source.display_name,
        line,
        None,
        name,
        None,
        tr(
            f"column {name} (required by contract {dataset}); missing from the file: add it, "
            f"or map it with rename/constants/casts in kansa.toml mappings.{dataset}",
            f"契約 {dataset} の列 {name} がファイルにありません。追加するか、"
            f"kansa.toml mappings.{dataset} の rename/constants/casts で対応付けてください",
        ),
    )


def _constant_clash(source: Source, name: str, dataset: str, line: int | None) -> Problem:
    return Problem(
        source.display_name,
        line,
        None,
        name,
        None,
        tr(
            f"either this column in the file or constants.{name} in kansa.toml mappings.{dataset}, "
            "not both (which one is right?)",
            f"ファイルの列と kansa.toml mappings.{dataset} の constants.{name} の両方があります。"
            "どちらか一方にしてください",
        ),
    )


def _unexpected(source: Source, name: str, dataset: str, line: int | None) -> Problem:
    return Problem(
        source.display_name,
        line,
        None,
        name,
        None,
        tr(
            f"only the columns of contract {dataset}; this one is unexpected: rename it "
            f"or list it in drop in kansa.toml mappings.{dataset}",
            f"契約 {dataset} の列のみですが、この列は想定外です。"
            f"kansa.toml mappings.{dataset} で rename するか drop に加えてください",
        ),
    )


def _mapping_record(mapping: DatasetMapping) -> dict[str, Any]:
    """The mapping as recorded in the snapshot's ledger entry (only what was set)."""
    d = asdict(mapping)
    d["drop"] = list(mapping.drop)
    return {k: v for k, v in d.items() if v not in (None, {}, [], ())}

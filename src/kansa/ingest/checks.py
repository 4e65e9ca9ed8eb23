"""Per column: the SQL that says what is wrong with a text value, and the SQL that types it.

Every value arrives as text (CSV and JSON as written; Parquet columns cast to text) so that one
set of rules applies to all formats. :func:`problem_sql` returns a short code (``null``,
``type``, ``negative``, ``nozone``, ``allowed``, ``pattern``, ``min``, ``max``) or NULL when the
value is fine; :func:`typed_sql` converts a valid value to its storage type (see
:mod:`kansa.contracts.model`). Timestamps must carry an offset or ``Z`` (ISO 8601) unless the
workspace mapping names the zone its naive timestamps are in; they are stored in UTC.
"""

from __future__ import annotations

from kansa.contracts import Column
from kansa.i18n import tr
from kansa.ingest.engine import quote_literal

DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
NAIVE_TS_RE = DATE_RE + "[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?"
ZONE_RE = "(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)"
ZONED_TS_RE = NAIVE_TS_RE + ZONE_RE
NUMBER_RE = "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?"
TRUE_WORDS = ("true", "1", "yes")
FALSE_WORDS = ("false", "0", "no")
NUMERIC = ("integer", "amount", "signed_amount", "number")


def _full(v: str, regex: str) -> str:
    return f"regexp_full_match({v}, {quote_literal(regex)})"


def _in(v: str, words: tuple[str, ...]) -> str:
    return f"{v} IN ({', '.join(quote_literal(w) for w in words)})"


def _zoned_ok(v: str) -> str:
    return f"({_full(v, ZONED_TS_RE)} AND TRY_CAST({v} AS TIMESTAMPTZ) IS NOT NULL)"


def _naive_ok(v: str) -> str:
    return f"({_full(v, NAIVE_TS_RE)} AND TRY_CAST({v} AS TIMESTAMP) IS NOT NULL)"


def _type_ok(col: Column, v: str, tz: str | None) -> str | None:
    """SQL true when ``v`` (not NULL) is a value of the column's type; None: any text is."""
    t = col.type
    if t == "string":
        return None
    if t == "integer":
        return f"({_full(v, '[+-]?[0-9]{1,19}')} AND TRY_CAST({v} AS BIGINT) IS NOT NULL)"
    if t == "amount":
        return _full(v, "[0-9]{1,38}")
    if t == "signed_amount":
        return _full(v, "-?[0-9]{1,38}")
    if t == "number":
        return f"({_full(v, NUMBER_RE)} AND isfinite(TRY_CAST({v} AS DOUBLE)))"
    if t == "boolean":
        return _in(f"lower({v})", TRUE_WORDS + FALSE_WORDS)
    if t == "date":
        return f"({_full(v, DATE_RE)} AND TRY_CAST({v} AS DATE) IS NOT NULL)"
    if t == "timestamp":
        return f"({_zoned_ok(v)} OR {_naive_ok(v)})" if tz else _zoned_ok(v)
    raise ValueError(f"unknown column type {t}")


def _type_code(col: Column, v: str, tz: str | None) -> str:
    """Which code a value of the wrong type gets (a more precise one where it helps)."""
    if col.type == "amount":
        return f"CASE WHEN {_full(v, '-[0-9]{1,38}')} THEN 'negative' ELSE 'type' END"
    if col.type == "timestamp" and not tz:
        return f"CASE WHEN {_naive_ok(v)} THEN 'nozone' ELSE 'type' END"
    return "'type'"


def problem_sql(col: Column, v: str, tz: str | None) -> str | None:
    """A CASE giving the problem code of ``v``, or None when nothing can be wrong with it."""
    branches: list[str] = []
    if not col.nullable:
        branches.append(f"WHEN {v} IS NULL THEN 'null'")
    else:
        branches.append(f"WHEN {v} IS NULL THEN NULL")
    ok = _type_ok(col, v, tz)
    if ok is not None:
        branches.append(f"WHEN NOT {ok} THEN {_type_code(col, v, tz)}")
    if col.allowed:
        branches.append(f"WHEN NOT {_in(v, col.allowed)} THEN 'allowed'")
    if col.pattern:
        branches.append(
            f"WHEN NOT regexp_matches({v}, {quote_literal(col.pattern)}) THEN 'pattern'"
        )
    if col.type in NUMERIC:
        typed = typed_sql(col, v, tz)
        if col.minimum is not None:
            branches.append(f"WHEN {typed} < {float(col.minimum)!r} THEN 'min'")
        if col.maximum is not None:
            branches.append(f"WHEN {typed} > {float(col.maximum)!r} THEN 'max'")
    if len(branches) == 1 and col.nullable:
        return None
    return "CASE " + " ".join(branches) + " END"


def typed_sql(col: Column, v: str, tz: str | None, *, safe: bool = False) -> str:
    """``v`` converted to the column's storage type (``safe``: NULL instead of an error)."""
    cast = "TRY_CAST" if safe else "CAST"
    t = col.type
    if t == "string":
        return v
    if t == "boolean":
        return (
            f"CASE WHEN {_in(f'lower({v})', TRUE_WORDS)} THEN TRUE "
            f"WHEN {_in(f'lower({v})', FALSE_WORDS)} THEN FALSE END"
        )
    if t == "timestamp" and tz:
        return (
            f"CASE WHEN {_full(v, NAIVE_TS_RE)} "
            f"THEN timezone({quote_literal(tz)}, {cast}({v} AS TIMESTAMP)) "
            f"ELSE {cast}({v} AS TIMESTAMPTZ) END"
        )
    return f"{cast}({v} AS {col.duckdb_type})"


def explain(col: Column, code: str, tz: str | None, dataset: str) -> str:
    """What the value should have been, in the user's language."""
    if code == "null":
        return tr("a value (the column is required)", "値（必須の列です）")
    if code == "negative":
        return tr(
            "a non-negative whole number in the asset's smallest unit (amounts cannot be negative)",
            "資産の最小単位での 0 以上の整数（金額は負にできません）",
        )
    if code == "nozone":
        return tr(
            f"a timestamp with a UTC offset or Z (e.g. 2026-11-20T09:00:00+09:00), "
            f"or set timezone in kansa.toml mappings.{dataset}",
            f"UTC オフセットまたは Z 付きの日時（例: 2026-11-20T09:00:00+09:00）。"
            f"または kansa.toml mappings.{dataset} に timezone を設定",
        )
    if code == "allowed":
        return tr("one of ", "次のいずれか: ") + ", ".join(col.allowed or ())
    if code == "pattern":
        return tr(f"text matching {col.pattern}", f"{col.pattern} に一致する文字列")
    if code == "min":
        return f">= {col.minimum:g}" if col.minimum is not None else ""
    if code == "max":
        return f"<= {col.maximum:g}" if col.maximum is not None else ""
    return _type_words(col, tz)


def _type_words(col: Column, tz: str | None) -> str:
    words = {
        "integer": tr("a whole number (64-bit)", "整数（64 ビット）"),
        "amount": tr(
            "a non-negative whole number in the asset's smallest unit (up to 38 digits)",
            "資産の最小単位での 0 以上の整数（38 桁まで）",
        ),
        "signed_amount": tr(
            "a whole number in the asset's smallest unit (up to 38 digits)",
            "資産の最小単位での整数（38 桁まで）",
        ),
        "number": tr("a finite number", "有限の数値"),
        "boolean": tr("true/false (or 1/0, yes/no)", "true/false（1/0、yes/no も可）"),
        "date": tr("a date YYYY-MM-DD", "日付 YYYY-MM-DD"),
        "timestamp": tr(
            "an ISO 8601 timestamp with offset (e.g. 2026-11-20T09:00:00Z)",
            "オフセット付き ISO 8601 日時（例: 2026-11-20T09:00:00Z）",
        ),
    }
    if col.type == "timestamp" and tz:
        return tr(
            f"an ISO 8601 timestamp (without offset: read as {tz})",
            f"ISO 8601 日時（オフセットなしは {tz} として解釈）",
        )
    return words.get(col.type, col.type)

"""Value maps: the words an export uses (``送金済``, ``○``/``×``, ``はい``/``いいえ``) to the
contract's values, in SQL. A value the map does not list is an error, never passed through."""

from __future__ import annotations

from kansa.ingest.engine import quote_literal
from kansa.ingest.fullwidth import trimmed


def mapped_sql(v: str, table: dict[str, str | None]) -> tuple[str, str]:
    """SQL for (the mapped value, ``'unmapped'`` when a non-empty value is not in the map).

    Values are compared after trimming spaces (ASCII and ideographic); a map entry whose value
    is empty turns that text into an empty value on purpose (``"-" = ""``).
    """
    x = trimmed(v)
    if not table:
        return "CAST(NULL AS VARCHAR)", f"CASE WHEN {x} IS NOT NULL THEN 'unmapped' END"
    whens = " ".join(
        f"WHEN {quote_literal(raw)} THEN "
        f"{'CAST(NULL AS VARCHAR)' if out is None else quote_literal(out)}"
        for raw, out in table.items()
    )
    keys = ", ".join(quote_literal(raw) for raw in table)
    return (
        f"CASE {x} {whens} END",
        f"CASE WHEN {x} IS NOT NULL AND {x} NOT IN ({keys}) THEN 'unmapped' END",
    )

"""Value maps: the words an export uses (``送金済``, ``○``/``×``, ``はい``/``いいえ``) to the
contract's values, in SQL. A value the map does not list is an error, never passed through."""

from __future__ import annotations

from kansa.ingest.engine import quote_literal
from kansa.ingest.fullwidth import trimmed
from kansa.ingest.staged import Staged


def mapped(raw: str, table: dict[str, str | None], prefix: str) -> Staged:
    """The mapped value of the text column ``raw``; ``'unmapped'`` when a non-empty value is
    not in the map. Values are compared after trimming spaces (ASCII and ideographic); a map
    entry whose value is empty turns that text into an empty value on purpose (``"-" = ""``)."""
    x = f"{prefix}x"
    if not table:
        return Staged(
            (((x, trimmed(raw)),),),
            "CAST(NULL AS VARCHAR)",
            f"CASE WHEN {x} IS NOT NULL THEN 'unmapped' END",
        )
    whens = " ".join(
        f"WHEN {quote_literal(k)} THEN {'CAST(NULL AS VARCHAR)' if out is None else quote_literal(out)}"
        for k, out in table.items()
    )
    keys = ", ".join(quote_literal(k) for k in table)
    return Staged(
        (((x, trimmed(raw)),),),
        f"CASE {x} {whens} END",
        f"CASE WHEN {x} IS NOT NULL AND {x} NOT IN ({keys}) THEN 'unmapped' END",
    )

"""Full-width characters to ASCII, in SQL, before a value is parsed as a number or a date.

Japanese systems (and people typing into Excel) write ``２０２６／１１／０１`` and ``１，２３４``:
the same characters in their full-width forms (Unicode block "Halfwidth and Fullwidth Forms",
U+FF01-U+FF5E, which sit at a fixed offset from ASCII). Only digits and the signs numbers and
dates use are folded; text columns are never touched.
"""

from __future__ import annotations

from kansa.ingest.engine import quote_literal

_WIDE = "０１２３４５６７８９，．－＋／：￥　"
_NARROW = "0123456789,.-+/:¥ "
_BLANKS = " \t\u3000"


def folded(v: str) -> str:
    """SQL: ``v`` with full-width digits and signs made ASCII, trimmed, empty as NULL."""
    # translate() is slow on every row; ASCII text (bytes = characters) has nothing to fold
    translated = (
        f"CASE WHEN strlen({v}) = length({v}) THEN {v} "
        f"ELSE translate({v}, {quote_literal(_WIDE)}, {quote_literal(_NARROW)}) END"
    )
    return f"nullif(trim({translated}, {quote_literal(_BLANKS)}), '')"


def trimmed(v: str) -> str:
    """SQL: ``v`` trimmed of ASCII and ideographic spaces, empty as NULL (text kept as is)."""
    return f"nullif(trim({v}, {quote_literal(_BLANKS)}), '')"

"""CSV text cells a spreadsheet cannot mistake for formulas (CSV / formula injection).

Evidence comes from the audited system: a ticket title ``=HYPERLINK("http://x","y")`` written
as is into an exported CSV becomes a live formula when the auditor opens the file in Excel or
LibreOffice. Following the OWASP guidance on CSV injection
(https://owasp.org/www-community/attacks/CSV_Injection; also CWE-1236 and OWASP ASVS 5.0
requirement 1.2.10), a **text** cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return gets a leading ``'``; the quoting of separators, quotes and line breaks is the
CSV writer's (RFC 4180).

Only text is touched: a negative *number* (``-5``) stays a number; the decision is made on the
value's type, never on how it looks. A text cell that already starts with ``'`` gets one more,
so the rule is reversible: :func:`restore` removes exactly the one quote added, which is what
``kansa sample evaluate`` does when it reads a drawn sample back.
"""

from __future__ import annotations

# what a spreadsheet may read as the start of a formula (OWASP), plus the quote itself
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED_STARTS = (*FORMULA_STARTS, "'")


def neutralize(text: str) -> str:
    """``text`` as a CSV cell that opens as text: a leading ``'`` where it could be a formula."""
    return "'" + text if text.startswith(_ESCAPED_STARTS) else text


def restore(text: str) -> str:
    """The text :func:`neutralize` was given (other text is returned unchanged)."""
    if text.startswith("'") and text[1:].startswith(_ESCAPED_STARTS):
        return text[1:]
    return text


def neutralize_sql(expr: str) -> str:
    """The same rule as a DuckDB expression over a VARCHAR ``expr`` (streams in the export)."""
    starts = ", ".join("'" + s.replace("'", "''") + "'" for s in _ESCAPED_STARTS)
    return (
        f"CASE WHEN list_contains([{starts}], left({expr}, 1)) THEN '''' || {expr} ELSE {expr} END"
    )

"""Amounts as exports write them (``1,234.5``, ``１２３``, ``¥12,000``, ``△500``, ``0.115429725``
BTC) to the contract's whole number in the asset's smallest unit, exactly, in SQL.

The text is split into sign, whole part and fraction and the fraction is padded to the asset's
decimals: digits are moved, never computed, so there is no floating point and no rounding. A
fraction with more significant decimals than the asset has is an error (``0.115429725`` BTC is
not a number of satoshi), as is a result longer than the 38 digits the vault stores, or an
asset whose decimals are not known.

Accepted: an optional sign (``-``, or ``△``/``▲`` as Japanese accounts write a negative), an
optional yen sign (``¥``, ``￥`` or ``\\``, which is how CP932 text shows the yen sign), digits
with or without thousands separators (``,`` in groups of three), an optional ``.`` fraction and
an optional trailing ``円``. Full-width digits and signs are folded to ASCII first.
"""

from __future__ import annotations

from collections.abc import Mapping

from kansa.contracts.assets import MAX_DECIMALS
from kansa.ingest.engine import quote_literal
from kansa.ingest.fullwidth import folded

AMOUNT_RE = r"^([-△▲]?)[¥\\]?([-△▲]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?円?$"


def decimals_sql(asset: str, table: Mapping[str, int]) -> str:
    """SQL: the decimals of the asset named by the SQL text ``asset`` (NULL when unknown)."""
    whens = " ".join(f"WHEN {quote_literal(t)} THEN {d}" for t, d in sorted(table.items()))
    return f"CASE upper(trim({asset})) {whens} END"


def amount_sql(v: str, decimals: str | None) -> tuple[str, str]:
    """SQL for (the amount in the smallest unit as text, a problem code or NULL).

    ``decimals`` is an SQL expression giving the number of decimals (per row or constant);
    ``None``: the value is already in the smallest unit (a fraction is then an error).
    Codes: ``amount`` (not an amount), ``asset`` (decimals unknown), ``decimals`` (too many
    decimals), ``overflow`` (more than 38 digits).
    """
    x = folded(v)
    m = f"regexp_extract({x}, {quote_literal(AMOUNT_RE)}, ['s1', 's2', 'whole', 'frac'])"
    d = "0" if decimals is None else f"({decimals})"
    # the struct is computed once per row by DuckDB's common-subexpression elimination
    whole = f"replace({m}.whole, ',', '')"
    frac = f"coalesce({m}.frac, '')"
    significant = f"rtrim({frac}, '0')"
    digits = f"ltrim({whole} || rpad(left({frac}, {d}), {d}, '0'), '0')"
    negative = f"({m}.s1 <> '' OR {m}.s2 <> '')"
    value = (
        f"CASE WHEN {x} IS NULL THEN NULL "
        f"WHEN {digits} = '' THEN '0' "
        f"WHEN {negative} THEN '-' || {digits} ELSE {digits} END"
    )
    bad = (
        f"CASE WHEN {x} IS NULL THEN NULL "
        f"WHEN NOT regexp_full_match({x}, {quote_literal(AMOUNT_RE)}) "
        f"OR ({m}.s1 <> '' AND {m}.s2 <> '') THEN 'amount' "
        f"WHEN {d} IS NULL THEN 'asset' "
        f"WHEN length({significant}) > {d} THEN 'decimals' "
        f"WHEN length({digits}) > {MAX_DECIMALS} THEN 'overflow' END"
    )
    return f"CASE WHEN ({bad}) IS NULL THEN {value} END", bad

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
from kansa.ingest.staged import Staged

AMOUNT_RE = r"^([-△▲]?)[¥\\]?([-△▲]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?円?$"


def decimals_sql(asset: str, table: Mapping[str, int]) -> str:
    """SQL: the decimals of the asset named by the SQL text ``asset`` (NULL when unknown)."""
    whens = " ".join(f"WHEN {quote_literal(t)} THEN {d}" for t, d in sorted(table.items()))
    return f"CASE upper(trim({asset})) {whens} END"


def amount(raw: str, decimals: str | None, prefix: str) -> Staged:
    """The amount in the smallest unit as text, and a problem code or NULL.

    ``decimals`` is an SQL expression giving the number of decimals (per row or constant; it
    is evaluated at step 3 and may read columns converted at step 2, such as a mapped asset);
    ``None``: the value is already in the smallest unit (a fraction is then an error). Codes:
    ``amount`` (not an amount), ``asset`` (decimals unknown), ``decimals`` (too many decimals),
    ``overflow`` (more than 38 digits).
    """
    x, m, d = f"{prefix}x", f"{prefix}m", f"{prefix}d"
    whole, frac, sign = f"{prefix}whole", f"{prefix}frac", f"{prefix}sign"
    digits, significant = f"{prefix}digits", f"{prefix}significant"
    steps = (
        ((x, folded(raw)),),
        ((m, f"regexp_extract({x}, {quote_literal(AMOUNT_RE)}, ['s1', 's2', 'whole', 'frac'])"),),
        (
            (d, "0" if decimals is None else f"({decimals})"),
            (whole, f"replace({m}.whole, ',', '')"),
            (frac, f"coalesce({m}.frac, '')"),
            # '' no sign, '-' one sign, 'x' a sign on both sides of the yen sign (not a number)
            (sign, f"CASE WHEN {m}.s1 <> '' AND {m}.s2 <> '' THEN 'x' "
                   f"WHEN {m}.s1 <> '' OR {m}.s2 <> '' THEN '-' ELSE '' END"),
        ),
        (
            (digits, f"ltrim({whole} || rpad(left({frac}, {d}), {d}, '0'), '0')"),
            (significant, f"length(rtrim({frac}, '0'))"),
        ),
    )  # fmt: skip
    bad = (
        f"CASE WHEN {x} IS NULL THEN NULL "
        f"WHEN {whole} = '' OR {sign} = 'x' THEN 'amount' "
        f"WHEN {d} IS NULL THEN 'asset' "
        f"WHEN {significant} > {d} THEN 'decimals' "
        f"WHEN length({digits}) > {MAX_DECIMALS} THEN 'overflow' END"
    )
    value = (
        f"CASE WHEN ({bad}) IS NOT NULL OR {x} IS NULL THEN NULL "
        f"WHEN {digits} = '' THEN '0' ELSE {sign} || {digits} END"
    )
    return Staged(steps, value, bad)

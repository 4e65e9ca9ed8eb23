"""Properties of the amount and date parsers (the SQL that mappings generate), checked against
Python's own arithmetic and ``datetime.strptime`` on generated values."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import duckdb
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kansa.errors import ConfigError
from kansa.ingest.amounts import amount
from kansa.ingest.datetimes import check_format, parsed

SETTINGS = settings(max_examples=200, deadline=None)
WIDE = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    c = duckdb.connect()
    c.execute("SET TimeZone = 'UTC'")
    yield c
    c.close()


def _amount(
    con: duckdb.DuckDBPyConnection, text: str, decimals: int | None
) -> tuple[str | None, str | None]:
    staged = amount("x", None if decimals is None else str(decimals), "p_")
    row = con.execute(staged.query("SELECT ?::VARCHAR AS x"), [text]).fetchone()
    assert row is not None
    return row[0], row[1]


def _grouped(whole: int) -> str:
    return f"{whole:,}"


@SETTINGS
@given(
    units=st.integers(min_value=-(10**30), max_value=10**30),
    decimals=st.integers(min_value=0, max_value=18),
    grouped=st.booleans(),
    wide=st.booleans(),
    yen=st.sampled_from(["", "¥", "￥", "\\"]),
    trailing_zeros=st.integers(min_value=0, max_value=3),
)
def test_coin_text_converts_to_exactly_its_smallest_units(
    con: duckdb.DuckDBPyConnection,
    units: int,
    decimals: int,
    grouped: bool,
    wide: bool,
    yen: str,
    trailing_zeros: int,
) -> None:
    whole, frac = divmod(abs(units), 10**decimals)
    text = _grouped(whole) if grouped else str(whole)
    if decimals:
        text += "." + str(frac).rjust(decimals, "0") + "0" * trailing_zeros
    text = ("-" if units < 0 else "") + yen + text
    if wide:
        text = text.translate(WIDE)
    value, bad = _amount(con, text, decimals)
    assert bad is None
    assert Decimal(value) == units


@SETTINGS
@given(
    units=st.integers(min_value=1, max_value=10**20),
    decimals=st.integers(min_value=0, max_value=17),
    extra=st.integers(min_value=1, max_value=9),
)
def test_one_decimal_too_many_is_an_error_never_a_rounding(
    con: duckdb.DuckDBPyConnection, units: int, decimals: int, extra: int
) -> None:
    whole, frac = divmod(units, 10**decimals)
    digits = (str(frac).rjust(decimals, "0") if decimals else "") + str(extra)
    value, bad = _amount(con, f"{whole}.{digits}", decimals)
    assert (value, bad) == (None, "decimals")


@SETTINGS
@given(text=st.text(alphabet=st.sampled_from(list("0123456789,.-+ ¥円△e")), max_size=14))
def test_any_text_is_an_exact_amount_or_an_error(con: duckdb.DuckDBPyConnection, text: str) -> None:
    """Whatever the text, the result is either the number Python reads from it (sign and
    thousands separators removed, scaled by 10^2) or a problem code; never something else."""
    value, bad = _amount(con, text, 2)
    strict = re.fullmatch(r"\s*([-△]?)¥?([-△]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?円?\s*", text)
    if not text.strip():
        assert (value, bad) == (None, None)
    elif strict is None or (strict[1] and strict[2]):
        assert (value, bad) == (None, "amount")
    elif len((strict[4] or "").rstrip("0")) > 2:
        assert (value, bad) == (None, "decimals")
    else:
        number = Decimal(strict[3].replace(",", "") + "." + (strict[4] or "0"))
        sign = -1 if (strict[1] or strict[2]) else 1
        assert bad is None and Decimal(value) == sign * number * 100


def test_already_in_the_smallest_unit(con: duckdb.DuckDBPyConnection) -> None:
    assert _amount(con, "1,234", None) == ("1234", None)
    assert _amount(con, "12.5", None) == (None, "decimals")
    assert _amount(con, "12.0", None) == ("12", None)


FORMATS = ["%Y/%m/%d", "%Y年%m月%d日", "%Y-%m-%d"]


def _date(
    con: duckdb.DuckDBPyConnection, text: str, formats: list[str], kind: str = "date"
) -> tuple[str | None, str | None]:
    staged = parsed("x", tuple(formats), kind, "p_")
    row = con.execute(staged.query("SELECT ?::VARCHAR AS x"), [text]).fetchone()
    assert row is not None
    return row[0], row[1]


@SETTINGS
@given(
    day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    fmt=st.sampled_from(FORMATS),
    unpadded=st.booleans(),
    wide=st.booleans(),
)
def test_a_date_in_any_listed_format_reads_as_that_date(
    con: duckdb.DuckDBPyConnection, day: dt.date, fmt: str, unpadded: bool, wide: bool
) -> None:
    text = day.strftime(fmt)
    if unpadded:
        text = re.sub(r"(?<=\D)0(\d)", r"\1", text)
    if wide:
        text = text.translate(str.maketrans("0123456789/", "０１２３４５６７８９／"))
    assert _date(con, text, FORMATS) == (day.isoformat(), None)


@SETTINGS
@given(
    text=st.text(alphabet=st.sampled_from(list("0123456789/-年月日 .")), min_size=1, max_size=12)
)
@example(text="0/1/1")
@example(text="0000/01/01")
def test_any_text_is_the_date_python_reads_or_an_error_never_null(
    con: duckdb.DuckDBPyConnection, text: str
) -> None:
    value, bad = _date(con, text, FORMATS)
    if not text.strip():
        assert (value, bad) == (None, None)
        return
    if bad is not None:
        assert (value, bad) == (None, "format")
        return
    assert value is not None
    readings = set()
    for fmt in FORMATS:
        with contextlib.suppress(ValueError):
            readings.add(dt.datetime.strptime(text.strip(), fmt).date().isoformat())
    assert value in readings


def test_naive_and_zoned_times(con: duckdb.DuckDBPyConnection) -> None:
    fmts = ["%Y/%m/%d %H:%M:%S", "%Y年%m月%d日 %H時%M分", "%Y-%m-%dT%H:%M:%S%z"]
    assert _date(con, "2026/11/01 9:05:03", fmts, "timestamp") == (
        "2026-11-01 09:05:03.000000",
        None,
    )
    assert _date(con, "2026年11月2日 0時05分", fmts, "timestamp") == (
        "2026-11-02 00:05:00.000000",
        None,
    )
    assert _date(con, "2026-11-01T09:00:00+09:00", fmts, "timestamp") == (
        "2026-11-01T00:00:00.000000+00:00",
        None,
    )
    assert _date(con, "2026/11/01 25:00:00", fmts, "timestamp") == (None, "format")


def test_a_date_column_refuses_a_time_of_day(con: duckdb.DuckDBPyConnection) -> None:
    fmts = ["%Y/%m/%d %H:%M"]
    assert _date(con, "2026/11/01 00:00", fmts) == ("2026-11-01", None)
    assert _date(con, "2026/11/01 09:30", fmts) == (None, "format")


def test_iso_accepts_what_the_contract_accepts(con: duckdb.DuckDBPyConnection) -> None:
    assert _date(con, "2026-11-01", ["ISO"]) == ("2026-11-01", None)
    assert _date(con, "2026-02-30", ["ISO"]) == (None, "format")
    assert _date(con, "2026-11-01T09:00:00+09:00", ["ISO"], "timestamp")[1] is None


@pytest.mark.parametrize("fmt", ["%Q", "yyyy/mm/dd", "%Y/%"])
def test_a_broken_format_is_a_config_error(fmt: str) -> None:
    with pytest.raises(ConfigError, match="not a date/time format"):
        check_format(fmt, "kansa.toml mappings.x.formats.y")

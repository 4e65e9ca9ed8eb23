"""The CSV formula-injection rule (kansa.csv_cells): OWASP's characters, reversible."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.csv_cells import FORMULA_STARTS, neutralize, neutralize_sql, restore


def test_owasp_characters_get_one_leading_quote() -> None:
    assert FORMULA_STARTS == ("=", "+", "-", "@", "\t", "\r")
    for start in FORMULA_STARTS:
        assert neutralize(start + "x") == "'" + start + "x"
    assert neutralize('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert neutralize("plain") == "plain" and neutralize("") == ""
    assert neutralize("'already") == "''already"  # so that restore() is exact


@given(st.text())
def test_restore_gives_back_exactly_what_was_neutralized(text: str) -> None:
    assert restore(neutralize(text)) == text
    assert not neutralize(text).startswith(FORMULA_STARTS)


@pytest.fixture(scope="module")
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    yield connection
    connection.close()


@settings(deadline=None)  # the machine is shared: a slow query is not a wrong one
@given(text=st.text().filter(lambda t: "\x00" not in t))
def test_the_sql_rule_is_the_python_rule(con: duckdb.DuckDBPyConnection, text: str) -> None:
    got = con.execute(f"SELECT {neutralize_sql('$1::VARCHAR')}", [text]).fetchone()
    assert got == (neutralize(text),)

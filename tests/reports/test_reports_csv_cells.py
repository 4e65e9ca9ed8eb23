"""The CSV formula-injection rule (kansa.csv_cells): OWASP's characters, reversible."""

from __future__ import annotations

import duckdb
from hypothesis import given
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


@given(st.text().filter(lambda t: "\x00" not in t))
def test_the_sql_rule_is_the_python_rule(text: str) -> None:
    con = duckdb.connect()
    try:
        got = con.execute(f"SELECT {neutralize_sql('$1::VARCHAR')}", [text]).fetchone()
    finally:
        con.close()
    assert got == (neutralize(text),)

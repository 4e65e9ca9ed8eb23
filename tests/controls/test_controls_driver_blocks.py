"""A Python-logic control's ``driver_<dataset>`` blocks: what a Spark driver reads of a dataset
in its place. The loader takes them only where they mean something, and lint binds them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansa.controls import ControlError, load_catalog, parse_control
from kansa.controls.lint import check_control, lint_connection

_YAML = """id: TST-{n}
title: {{en: t, ja: t}}
objective: {{en: o, ja: o}}
rule: {{en: r, ja: r}}
area: custody
severity: high
datasets: [customer_balances]
key: [asset]
{logic}
"""
_LOGIC = 'logic: "kansa.reserves.control:cus_008"'


def _control(folder: Path, n: str, sql: str, *, logic: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"TST-{n}.yaml").write_text(
        _YAML.format(n=n, logic=_LOGIC if logic else ""), encoding="utf-8"
    )
    (folder / f"TST-{n}.sql").write_text(sql, encoding="utf-8")
    return folder / f"TST-{n}.yaml"


_DAY_SUMS = (
    "-- name: driver_customer_balances\n"
    "select asset, as_of, sum(balance) as balance from customer_balances\n"
    "where as_of = {{ as_of }} group by asset, as_of\n"
)


def test_a_logic_control_names_what_the_driver_reads_of_a_declared_dataset(
    tmp_path: Path,
) -> None:
    control = parse_control(_control(tmp_path, "001", _DAY_SUMS), builtin=False)
    assert list(control.driver_reads) == ["customer_balances"]
    assert "{{ as_of }}" in control.driver_reads["customer_balances"]
    assert control.test_sql is None and control.population_sql is None


def test_cus_008_reads_one_days_sums_on_a_spark_driver() -> None:
    assert set(load_catalog()["CUS-008"].driver_reads) == {"customer_balances", "wallet_balances"}


@pytest.mark.parametrize(
    ("sql", "logic", "message"),
    [
        (_DAY_SUMS.replace("driver_customer", "driver_wallet"), True, "does not declare"),
        ("-- name: test\nselect 1 as asset\n\n" + _DAY_SUMS, False, "Python-logic controls only"),
        (_DAY_SUMS.replace("driver_", "drive_"), True, "unknown blocks"),
    ],
)
def test_a_driver_block_anywhere_else_is_refused(
    tmp_path: Path, sql: str, logic: bool, message: str
) -> None:
    with pytest.raises(ControlError, match=message):
        parse_control(_control(tmp_path, "002", sql, logic=logic))


def test_lint_binds_driver_blocks_against_the_contracts(tmp_path: Path) -> None:
    bad = _DAY_SUMS.replace("sum(balance)", "sum(balanse)")
    control = parse_control(_control(tmp_path, "003", bad))
    problems = check_control(lint_connection(), control)
    assert any(p.startswith("driver_customer_balances: does not bind") for p in problems), problems
    good = parse_control(_control(tmp_path, "004", _DAY_SUMS))
    assert check_control(lint_connection(), good) == []

"""``kansa controls lint``: the catalog is clean, and each kind of broken control is caught."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from kansa.controls.lint import lint_catalog, lint_folders

GOOD_YAML = """\
id: {cid}
version: 1
title: {{en: A test control, ja: テスト用コントロール}}
objective: {{en: Objective, ja: 目的}}
rule: {{en: Rule, ja: 根拠}}
area: custody
severity: low
datasets: [{datasets}]
key: [{key}]
{extra}
"""
GOOD_SQL = """\
-- name: population
select customer_id, asset, as_of from customer_balances where as_of <= {{ as_of }}
-- name: test
select customer_id, asset, as_of, balance from customer_balances
where as_of <= {{ as_of }} and balance < {{ floor }}
"""
PARAM = "parameters:\n  floor: {type: integer, default: 0, description: {en: Floor, ja: 下限}}"


def write(
    folder: Path,
    cid: str,
    sql: str | None = GOOD_SQL,
    *,
    key: str = "customer_id, asset, as_of",
    datasets: str = "customer_balances",
    extra: str = PARAM,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{cid}.yaml").write_text(
        GOOD_YAML.format(cid=cid, key=key, datasets=datasets, extra=extra), encoding="utf-8"
    )
    if sql is not None:
        (folder / f"{cid}.sql").write_text(textwrap.dedent(sql), encoding="utf-8")
    return folder


def reasons(folder: Path, **kw: object) -> list[str]:
    report = lint_folders([(folder, False)], **kw)  # type: ignore[arg-type]
    return [f"{p.control}: {p.reason}" for p in report.problems]


def test_builtin_catalog_is_clean_and_complete() -> None:
    report = lint_catalog()
    assert report.problems == []
    assert len(report.checked) >= 45
    prefixes = {cid.split("-")[0] for cid in report.checked}
    assert prefixes == {"CUS", "KEY", "WDR", "CSR", "FIA", "ACC", "PPL", "OPS"}


def test_a_good_workspace_control_passes(tmp_path: Path) -> None:
    assert reasons(write(tmp_path, "XYZ-001")) == []


@pytest.mark.parametrize(
    ("sql", "kw", "expected"),
    [
        (GOOD_SQL.replace("balance <", "balanse <"), {}, "does not bind"),
        (
            GOOD_SQL.replace(
                "select customer_id, asset, as_of, balance", "select asset, as_of, balance"
            ),
            {},
            "key columns ['customer_id']",
        ),
        (GOOD_SQL.replace("{{ floor }}", "{{ flor }}"), {}, "undeclared parameters ['flor']"),
        (GOOD_SQL.replace("{{ floor }}", "0"), {}, "not used by the SQL ['floor']"),
        (
            GOOD_SQL.replace(
                "from customer_balances\nwhere",
                "from customer_balances join wallets w on true\nwhere",
            ),
            {},
            "not listed in 'datasets': ['wallets']",
        ),
        (
            GOOD_SQL.replace("balance < {{ floor }}", "balance < {{ floor }};\ndelete from staff"),
            {},
            "exactly one SELECT",
        ),
        (
            GOOD_SQL.replace(
                "select customer_id, asset, as_of, balance from customer_balances",
                "select * from read_csv('/etc/passwd')",
            ),
            {"key": "column0", "datasets": "customer_balances"},
            "refused by the engine's guard",
        ),
        (GOOD_SQL.replace("where as_of", "wher as_of"), {}, "SQLGlot cannot parse"),
    ],
)
def test_broken_sql_is_reported(tmp_path: Path, sql: str, kw: dict, expected: str) -> None:
    found = reasons(write(tmp_path, "XYZ-001", sql, **kw))
    assert any(expected in r for r in found), found


def test_metadata_problems_are_reported(tmp_path: Path) -> None:
    write(tmp_path, "XYZ-001", extra=PARAM + "\nframeworks: {iso27001_2022: [A.9.9]}")
    write(tmp_path, "XYZ-002", datasets="customer_balances, ledgerz")
    write(
        tmp_path,
        "XYZ-003",
        extra="parameters:\n  floor: {type: integer, default: 0.5, description: {en: F, ja: F}}",
    )
    write(tmp_path, "XYZ-004", sql=None, extra="logic: 'kansa.nowhere:fn'")
    write(tmp_path, "XYZ-005", sql=None)  # neither SQL nor logic
    found = reasons(tmp_path)
    assert any("XYZ-001: cites unknown iso27001_2022 requirement 'A.9.9'" in r for r in found)
    assert any("XYZ-002: datasets ['ledgerz'] have no contract" in r for r in found)
    assert any("XYZ-003: parameter floor: default 0.5 is not a integer" in r for r in found)
    assert any(r.startswith("XYZ-004: logic kansa.nowhere:fn cannot be loaded") for r in found)
    assert any(r.startswith("XYZ-005:") and "test block, or 'logic'" in r for r in found)


def test_duplicate_ids_and_bad_overrides(tmp_path: Path) -> None:
    write(tmp_path / "a", "XYZ-001")
    write(tmp_path / "b", "XYZ-001")
    report = lint_folders(
        [(tmp_path / "a", False), (tmp_path / "b", False), (tmp_path / "missing", False)],
        overrides={"XYZ-001": {"floor": 1, "celing": 2}, "ZZZ-001": {"x": 1}},
    )
    found = [f"{p.control}: {p.reason}" for p in report.problems]
    assert any("XYZ-001: id already defined" in r for r in found)
    assert any("XYZ-001: unknown parameter 'celing'" in r for r in found)
    assert any("ZZZ-001: parameters set for an unknown control" in r for r in found)
    assert any("control folder does not exist" in r for r in found)

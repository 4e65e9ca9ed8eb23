"""Shared views: defined once, linted, bound, hashed into each user's version, same everywhere."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from kansa.controls import load_catalog, parse_control
from kansa.controls.direct import run_control
from kansa.controls.fixtures import contract_database, insert_rows
from kansa.controls.lint import lint_folders
from kansa.controls.views import VIEWS_DIR, builtin_views, load_views

CONTROL_YAML = """\
id: XYZ-001
version: 1
title: {{en: Uses a view, ja: ビューを使う}}
objective: {{en: Objective, ja: 目的}}
rule: {{en: Rule, ja: 根拠}}
area: access
severity: low
datasets: [{datasets}]
views: [{views}]
key: [account_id]
"""
CONTROL_SQL = """\
-- name: population
select account_id from {view}
-- name: test
select account_id from {view} where mfa_method = 'none'
"""


def write_view(folder: Path, name: str, depends: str, sql: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.sql").write_text(f"-- depends: {depends}\n-- test\n{sql}\n", "utf-8")


def write_control(folder: Path, datasets: str, views: str, view: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "XYZ-001.yaml"
    path.write_text(CONTROL_YAML.format(datasets=datasets, views=views), "utf-8")
    (folder / "XYZ-001.sql").write_text(CONTROL_SQL.format(view=view), "utf-8")
    return path


def reasons(controls: Path, views: Path) -> list[str]:
    report = lint_folders([(controls, False)], views_dir=views)
    return [f"{p.control}: {p.reason}" for p in report.problems]


def test_a_cycle_between_views_is_a_clear_lint_error(tmp_path: Path) -> None:
    write_view(tmp_path / "v", "a_view", "b_view", "select * from b_view")
    write_view(tmp_path / "v", "b_view", "a_view", "select * from a_view")
    (tmp_path / "c").mkdir()
    found = reasons(tmp_path / "c", tmp_path / "v")
    assert any("cycle: a_view -> b_view -> a_view" in r for r in found), found


def test_an_unknown_view_dependency_is_a_clear_lint_error(tmp_path: Path) -> None:
    write_view(tmp_path / "v", "a_view", "acounts", "select * from acounts")
    (tmp_path / "c").mkdir()
    found = reasons(tmp_path / "c", tmp_path / "v")
    assert any("depends on unknown ['acounts']" in r for r in found), found


@pytest.mark.parametrize(
    ("depends", "sql", "expected"),
    [
        ("accounts", "select * from read_csv('/etc/passwd')", "refused by the engine's guard"),
        ("accounts", "select * from '/etc/passwd'", "refused by the engine's guard"),
        ("accounts", "select * from accounts, roles", "reads ['accounts', 'roles'] but its header"),
        ("accounts", "select * from accounts where x = {{ floor }}", "may use only"),
        ("accounts", "select nope from accounts", "does not bind"),
    ],
)
def test_a_broken_view_is_reported(tmp_path: Path, depends: str, sql: str, expected: str) -> None:
    write_view(tmp_path / "v", "a_view", depends, sql)
    (tmp_path / "c").mkdir()
    found = reasons(tmp_path / "c", tmp_path / "v")
    assert any(expected in r for r in found), found


def test_a_control_must_declare_the_view_and_the_datasets_behind_it(tmp_path: Path) -> None:
    views = tmp_path / "v"
    shutil.copytree(VIEWS_DIR, views)
    good = tmp_path / "good"
    write_control(
        good, "accounts, role_grants, roles", "privileged_accounts", "privileged_accounts"
    )
    assert reasons(good, views) == []
    short = tmp_path / "short"
    write_control(short, "accounts", "privileged_accounts", "privileged_accounts")
    assert any(
        "not listed in 'datasets': ['role_grants', 'roles']" in r for r in reasons(short, views)
    )
    undeclared = tmp_path / "undeclared"
    write_control(undeclared, "accounts", "enabled_accounts", "privileged_accounts")
    found = reasons(undeclared, views)
    assert any("not listed in 'views': ['privileged_accounts']" in r for r in found), found
    assert any("does not read: ['enabled_accounts']" in r for r in found), found


def test_a_change_to_a_view_changes_the_version_of_each_control_using_it(tmp_path: Path) -> None:
    views = tmp_path / "v"
    shutil.copytree(VIEWS_DIR, views)
    catalog = load_catalog()
    before = {cid: c.version_hash for cid, c in catalog.items()}
    # enabled_accounts is read by privileged_accounts: ACC-003 uses it only through that view
    path = views / "enabled_accounts.sql"
    path.write_text(path.read_text("utf-8") + "\n-- reworded\n", "utf-8")
    shared = load_views(views)
    after = {cid: parse_control(c.source, shared=shared).version_hash for cid, c in catalog.items()}
    changed = {cid for cid in catalog if before[cid] != after[cid]}
    users = {
        cid
        for cid, c in catalog.items()
        if {"enabled_accounts", "privileged_accounts"} & set(c.views)
    }
    assert "ACC-003" in changed
    assert changed == users


def test_the_fixture_database_creates_the_same_views() -> None:
    con = contract_database(as_of=dt.date(2026, 11, 20))
    names = {
        r[0]
        for r in con.execute("select view_name from duckdb_views() where not internal").fetchall()
    }
    assert set(builtin_views()) <= names


def test_a_view_sees_the_as_of_date_the_control_runs_at() -> None:
    con = contract_database()
    insert_rows(
        con,
        "accounts",
        [
            {
                "account_id": "A1",
                "person_id": "P1",
                "privileged": True,
                "mfa_method": "none",
                "created_at": "2026-11-10T00:00:00Z",
            }
        ],
    )
    acc_003 = load_catalog()["ACC-003"]
    assert run_control(con, acc_003, dt.date(2026, 11, 9)).population == 0
    assert [r["account_id"] for r in run_control(con, acc_003, dt.date(2026, 11, 10)).rows()] == [
        "A1"
    ]

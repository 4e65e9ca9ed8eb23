"""``kansa controls lint``: the catalog is clean, and each kind of broken control is caught."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
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


# --- hostile control SQL: lint refuses it without reading a file or reaching the network ---

SECRET_LINE = "TOPSECRET-4242,other"


def _hostile_tests(secret: Path, pipe: Path) -> dict[str, str]:
    return {
        "TST-101": f"select * from read_csv('{secret}', header = true)",  # header -> column names
        "TST-102": f"select * from read_csv('{pipe}', header = true)",
        "TST-103": f"select content as customer_id from read_text('{secret}')",
        "TST-104": "select * from read_parquet('https://example.invalid/x.parquet')",
        "TST-105": f"select * from '{secret}'",
        "TST-106": "install httpfs",
        "TST-107": "load httpfs",
        "TST-108": f"attach '{secret}.duckdb' as leak",
        "TST-109": f"copy (select * from customer_balances) to '{secret}.out'",
        "TST-110": "set enable_external_access = true",
        "TST-111": f"select (select max(content) from read_text('{secret}')) as customer_id",
    }


class PipeWatch:
    """A named pipe that notes whether anything ever opened it for reading."""

    def __init__(self, path: Path) -> None:
        os.mkfifo(path)
        self.path, self.opened, self._done = path, False, threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens the pipe
        if not self._done.is_set():
            self.opened = True
            os.write(fd, (SECRET_LINE + "\n").encode())
        os.close(fd)

    def close(self) -> None:
        self._done.set()
        os.close(os.open(self.path, os.O_RDONLY | os.O_NONBLOCK))  # release the writer
        self._thread.join(5)


def test_lint_refuses_hostile_sql_without_reading_files_or_the_network(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET_LINE + "\n", encoding="utf-8")
    pipe = PipeWatch(tmp_path / "pipe")
    folder = tmp_path / "hostile"
    for cid, test in _hostile_tests(secret, pipe.path).items():
        sql = f"-- name: population\nselect customer_id from customer_balances\n-- name: test\n{test}\n"
        write(folder, cid, sql, key="customer_id", extra="")
    home = tmp_path / "home"  # where DuckDB would install an extension it downloads
    home.mkdir()
    try:
        done = subprocess.run(
            [sys.executable, "-c", "from kansa.cli.app import main; main()",
             "controls", "lint", "--path", str(folder), "--json"],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "HOME": str(home), "KANSA_LANG": "en"}, cwd=tmp_path,
        )  # fmt: skip
    finally:
        pipe.close()
    assert done.returncode == 1, done.stderr
    problems = json.loads(done.stdout)["problems"]
    refused = {p["control"] for p in problems}
    assert refused == set(_hostile_tests(secret, pipe.path))
    assert "TOPSECRET" not in done.stdout + done.stderr
    assert not pipe.opened
    assert list(home.iterdir()) == []  # no extension was installed (nor downloaded)
    assert not Path(f"{secret}.out").exists() and not Path(f"{secret}.duckdb").exists()
    assert all("does not bind" not in p["reason"] for p in problems)  # refused before binding


def test_check_control_binds_only_on_the_locked_connection() -> None:
    import duckdb

    from kansa.controls import load_catalog
    from kansa.controls.lint import check_control, lint_connection

    control = load_catalog()["CUS-001"]
    with pytest.raises(ValueError, match="lint_connection"):
        check_control(duckdb.connect(), control)
    con = lint_connection()
    with pytest.raises(duckdb.Error):
        con.execute("set enable_external_access = true")
    with pytest.raises(duckdb.Error):
        con.execute("select * from read_text('/etc/hostname')")

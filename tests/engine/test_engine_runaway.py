"""Runaway SQL: a per-control time limit, and Ctrl-C that stops a run and commits nothing.

The runaway control is a real exploding cross join over the custody book (16 rows to the 8th
power: 4.3 billion rows copied to Parquet), which DuckDB would grind through for minutes.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from kansa.appdb import Database, Run
from kansa.cli.app import app
from kansa.controls import Control
from kansa.engine import run_controls
from kansa.errors import ConfigError
from kansa.vault import Vault
from kansa.workspace import Workspace, find_workspace
from kansa.workspace.config import load_config

EXPLODING_JOIN = "select a.customer_id from " + ", ".join(
    f"customer_balances {t}" for t in "abcdefgh"
)
CLEAN = "select customer_id from customer_balances where balance < 0"


def test_a_control_over_its_time_limit_is_an_error_and_the_others_are_committed(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    bomb = make_control("TST-999", EXPLODING_JOIN)
    clean = make_control("TST-001", CLEAN)
    started = time.monotonic()
    run = run_controls(custody_ws, [bomb, clean], progress=False, workers=2, timeout=1.5)
    assert time.monotonic() - started < 30
    o = run.outcome("TST-999")
    assert o.status == "error" and o.error is not None
    assert o.error.startswith("timed out after 1.5 s")
    assert o.exception_count is None and o.exceptions_file is None
    assert run.outcome("TST-001").status == "pass"
    entry = Vault(custody_ws.vault_dir).ledger.head()
    assert entry is not None and entry.seq == run.ledger_seq and entry.kind == "run"
    assert list(entry.outputs) == [f"runs/{run.run_id}/TST-001.parquet"]
    with Database(custody_ws.database_url) as db, db.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 1


def test_a_fast_control_is_not_touched_by_the_time_limit(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    run = run_controls(
        custody_ws, [make_control("TST-001", CLEAN)], progress=False, record=False, timeout=60
    )
    assert run.outcome("TST-001").status == "pass"


@pytest.fixture
def with_controls(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> Callable[[str], Workspace]:
    """The custody workspace with the exploding join and a clean control as its own controls."""

    def make(run_section: str = "") -> Workspace:
        folder = make_control("TST-999", EXPLODING_JOIN).source.parent
        make_control("TST-001", CLEAN)
        cfg = custody_ws.root / "kansa.toml"
        cfg.write_text(
            cfg.read_text(encoding="utf-8")
            + f"\n[controls]\npaths = [{json.dumps(str(folder))}]\n"
            + run_section,
            encoding="utf-8",
        )
        return find_workspace(custody_ws.root)

    return make


@pytest.mark.parametrize("how", ["--timeout", "kansa.toml"])
def test_kansa_run_timeout_from_the_option_or_kansa_toml(
    with_controls: Callable[[str], Workspace], how: str
) -> None:
    ws = with_controls("[run]\ntimeout = 1\n" if how == "kansa.toml" else "")
    args = ["-w", str(ws.root), "run", "--controls", "TST-*", "--json"]
    if how == "--timeout":
        args += ["--timeout", "1"]
    done = CliRunner().invoke(app, args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    out = json.loads(done.output)
    status = {r["control_id"]: (r["status"], r["error"]) for r in out["results"]}
    assert status == {"TST-001": ("pass", None), "TST-999": ("error", status["TST-999"][1])}
    assert status["TST-999"][1].startswith("timed out after 1 s")
    assert out["ledger"]["seq"] is not None


def test_kansa_run_timeout_in_japanese(
    with_controls: Callable[[str], Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = with_controls("")
    monkeypatch.setenv("KANSA_LANG", "ja")
    done = CliRunner().invoke(
        app, ["-w", str(ws.root), "run", "--controls", "TST-999", "--timeout", "1"]
    )
    assert done.exit_code == 0, done.output
    assert "1 秒で時間切れ" in done.output


@pytest.mark.parametrize("value", ["0", "-5", '"soon"', "true", "inf", "nan"])
def test_a_bad_run_timeout_in_kansa_toml_is_refused(workspace: Workspace, value: str) -> None:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + f"\n[run]\ntimeout = {value}\n", "utf-8")
    with pytest.raises(ConfigError, match=r"run\.timeout must be a number of seconds above 0"):
        load_config(cfg)


def test_kansa_run_with_a_bad_run_timeout_exits_2(workspace: Workspace) -> None:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n[run]\ntimeout = 0\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(workspace.root),
         "run"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "run.timeout" in done.stderr and "Traceback" not in done.stderr


def test_ctrl_c_stops_the_running_queries_exits_130_and_commits_nothing(
    with_controls: Callable[[str], Workspace],
) -> None:
    ws = with_controls("")
    ledger = ws.vault_dir / "ledger.jsonl"
    before = ledger.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(ws.root),
         "run", "--controls", "TST-*", "--timeout", "600", "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "KANSA_LANG": "en"},
    )  # fmt: skip
    try:
        _wait_for_the_join_to_write(ws.vault_dir, proc)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "Interrupted" in err and "not committed" in err and "Traceback" not in err
    assert out == ""
    assert ledger.read_bytes() == before
    assert list((ws.vault_dir / ".staging").glob("*/*")) == []
    with Database(ws.database_url) as db, db.session() as s:
        assert s.scalar(select(func.count()).select_from(Run)) == 0


def _wait_for_the_join_to_write(vault: Path, proc: subprocess.Popen[str]) -> None:
    """Until the exploding join is busy writing its output (so Ctrl-C lands mid-query)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(vault.glob(".staging/*/TST-999.parquet")):  # DuckDB opened it: the COPY runs
            time.sleep(1)
            return
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    raise AssertionError("the exploding join never started")


def test_the_limit_also_stops_a_query_started_after_it_expired() -> None:
    """DuckDB forgets an interrupt that arrives between two queries; the watchdog repeats it."""
    import duckdb

    from kansa.engine.watchdog import Watchdog

    con = duckdb.connect()
    cur = con.cursor()
    dog = Watchdog(0.2)
    started = time.monotonic()
    with dog.watch(cur) as clock:
        time.sleep(0.5)  # the limit expires while no query runs
        with pytest.raises(duckdb.InterruptException):
            cur.execute("select count(*) from range(1000000) a, range(1000000) b").fetchall()
    assert clock.expired and time.monotonic() - started < 10
    assert cur.execute("select 42").fetchone() == (42,)  # the cursor works again


def test_ctrl_c_is_held_back_while_a_run_is_being_committed() -> None:
    from kansa.engine.signals import sigint_deferred

    before = signal.getsignal(signal.SIGINT)
    with sigint_deferred() as held:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)  # a KeyboardInterrupt would have been raised here
    assert held.received
    assert signal.getsignal(signal.SIGINT) is before


def test_a_control_that_spills_past_the_temp_limit_is_an_error_and_the_others_pass(
    custody_ws: Workspace, make_control: Callable[..., Control]
) -> None:
    """A runaway sort spills to disk until it meets ``temp_limit`` (it would otherwise fill the
    disk the vault writes to): it alone is an ERROR naming the limit."""
    spiller = make_control(
        "TST-998",
        "select a.customer_id, md5(random()::varchar) as noise from "
        + ", ".join(f"customer_balances {t}" for t in "abcde")
        + " order by noise",
    )
    clean = make_control("TST-001", CLEAN)
    tight = dataclasses.replace(
        custody_ws,
        config=dataclasses.replace(custody_ws.config, memory_limit="16MB", temp_limit="1MB"),
    )
    run = run_controls(tight, [spiller, clean], progress=False, record=False, workers=1)
    o = run.outcome("TST-998")
    assert o.status == "error" and o.error is not None
    assert "max_temp_directory_size" in o.error
    assert run.outcome("TST-001").status == "pass"


@pytest.mark.parametrize("value", ['"lots"', "5", '"-1GB"'])
def test_a_bad_temp_limit_in_kansa_toml_is_refused(workspace: Workspace, value: str) -> None:
    cfg = workspace.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").replace(
        "[workspace]\n", f"[workspace]\ntemp_limit = {value}\n", 1
    )
    cfg.write_text(text, "utf-8")
    with pytest.raises(ConfigError, match=r"workspace\.temp_limit must be a size"):
        load_config(cfg)
    cfg.write_text(text.replace(f"temp_limit = {value}", 'temp_limit = "50GB"'), "utf-8")
    assert load_config(cfg).temp_limit == "50GB"

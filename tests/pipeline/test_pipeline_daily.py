"""``kansa daily``: drop folder -> ingest -> run -> report -> verify, with exit codes a
scheduler acts on. A tiny custody day (CUS-003 only) keeps each pass under a second."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kansa.errors import ConfigError
from kansa.pipeline import pipeline_config, run_daily
from kansa.vault import Vault
from kansa.workspace import Workspace, find_workspace

KANSA = [sys.executable, "-c", "from kansa.cli.app import main; main()"]
WALLETS = (
    "wallet_id,asset,chain,network,tier,purpose,policy_type,descriptor,safe_address,safe_owners,"
    "safe_threshold,approved_threshold,approved_keys,token_contract,created_at\n"
    "W1,BTC,bitcoin,mainnet,cold,customer,descriptor,,,,,2,3,,2026-01-01T00:00:00Z\n"
)
PIPELINE = """
[pipeline]
drop = "inbox"
controls = "CUS-003"
[pipeline.patterns]
wallets = "wallets_*.csv"
wallet_balances = "balances_*.csv"
customer_balances = "ledger_*.csv"
"""


def _day(day: str, onchain: int, ledger: int) -> dict[str, str]:
    return {
        f"balances_{day}.csv": f"as_of,wallet_id,asset,balance\n{day},W1,BTC,{onchain}\n",
        f"ledger_{day}.csv": f"as_of,customer_id,asset,balance\n{day},C1,BTC,{ledger}\n",
    }


@pytest.fixture
def ws(workspace: Workspace) -> Workspace:
    cfg = workspace.root / "kansa.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8") + PIPELINE, encoding="utf-8")
    (workspace.root / "inbox").mkdir()
    return find_workspace(workspace.root)


def _drop(ws: Workspace, files: dict[str, str]) -> None:
    for name, text in files.items():
        (ws.root / "inbox" / name).write_text(text, encoding="utf-8")


def _cli(ws: Workspace, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KANSA_LANG": "en"}
    return subprocess.run(
        [*KANSA, "daily", "-w", str(ws.root), *args], capture_output=True, text=True, env=env
    )


def test_a_passing_day_exits_0_with_a_one_line_summary_and_files_filed_away(
    ws: Workspace,
) -> None:
    _drop(ws, {"wallets_2026-11-02.csv": WALLETS, **_day("2026-11-02", 100, 100)})
    r = _cli(ws)
    assert r.returncode == 0, r.stderr + r.stdout
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("kansa daily: 3 file(s) ingested, 0 already loaded; run ")
    assert "as of 2026-11-02: pass 1;" in last and "vault intact; exit 0" in last
    assert list((ws.root / "inbox").glob("*.csv")) == []
    filed = sorted(p.name for p in (ws.root / "inbox" / "processed").rglob("*.csv"))
    assert filed == ["balances_2026-11-02.csv", "ledger_2026-11-02.csv", "wallets_2026-11-02.csv"]
    assert (ws.root / "reports" / "report-2026-11-02.html").is_file()


def test_a_rerun_loads_nothing_again_and_a_failing_day_exits_1(ws: Workspace) -> None:
    _drop(ws, {"wallets_a.csv": WALLETS, **_day("2026-11-02", 100, 100)})
    assert run_daily(ws).exit_code == 0
    ingests = [e for e in Vault(ws.vault_dir).ledger.entries() if e.kind == "ingest"]
    again = run_daily(ws)
    assert again.ingested == [] and again.exit_code == 0
    assert len([e for e in Vault(ws.vault_dir).ledger.entries() if e.kind == "ingest"]) == len(
        ingests
    )
    _drop(ws, _day("2026-11-03", 99, 100))  # one satoshi short of the ledger
    r = _cli(ws, "-q")
    assert r.returncode == 1, r.stderr + r.stdout
    assert r.stdout.count("\n") == 1 and "fail 1" in r.stdout and "as of 2026-11-03" in r.stdout


def test_the_same_export_dropped_twice_is_filed_away_not_reloaded(ws: Workspace) -> None:
    files = {"wallets_a.csv": WALLETS, **_day("2026-11-02", 100, 100)}
    _drop(ws, files)
    run_daily(ws)
    _drop(ws, {"wallets_b.csv": WALLETS})  # same bytes under a new name
    out = run_daily(ws)
    assert [(f.name, f.rows) for f in out.ingested] == [("wallets_b.csv", None)]
    assert "1 already loaded" in out.summary()
    assert not (ws.root / "inbox" / "wallets_b.csv").exists()


def test_a_rejected_file_stops_before_the_run_and_stays_in_the_drop(ws: Workspace) -> None:
    _drop(ws, {"wallets_a.csv": WALLETS, **_day("2026-11-02", 100, 100)})
    (ws.root / "inbox" / "ledger_2026-11-02.csv").write_text(
        "as_of,customer_id,asset,balance\n2026-11-02,C1,BTC,1.5\n", encoding="utf-8"
    )
    r = _cli(ws)
    assert r.returncode == 2
    assert "ledger_2026-11-02.csv" in r.stderr and "Traceback" not in r.stderr
    summary = r.stdout.strip().splitlines()[-1]
    assert "no run" in summary and "exit 2" in summary
    assert (ws.root / "inbox" / "ledger_2026-11-02.csv").exists()  # retried once fixed
    assert not [e for e in Vault(ws.vault_dir).ledger.entries() if e.kind == "run"]


def test_hidden_and_unmatched_files_are_left_alone(ws: Workspace) -> None:
    _drop(ws, {"wallets_a.csv": WALLETS, **_day("2026-11-02", 100, 100)})
    _drop(ws, {".balances_2026-11-03.csv.part": "partial", "notes.txt": "hello"})
    out = run_daily(ws)
    assert len(out.ingested) == 3
    assert {p.name for p in (ws.root / "inbox").iterdir() if p.is_file()} >= {
        ".balances_2026-11-03.csv.part",
        "notes.txt",
    }


def test_no_data_at_all_is_an_error_never_a_pass(ws: Workspace) -> None:
    out = run_daily(ws)
    assert out.exit_code == 2 and out.error


def test_settings_are_checked_before_anything_runs(workspace: Workspace) -> None:
    with pytest.raises(ConfigError, match=r"no \[pipeline\]"):
        pipeline_config(workspace)
    cfg = workspace.root / "kansa.toml"
    base = cfg.read_text(encoding="utf-8")
    cfg.write_text(base + '[pipeline]\n[pipeline.patterns]\nwithdrawls = "w_*.csv"\n')
    with pytest.raises(Exception, match="withdrawls") as exc:
        pipeline_config(find_workspace(workspace.root))
    assert "Did you mean withdrawals" in (getattr(exc.value, "hint", "") or "")
    cfg.write_text(base + '[pipeline]\nreport_format = "doc"\n[pipeline.patterns]\nstaff="s*"\n')
    with pytest.raises(ConfigError, match="report_format"):
        pipeline_config(find_workspace(workspace.root))
    cfg.write_text(base + '[pipeline]\ndrop="x"\n[pipeline.patterns]\nstaff="s*"\nroles="s*"\n')
    (workspace.root / "x").mkdir()
    (workspace.root / "x" / "s.csv").write_text("a")
    out = run_daily(find_workspace(workspace.root))
    assert out.exit_code == 2 and "distinct" in (out.error or "")


def test_cli_usage_error_without_pipeline_section(workspace: Workspace) -> None:
    r = subprocess.run(
        [*KANSA, "daily", "-w", str(workspace.root)],
        capture_output=True,
        text=True,
        env={**os.environ, "KANSA_LANG": "en"},
    )
    assert r.returncode == 2 and "no [pipeline] section" in r.stderr
    assert "Traceback" not in r.stderr


def test_two_passes_never_overlap(ws: Workspace) -> None:
    import fcntl

    from kansa.errors import KansaError

    _drop(ws, {"wallets_a.csv": WALLETS})
    with (ws.root / "inbox" / ".kansa-daily.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(KansaError, match="Another kansa daily is running"):
            run_daily(ws)
    assert (ws.root / "inbox" / "wallets_a.csv").exists()  # nothing was taken


def test_summary_line_in_japanese_and_exit_codes_by_status(monkeypatch: pytest.MonkeyPatch) -> None:
    from collections import Counter

    from kansa.pipeline.daily import DailyResult

    r = DailyResult(run_id="R1", statuses=Counter({"pass": 5, "fail": 1}), vault_intact=True)
    monkeypatch.setenv("KANSA_LANG", "ja")
    assert "不備 1, 有効 5" in r.summary() and "終了コード 1" in r.summary()
    assert DailyResult(run_id="R", statuses=Counter({"pass": 5}), vault_intact=True).exit_code == 0
    # any verdict that is not a pass is never exit 0; an error is exit 2
    assert DailyResult(run_id="R", statuses=Counter({"pass": 5, "not_tested": 1})).exit_code == 1
    assert DailyResult(run_id="R", statuses=Counter({"pass": 5, "error": 1})).exit_code == 2
    assert DailyResult(run_id="R", statuses=Counter({"pass": 5}), vault_intact=False).exit_code == 2

"""Daily and corrective loads of dated datasets (issue 9, item 3), as a user runs them.

The slip the issue reports: a 7-row correction file for one day of ``wallet_balances``
replaced the whole month. Here a correction replaces exactly its day and says so; a file that
repeats a loaded day is refused unless ``--replace``; many files load all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from ingest_testlib import tree_digest

from cli_entry import run_kansa as _kansa
from kansa.errors import KansaError
from kansa.ingest import ingest_file
from kansa.vault import Vault, verify_vault
from kansa.vault.days import DaysAlreadyLoaded
from kansa.workspace import Workspace, create_workspace

HEADER = "as_of,wallet_id,asset,balance\n"
DAYS = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(30)]
WALLETS = ["BTC-COLD", "BTC-HOT", "ETH-COLD", "ETH-HOT", "LTC-COLD", "LTC-HOT", "USDC-COLD"]


def _month(path: Path) -> Path:
    """30 days x 7 wallets of wallet balances."""
    lines = [
        f"{d},{w},{w.split('-')[0]},{1000 + i * 10 + n}"
        for n, d in enumerate(DAYS)
        for i, w in enumerate(WALLETS)
    ]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _correction(path: Path, day: dt.date) -> Path:
    """The 7 corrected rows of one day."""
    lines = [f"{day},{w},{w.split('-')[0]},{5}" for w in WALLETS]
    path.write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _view(ws: Workspace, dataset: str) -> list[tuple[object, ...]]:
    snap = Vault(ws.vault_dir).latest(dataset)
    assert snap is not None
    files = [str(p) for p, _ in snap.files]
    sql = "SELECT * FROM read_parquet($1) ORDER BY ALL"
    return duckdb.connect().execute(sql, [files]).fetchall()


def test_a_one_day_correction_replaces_that_day_only_and_says_so(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    month = _month(tmp_path / "wallet_balances.csv")
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ingest", "wallet_balances", str(month))
    assert code == 0 and "days added: 2026-11-01 .. 2026-11-30 (30)" in out
    before = _view(workspace, "wallet_balances")
    fix = _correction(tmp_path / "fix.csv", DAYS[9])

    # the same day again without --replace: refused, nothing changes
    digest = tree_digest(workspace.root)
    code, _, err = _kansa(workspace, capsys, monkeypatch, "ingest", "wallet_balances", str(fix))
    assert code == 2
    assert "already loaded: 2026-11-10" in " ".join(err.split()) and "--replace" in err
    assert tree_digest(workspace.root) == digest

    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "ingest", "wallet_balances", str(fix), "--replace"
    )
    assert code == 0
    assert "day replaced: 2026-11-10 (7 rows -> 7)" in out
    assert "rows in the dataset: 210 before, 210 after" in out
    after = _view(workspace, "wallet_balances")
    assert len(after) == 210  # the month is still there: 29 days untouched, one day corrected
    changed = set(before) ^ set(after)
    assert {row[0] for row in changed} == {DAYS[9]}
    assert sorted(r[3] for r in after if r[0] == DAYS[9]) == [5] * 7

    entry = Vault(workspace.vault_dir).ledger.head()
    assert entry is not None and entry.kind == "ingest"
    assert entry.payload["days_added"] == []
    assert entry.payload["days_replaced"] == [
        {"day": "2026-11-10", "rows_before": 7, "rows_after": 7}
    ]
    assert (entry.payload["rows_before"], entry.payload["rows_after"]) == (210, 210)
    assert verify_vault(Vault(workspace.vault_dir)).ok


def test_every_earlier_view_stays_readable(workspace: Workspace, tmp_path: Path) -> None:
    first = ingest_file(workspace, "wallet_balances", _month(tmp_path / "m.csv"), progress=False)
    fix = _correction(tmp_path / "fix.csv", DAYS[0])
    second = ingest_file(workspace, "wallet_balances", fix, progress=False, replace=True)
    assert first.sha256 != second.sha256
    old_day = next(p for p in first.parts if p.day == DAYS[0])
    new_day = next(p for p in second.parts if p.day == DAYS[0])
    assert old_day.sha256 != new_day.sha256
    assert (workspace.vault_dir / old_day.file).is_file()  # never overwritten
    listed = [s.sha256 for s in Vault(workspace.vault_dir).snapshots("wallet_balances")]
    assert listed == [first.sha256, second.sha256]
    assert [p.day for p in second.parts] == DAYS


def test_a_declared_day_without_rows_is_loaded_and_other_days_are_refused(
    workspace: Workspace, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text(HEADER, encoding="utf-8")
    with pytest.raises(KansaError, match="covers no day"):
        ingest_file(workspace, "wallet_balances", empty, progress=False)
    snap = ingest_file(workspace, "wallet_balances", empty, progress=False, days=[DAYS[0]])
    assert [(p.day, p.rows) for p in snap.parts] == [(DAYS[0], 0)]
    one = _correction(tmp_path / "one.csv", DAYS[2])
    with pytest.raises(KansaError, match="outside the declared day"):
        ingest_file(workspace, "wallet_balances", one, progress=False, days=[DAYS[1]])
    with pytest.raises(KansaError, match="not stored by day"):
        ingest_file(workspace, "roles", one, progress=False, days=[DAYS[1]])


def test_a_glob_of_daily_files_loads_all_or_nothing(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for day in DAYS[:3]:
        _correction(tmp_path / f"wb_{day}.csv", day)
    (tmp_path / "wb_bad.csv").write_text(HEADER + "2026-11-04,W,BTC,-1\n", encoding="utf-8")
    digest = tree_digest(workspace.root)
    code, _, _ = _kansa(
        workspace, capsys, monkeypatch, "ingest", "wallet_balances", str(tmp_path / "wb_*.csv")
    )
    assert code == 1  # the bad file breaks the contract: none of the four is loaded
    assert tree_digest(workspace.root) == digest
    (tmp_path / "wb_bad.csv").unlink()
    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "ingest", "wallet_balances", str(tmp_path / "wb_*.csv")
    )
    assert code == 0 and "3 files" in out
    assert len(Vault(workspace.vault_dir).snapshots()) == 1  # one ledger entry for the batch
    _correction(tmp_path / "again.csv", DAYS[0])
    with pytest.raises(KansaError, match="both carry 2026-11-01"):
        ingest_file(
            workspace,
            "wallet_balances",
            [tmp_path / "again.csv", tmp_path / f"wb_{DAYS[0]}.csv"],
            progress=False,
            replace=True,
        )


def test_timestamps_fall_on_the_day_of_the_workspace_zone(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "jst", timezone="Asia/Tokyo")
    csv = tmp_path / "events.csv"
    cols = (
        "event_id,host,seq,account_id,event_time,event_type,mfa_method,device_id,session_id,result"
    )
    csv.write_text(
        cols + "\n"
        "h:1,h,1,A1,2026-11-01T14:59:59Z,login,webauthn,D1,S1,success\n"
        "h:2,h,2,A1,2026-11-01T15:00:00Z,login,webauthn,D1,S2,success\n",
        encoding="utf-8",
    )
    snap = ingest_file(ws, "auth_events", csv, progress=False)
    # 14:59:59 UTC is 23:59:59 in Tokyo; 15:00 UTC is already the next day there
    assert [(p.day, p.rows) for p in snap.parts] == [
        (dt.date(2026, 11, 1), 1),
        (dt.date(2026, 11, 2), 1),
    ]
    assert snap.payload["zone"] == "Asia/Tokyo"


def test_overlap_refusal_names_the_days(workspace: Workspace, tmp_path: Path) -> None:
    ingest_file(workspace, "wallet_balances", _month(tmp_path / "m.csv"), progress=False)
    with pytest.raises(DaysAlreadyLoaded) as info:
        ingest_file(workspace, "wallet_balances", tmp_path / "m.csv", progress=False)
    assert "30 day(s) already loaded" in info.value.message


def test_a_reference_table_is_replaced_whole_with_its_diff_by_key(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    head = "role_id,name,system,privileged,duty\n"
    (tmp_path / "r1.csv").write_text(
        head + "R1,a,s,true,audit\nR2,b,s,false,hr\nR3,c,s,false,infosec\n", encoding="utf-8"
    )
    (tmp_path / "r2.csv").write_text(
        head + "R1,a,s,true,audit\nR2,b,s,true,hr\nR4,d,s,false,infosec\n", encoding="utf-8"
    )
    ingest_file(workspace, "roles", tmp_path / "r1.csv", progress=False)
    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "ingest", "roles", str(tmp_path / "r2.csv")
    )
    assert code == 0
    assert "1 added, 1 removed, 1 changed by key (role_id)" in out
    assert "added: R4" in out and "removed: R3" in out and "changed: R2" in out
    diff = json.loads(
        json.dumps(Vault(workspace.vault_dir).latest("roles").payload["diff"])  # type: ignore[union-attr]
    )
    assert (diff["added_keys"], diff["removed_keys"], diff["changed_keys"]) == (
        ["R4"],
        ["R3"],
        ["R2"],
    )


def test_a_day_written_in_pieces_is_staged_as_one_file_in_write_order(tmp_path: Path) -> None:
    """Over a year of days DuckDB's split writes some days in several pieces (it keeps 100
    partition files open); the 1M x 365 load stopped on it ("2 files for day"). The pieces
    are joined in the order written (data_10 after data_2), rows and metadata kept."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kansa.ingest.daily import DAY, _split

    sub = tmp_path / f"{DAY}=2026-11-16"
    sub.mkdir()
    for n in (10, 2, 0):
        pq.write_table(pa.table({"n": [n, n]}), sub / f"data_{n}.parquet")
    con = duckdb.connect()
    meta = "KV_METADATA {'kansa.contract': 'x'}"
    (staged,) = _split(tmp_path, con, meta).values()
    assert staged.rows == 6
    assert pq.read_table(staged.path).column("n").to_pylist() == [0, 0, 2, 2, 10, 10]
    assert pq.read_table(staged.path).column_names == ["n"]  # not the folder's DAY column
    assert pq.read_metadata(staged.path).metadata[b"kansa.contract"] == b"x"
    assert [f.name for f in sub.iterdir()] == ["data_0.parquet"]

"""Reading the current view without reading the whole vault: the ledger from its end, and the
parts of a dated view checked for links one folder at a time.

Every ingest asks for its dataset's current view (and again under the writer lock). Reading
the whole ledger each time made ``kansa demo --days 365`` quadratic in its thousands of
entries; checking each day's part through five folder opens made it quadratic in the days.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import kansa.vault.ledger as ledger_module
from kansa.errors import KansaError
from kansa.ingest import ingest_file
from kansa.vault import Ledger, Vault
from kansa.vault.ledger import LedgerCorrupt
from kansa.workspace import Workspace


def _ledger(folder: Path, sizes: list[int]) -> Ledger:
    ledger = Ledger(folder / "ledger.jsonl")
    for i, size in enumerate(sizes):
        ledger.append("note", {"dataset": f"d{i % 3}", "text": "あ" * size})
    return ledger


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 300), min_size=0, max_size=12),
    block=st.integers(1, 400),
)
@example(sizes=[0, 500, 3], block=64)  # one line longer than several blocks
@example(sizes=[], block=1)
def test_newest_first_is_the_ledger_reversed_whatever_the_block(
    sizes: list[int], block: int
) -> None:
    before = ledger_module._BLOCK
    ledger_module._BLOCK = block
    try:
        with tempfile.TemporaryDirectory() as tmp:
            ledger = _ledger(Path(tmp), sizes)
            forward = [e.hash for e in ledger.read()]
            assert [e.hash for e in ledger.read_newest_first()] == forward[::-1]
            assert len(forward) == len(sizes)
    finally:
        ledger_module._BLOCK = before


def test_a_torn_last_line_is_skipped_and_a_damaged_line_named(tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, [5, 5, 5, 5])
    with ledger.path.open("ab") as f:
        f.write(b'{"seq":4,"torn')  # an append in flight: not committed
    assert [e.seq for e in ledger.read_newest_first()] == [3, 2, 1, 0]
    lines = ledger.path.read_bytes().split(b"\n")
    lines[1] = b"not json"
    ledger.path.write_bytes(b"\n".join(lines))
    newest = ledger.read_newest_first()
    assert [next(newest).seq, next(newest).seq] == [3, 2]
    with pytest.raises(LedgerCorrupt) as info:
        next(newest)
    assert info.value.line == 2  # as the forward reader numbers it
    with pytest.raises(LedgerCorrupt) as forward:
        list(ledger.read())
    assert forward.value.line == 2


def _day_file(tmp_path: Path, day: dt.date, rows: int) -> Path:
    path = tmp_path / f"wb-{day}.csv"
    body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
    path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
    return path


def test_the_current_view_is_the_newest_entry_of_its_dataset(
    workspace: Workspace, tmp_path: Path
) -> None:
    days = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(4)]
    snaps = [
        ingest_file(workspace, "wallet_balances", _day_file(tmp_path, d, 2), progress=False)
        for d in days
    ]
    vault = Vault(workspace.vault_dir)
    vault.commit("note", {"dataset": "wallet_balances"})  # not an ingest: not a view
    current = vault.latest("wallet_balances")
    assert current is not None and current.sha256 == snaps[-1].sha256
    assert current.days == tuple(days)
    assert vault.latest_sha256("wallet_balances") == snaps[-1].sha256
    assert vault.latest_sha256("withdrawals") is None and vault.latest("withdrawals") is None
    assert vault.latest_all(["wallet_balances", "withdrawals"]).keys() == {"wallet_balances"}
    assert vault.latest_all()["wallet_balances"].sha256 == snaps[-1].sha256


def test_a_day_part_or_day_folder_replaced_by_a_link_is_never_read(
    workspace: Workspace, tmp_path: Path
) -> None:
    days = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(3)]
    for d in days:
        ingest_file(workspace, "wallet_balances", _day_file(tmp_path, d, 2), progress=False)
    vault = Vault(workspace.vault_dir)
    snap = vault.latest("wallet_balances")
    assert snap is not None
    part = vault.root / snap.parts[1].file
    kept = tmp_path / "kept.parquet"
    shutil.copy(part, kept)
    os.chmod(part, 0o644)
    part.unlink()
    assert vault.latest("wallet_balances") is not None  # missing: reported by verify, not here
    part.symlink_to(kept)
    with pytest.raises(KansaError, match="symbolic link"):
        vault.latest("wallet_balances")
    part.unlink()
    folder = part.parent
    shutil.copytree(folder, tmp_path / "day")
    shutil.rmtree(folder)
    folder.symlink_to(tmp_path / "day")
    with pytest.raises(KansaError, match="symbolic link"):
        vault.latest("wallet_balances")

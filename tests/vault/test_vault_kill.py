"""Killing an ingest at any moment never leaves a visible partial snapshot, and recovery
brings the vault back to a state that verifies."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kansa.contracts import get_contract
from kansa.errors import KansaError
from kansa.ingest import ingest_file
from kansa.vault import Snapshot, Vault, sha256_file, verify_vault
from kansa.workspace import Workspace, create_workspace

ROWS = 100_000


def _staff_csv(path: Path, rows: int) -> Path:
    header = ",".join(get_contract("staff").column_names)
    with path.open("w", encoding="utf-8") as f:
        f.write(header + "\n")
        for i in range(rows):
            f.write(f'S{i:07d},"Name {i}",Dept {i % 40},employee,,2020-04-01,,2021-05-06\n')
    return path


def _assert_complete(snaps: list[Snapshot], rows: int) -> None:
    for s in snaps:
        assert s.path.is_file() and sha256_file(s.path) == s.sha256
        assert s.rows == rows


def _assert_recovered(vault: Vault) -> None:
    vault.recover()
    report = verify_vault(vault)
    assert report.ok, report.issues
    assert not (vault.root / ".pending.json").exists()
    assert not (vault.root / ".staging").exists()


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _staff_csv(tmp_path_factory.mktemp("kill") / "staff.csv", ROWS)


INGEST = (
    "import sys; from pathlib import Path; from kansa.workspace import find_workspace; "
    "from kansa.ingest import ingest_file; "
    "ingest_file(find_workspace(Path(sys.argv[1])), 'staff', sys.argv[2], progress=False)"
)


def _ingest_cmd(ws: Workspace, src: Path) -> list[str]:
    """The library call in a process of its own (the full CLI imports far more than ingest)."""
    return [sys.executable, "-c", INGEST, str(ws.root), str(src)]


@pytest.mark.slow
def test_sigkill_at_random_moments(tmp_path: Path, big_csv: Path) -> None:
    ws = create_workspace(tmp_path / "ws")
    vault = Vault(ws.vault_dir)
    start = time.monotonic()
    subprocess.run(_ingest_cmd(ws, big_csv), check=True, capture_output=True)
    full = time.monotonic() - start
    rng = random.Random(20241223)
    for _ in range(6):
        before = vault.snapshots()
        proc = subprocess.Popen(
            _ingest_cmd(ws, big_csv), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(rng.uniform(0.05, full * 1.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        after = vault.snapshots()  # what a reader sees before any recovery
        assert after[: len(before)] == before and len(after) - len(before) in (0, 1)
        _assert_complete(after, ROWS)
        _assert_recovered(vault)
    assert len(vault.snapshots()) >= 1


CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from kansa.vault import ledger
    from kansa.workspace import find_workspace
    from kansa.ingest import ingest_file

    point = sys.argv[3]
    original = ledger.Ledger.append

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def append(self, *a, **k):
        if point == "before-ledger":
            die()
        if point == "torn-ledger":
            with open(self.path, "ab") as f:
                f.write(b'{"actor":"x","kind":"ingest","outputs":{')
                f.flush()
            die()
        entry = original(self, *a, **k)
        if point == "after-ledger":
            die()
        return entry

    ledger.Ledger.append = append
    ingest_file(find_workspace(Path(sys.argv[1])), "staff", sys.argv[2], progress=False)
    """
)


@pytest.mark.parametrize(
    ("point", "visible"), [("before-ledger", 0), ("torn-ledger", 0), ("after-ledger", 1)]
)
def test_crash_inside_the_commit(tmp_path: Path, point: str, visible: int) -> None:
    ws = create_workspace(tmp_path / "ws")
    src = _staff_csv(tmp_path / "staff.csv", 50)
    vault = Vault(ws.vault_dir)
    ingest_file(ws, "staff", src, progress=False)
    before = vault.snapshots()
    proc = subprocess.run([sys.executable, "-c", CRASH, str(ws.root), str(src), point], check=False)
    assert proc.returncode == -signal.SIGKILL
    after = vault.snapshots()
    assert after[:1] == before and len(after) == 1 + visible
    _assert_complete(after, 50)
    assert (vault.root / ".pending.json").exists()
    _assert_recovered(vault)
    assert len(vault.snapshots()) == 1 + visible
    # and the vault takes new commits after recovery
    ingest_file(ws, "staff", src, progress=False)
    assert verify_vault(vault).ok and len(vault.snapshots()) == 2 + visible


SIGN_CRASH = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from kansa.vault import Vault, signing

    def torn(fd, data):
        os.write(fd, data[: len(data) // 2])
        os.kill(os.getpid(), signal.SIGKILL)

    signing.write_all = torn
    signing.sign_head(Vault(Path(sys.argv[1])), Path(sys.argv[2]))
    """
)


def test_kill_mid_signature_is_repaired_by_the_next_writer_only(tmp_path: Path) -> None:
    from kansa.vault import generate_keypair, sign_head

    vault = Vault(tmp_path / "ws" / "vault")
    vault.commit("note", {"n": 0})
    key = tmp_path / "k.key"
    generate_keypair(key)
    sign_head(vault, key)
    vault.commit("note", {"n": 1})
    sig = vault.root / "signatures.jsonl"
    signed = sig.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-c", SIGN_CRASH, str(vault.root), str(key)], check=False
    )
    assert proc.returncode == -signal.SIGKILL
    torn = sig.read_bytes()
    assert torn.startswith(signed) and len(torn) > len(signed) and not torn.endswith(b"\n")
    report = verify_vault(vault)  # read only: reports, repairs nothing
    assert {i.kind for i in report.issues} == {"signature", "pending"}
    assert sig.read_bytes() == torn
    vault.commit("note", {"n": 2})  # a writer recovers under the lock first
    assert sig.read_bytes() == signed
    sign_head(vault, key)
    assert verify_vault(vault).ok


def test_a_torn_ledger_tail_no_journal_explains_is_refused(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault")
    vault.commit("note", {"n": 0})
    with vault.ledger.path.open("ab") as f:
        f.write(b'{"seq":1,"kind":"no')
    before = vault.ledger.path.read_bytes()
    with pytest.raises(KansaError, match="torn line"):
        vault.commit("note", {"n": 1})
    assert vault.ledger.path.read_bytes() == before
    assert not (vault.root / ".pending.json").exists()

"""``verify_vault`` finds any changed, added, removed or reordered byte in the vault or ledger."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.errors import KansaError
from kansa.vault import Vault, verify_vault

SETTINGS = settings(max_examples=100, deadline=None)


def _stage(vault: Vault, name: str, data: bytes) -> Path:
    d = vault.staging_dir()
    (d / name).write_bytes(data)
    return d / name


def build_vault(root: Path) -> Vault:
    """A small vault: two snapshots, a run with two files, an entry without files."""
    vault = Vault(root)
    vault.commit_snapshot("alpha", _stage(vault, "a.parquet", b"PAR1 alpha rows" * 40), {"rows": 3})
    vault.commit_snapshot("beta", _stage(vault, "b.parquet", bytes(range(256)) * 3), {"rows": 9})
    vault.commit(
        "run",
        {"control": "CUS-001", "verdict": "fail", "ratio": 0.93},
        {
            "runs/1/exceptions.parquet": _stage(vault, "e.parquet", b"exceptions" * 50),
            "runs/1/summary.json": _stage(vault, "s.json", '{"件数": 2}'.encode()),
        },
    )
    vault.commit("note", {"text": "reviewed, 監査済み"})
    return vault


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "vault"
    build_vault(root)
    return root


@pytest.fixture
def copy(template: Path, tmp_path: Path) -> Vault:
    shutil.copytree(template, tmp_path / "vault", symlinks=True)
    return Vault(tmp_path / "vault")


def _fresh(template: Path) -> Iterator[Vault]:
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(template, Path(tmp) / "vault", symlinks=True)
        yield Vault(Path(tmp) / "vault")


def _evidence_files(vault: Vault) -> list[Path]:
    return sorted(p for p in vault.root.rglob("*") if p.is_file() and p.name != ".lock")


def _rewrite(path: Path, data: bytes) -> None:
    os.chmod(path, 0o644)
    path.write_bytes(data)


def test_intact_vault_verifies(copy: Vault) -> None:
    report = verify_vault(copy)
    assert report.ok, report.issues
    assert (report.entries, report.files, report.head_seq) == (4, 4, 3)


@SETTINGS
@given(which=st.integers(min_value=0), pos=st.integers(min_value=0), new=st.integers(0, 255))
def test_any_single_byte_change_is_detected(template: Path, which: int, pos: int, new: int) -> None:
    for vault in _fresh(template):
        files = _evidence_files(vault)
        target = files[which % len(files)]
        data = bytearray(target.read_bytes())
        i = pos % len(data)
        if data[i] == new:
            new = (new + 1) % 256
        data[i] = new
        _rewrite(target, bytes(data))
        report = verify_vault(vault)
        assert not report.ok, (target.name, i)


@SETTINGS
@given(
    which=st.integers(min_value=0),
    pos=st.integers(min_value=0),
    byte=st.integers(0, 255),
    insert=st.booleans(),
)
def test_any_inserted_or_deleted_byte_is_detected(
    template: Path, which: int, pos: int, byte: int, insert: bool
) -> None:
    for vault in _fresh(template):
        files = _evidence_files(vault)
        target = files[which % len(files)]
        data = target.read_bytes()
        i = pos % (len(data) + (1 if insert else 0))
        changed = data[:i] + bytes([byte]) + data[i:] if insert else data[:i] + data[i + 1 :]
        _rewrite(target, changed)
        assert not verify_vault(vault).ok, (target.name, i, insert)


@settings(max_examples=30, deadline=None)
@given(pair=st.lists(st.integers(0, 3), min_size=2, max_size=2, unique=True))
def test_swapping_two_entries_is_detected(template: Path, pair: list[int]) -> None:
    for vault in _fresh(template):
        lines = vault.ledger.path.read_bytes().splitlines(keepends=True)
        a, b = pair
        lines[a], lines[b] = lines[b], lines[a]
        vault.ledger.path.write_bytes(b"".join(lines))
        report = verify_vault(vault)
        assert report.issues[0].kind == "ledger-order"
        assert report.issues[0].where == f"ledger.jsonl line {min(pair) + 1}"


def test_removed_middle_entry_is_detected(copy: Vault) -> None:
    lines = copy.ledger.path.read_bytes().splitlines(keepends=True)
    copy.ledger.path.write_bytes(lines[0] + b"".join(lines[2:]))
    report = verify_vault(copy)
    assert report.issues[0].kind == "ledger-order" and report.issues[0].where.endswith("line 2")


def test_removed_last_entry_with_files_leaves_them_unreferenced(copy: Vault) -> None:
    lines = copy.ledger.path.read_bytes().splitlines(keepends=True)
    copy.ledger.path.write_bytes(b"".join(lines[:2]))  # drops the run and the note
    kinds = {(i.kind, i.where) for i in verify_vault(copy).issues}
    assert ("file-unreferenced", "runs/1/exceptions.parquet") in kinds


def test_rewritten_chain_is_caught_by_the_files_it_vouches_for(copy: Vault) -> None:
    """Rehashing a changed entry breaks the link to the next one."""
    lines = copy.ledger.path.read_bytes().splitlines(keepends=True)
    entry = json.loads(lines[1])
    entry["payload"]["rows"] = 10
    from kansa.vault import LedgerEntry

    e = LedgerEntry.from_dict(entry)
    fixed = LedgerEntry(**{**e.body(), "hash": e.computed_hash()})
    lines[1] = fixed.to_line().encode()
    copy.ledger.path.write_bytes(b"".join(lines))
    first = verify_vault(copy).issues[0]
    assert (first.kind, first.seq) == ("ledger-chain", 2)


@pytest.mark.parametrize("rel", ["snapshots/alpha/extra.parquet", "new.txt", "runs/1/x/y.bin"])
def test_added_file_is_detected(copy: Vault, rel: str) -> None:
    (copy.root / rel).parent.mkdir(parents=True, exist_ok=True)
    (copy.root / rel).write_bytes(b"planted")
    [issue] = verify_vault(copy).issues
    assert (issue.kind, issue.where) == ("file-unreferenced", rel)


def test_missing_file_is_detected(copy: Vault) -> None:
    snap = copy.latest("beta")
    assert snap is not None
    snap.path.unlink()
    [issue] = verify_vault(copy).issues
    assert issue.kind == "file-missing" and issue.seq == 1


def test_symlink_in_place_of_a_file_is_not_accepted(copy: Vault) -> None:
    snap = copy.latest("alpha")
    assert snap is not None
    real = copy.root.parent / "outside.parquet"
    shutil.copy(snap.path, real)
    snap.path.unlink()
    snap.path.symlink_to(real)
    assert verify_vault(copy).issues[0].kind == "file-missing"


def test_bookkeeping_files_are_not_evidence(copy: Vault) -> None:
    with copy.staging() as d:
        (d / "work.tmp").write_bytes(b"in progress")
        (copy.root / ".lock").touch()
        assert verify_vault(copy).ok


def test_commit_never_overwrites_different_content(copy: Vault) -> None:
    with pytest.raises(KansaError, match="never overwritten"):
        copy.commit("run", {}, {"runs/1/summary.json": _stage(copy, "s.json", b"other")})
    with pytest.raises(KansaError, match="not a valid vault path"):
        copy.commit("run", {}, {"../escape.txt": _stage(copy, "x", b"x")})
    with pytest.raises(KansaError, match="not a valid vault path"):
        copy.commit("run", {}, {"ledger.jsonl": _stage(copy, "x", b"x")})
    assert verify_vault(copy).ok


def test_a_deleted_ledger_is_not_silently_replaced_by_a_new_chain(tmp_path: Path) -> None:
    vault = build_vault(tmp_path / "vault")
    (vault.root / "ledger.jsonl").unlink()
    snapshots_before = sorted(p.name for p in (vault.root / "snapshots").rglob("*.parquet"))
    with pytest.raises(KansaError, match="ledger is missing"):
        vault.commit_snapshot("gamma", _stage(vault, "g.parquet", b"new rows"), {"rows": 1})
    assert not (vault.root / "ledger.jsonl").exists()
    assert sorted(p.name for p in (vault.root / "snapshots").rglob("*.parquet")) == snapshots_before


def test_a_fresh_vault_still_starts_its_chain(tmp_path: Path) -> None:
    vault = Vault(tmp_path / "vault")
    snap = vault.commit_snapshot("alpha", _stage(vault, "a.parquet", b"rows"), {"rows": 1})
    assert snap.seq == 0

"""Rollback: a ledger cut short, a whole workspace restored from an older copy, a dropped
signature record, times that go backwards, an empty vault. A hash chain alone shows none of
these; anchored heads, chained signature records and time checks do."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from cli_entry import run_kansa
from kansa.vault import LedgerEntry, Vault, generate_keypair, load_public_key, verify_vault
from kansa.vault.hashing import canonical_json
from kansa.vault.signing import key_id, load_private_key, message, raw_public
from kansa.workspace import Workspace


def _kansa(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """The command, its stderr with Rich's line wrapping undone."""
    code, out, err = run_kansa(ws, capsys, monkeypatch, *args)
    return code, out, " ".join(err.split())


@pytest.fixture
def key(tmp_path: Path) -> Path:
    generate_keypair(tmp_path / "keys" / "audit.key")
    return tmp_path / "keys" / "audit.key"


def _notes(vault: Vault, n: int) -> None:
    for i in range(n):
        vault.commit("note", {"n": i})


def test_ledger_head_prints_the_anchor_and_verify_checks_it(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = Vault(workspace.vault_dir)
    _notes(vault, 3)
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ledger", "head")
    anchor = out.strip()
    head = vault.ledger.head()
    assert code == 0 and head is not None and anchor == f"2:{head.hash}"
    assert _kansa(workspace, capsys, monkeypatch, "verify", "--expect-head", anchor)[0] == 0

    lines = vault.ledger.path.read_bytes().splitlines(keepends=True)
    vault.ledger.path.write_bytes(b"".join(lines[:-1]))  # cut the newest entry: still a chain
    assert _kansa(workspace, capsys, monkeypatch, "verify")[0] == 0  # invisible without anchor
    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "verify", "--expect-head", anchor, "--json"
    )
    first = json.loads(out)["first_issue"]
    assert code == 1 and first["kind"] == "rollback" and "entry 2 is missing" in first["message"]

    known = tmp_path / "heads.txt"
    known.write_text(f"# anchored by e-mail\n\n{anchor}\n")
    code, _, err = _kansa(workspace, capsys, monkeypatch, "verify", "--known-heads", str(known))
    assert code == 1 and "entry 2 is missing" in err


def test_a_restored_older_workspace_fails_against_a_later_anchor(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: Path,
) -> None:
    vault = Vault(workspace.vault_dir)
    _notes(vault, 2)
    assert _kansa(workspace, capsys, monkeypatch, "ledger", "sign", "--key", str(key))[0] == 0
    old = tmp_path / "old-copy"
    shutil.copytree(workspace.root, old, symlinks=True)
    _notes(vault, 2)
    assert _kansa(workspace, capsys, monkeypatch, "ledger", "sign", "--key", str(key))[0] == 0
    anchor = _kansa(workspace, capsys, monkeypatch, "ledger", "head")[1].strip()

    shutil.rmtree(workspace.root)
    shutil.copytree(old, workspace.root, symlinks=True)  # the older copy, signed and intact
    pub = f"{key}.pub"
    assert _kansa(workspace, capsys, monkeypatch, "verify", "--public-key", pub)[0] == 0
    code, _, err = _kansa(
        workspace, capsys, monkeypatch, "verify", "--public-key", pub, "--expect-head", anchor
    )
    assert code == 1 and "older copy" in err


def test_an_entry_rewritten_under_an_anchor_is_caught(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    _notes(vault, 2)
    head = vault.ledger.head()
    assert head is not None
    report = verify_vault(vault, expected_heads=[(head.seq, "0" * 64)])
    assert [i.kind for i in report.issues] == ["rollback"]
    assert "rewritten" in report.issues[0].message


@pytest.mark.parametrize("anchor", ["3", "3:abc", "x:" + "a" * 64, "3:" + "A" * 64])
def test_a_malformed_anchor_is_exit_2(
    workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    anchor: str,
) -> None:
    _notes(Vault(workspace.vault_dir), 1)
    code, _, err = _kansa(workspace, capsys, monkeypatch, "verify", "--expect-head", anchor)
    assert code == 2 and "SEQ:HASH" in err


def _signed_three_times(tmp_path: Path, key: Path) -> Vault:
    from kansa.vault import sign_head

    vault = Vault(tmp_path / "ws" / "vault")
    for i in range(3):
        vault.commit("note", {"n": i})
        sign_head(vault, key)
    return vault


@pytest.mark.parametrize("drop", [0, 1])
def test_a_dropped_signature_record_is_detected(tmp_path: Path, key: Path, drop: int) -> None:
    vault = _signed_three_times(tmp_path, key)
    sig = vault.root / "signatures.jsonl"
    lines = sig.read_bytes().splitlines(keepends=True)
    assert all("prev" in json.loads(line) for line in lines)
    del lines[drop]
    sig.write_bytes(b"".join(lines))
    report = verify_vault(vault, public_key=load_public_key(Path(f"{key}.pub")))
    assert [i.kind for i in report.issues] == ["signature"]
    assert "does not link" in report.issues[0].message


def test_reordered_signature_records_are_detected(tmp_path: Path, key: Path) -> None:
    vault = _signed_three_times(tmp_path, key)
    sig = vault.root / "signatures.jsonl"
    lines = sig.read_bytes().splitlines(keepends=True)
    sig.write_bytes(lines[1] + lines[0] + lines[2])
    assert not verify_vault(vault).ok


def _v1_record(key: Path, seq: int, head_hash: str, time: str) -> dict[str, Any]:
    """A record as Kansa wrote it before records were chained."""
    private = load_private_key(key)
    pub = private.public_key()
    return {
        "algorithm": "ed25519",
        "hash": head_hash,
        "key_id": key_id(pub),
        "public_key": base64.b64encode(raw_public(pub)).decode(),
        "seq": seq,
        "signature": base64.b64encode(private.sign(message(seq, head_hash, time))).decode(),
        "time": time,
    }


def test_records_written_before_chaining_still_verify_and_anchor_the_chain(
    tmp_path: Path, key: Path
) -> None:
    from kansa.vault import sign_head

    vault = Vault(tmp_path / "ws" / "vault")
    _notes(vault, 1)
    head = vault.ledger.head()
    assert head is not None
    old = canonical_json(_v1_record(key, 0, head.hash, "2024-01-01T00:00:00Z")) + "\n"
    (vault.root / "signatures.jsonl").write_text(old)
    _notes(vault, 1)
    sign_head(vault, key)
    pub = load_public_key(Path(f"{key}.pub"))
    report = verify_vault(vault, public_key=pub)
    assert report.ok, report.issues
    assert report.signature is not None and report.signature["chained"] is True
    # dropping the old record breaks the link of the new one
    lines = (vault.root / "signatures.jsonl").read_bytes().splitlines(keepends=True)
    (vault.root / "signatures.jsonl").write_bytes(lines[1])
    assert "does not link" in verify_vault(vault, public_key=pub).issues[0].message


def _rewrite_consistently(vault: Vault, change: dict[int, dict[str, Any]]) -> None:
    """Rewrite entries and re-hash the chain after them, as someone with write access can."""
    prev = "0" * 64
    out = []
    for line in vault.ledger.path.read_bytes().splitlines():
        body = {k: v for k, v in json.loads(line).items() if k != "hash"}
        body.update(change.get(body["seq"], {}))
        body["prev"] = prev
        e = LedgerEntry.from_dict({**body, "hash": ""})
        e = LedgerEntry(**{**e.body(), "hash": e.computed_hash()})
        out.append(e.to_line())
        prev = e.hash
    vault.ledger.path.write_text("".join(out), encoding="utf-8")


def test_entry_times_going_backwards_are_reported(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    _notes(vault, 3)
    _rewrite_consistently(vault, {1: {"time": "2001-01-01T00:00:00.000000Z"}})
    report = verify_vault(vault)
    assert [(i.kind, i.seq) for i in report.issues] == [("ledger-time", 1)]
    assert "times go backwards" in report.issues[0].message


def test_a_clock_behind_the_head_never_writes_an_older_time(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    _notes(vault, 1)
    future = "2999-01-01T00:00:00.000000Z"
    _rewrite_consistently(vault, {0: {"time": future}})
    vault.commit("note", {"n": 1})
    head = vault.ledger.head()
    assert head is not None and head.time == future
    assert verify_vault(vault).ok


def test_verify_of_an_empty_vault_says_so_and_fails(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _kansa(workspace, capsys, monkeypatch, "verify")
    assert code == 1 and "intact:" not in out and "nothing to verify" in err
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "verify", "--json")
    assert code == 1 and json.loads(out)["first_issue"]["kind"] == "ledger-empty"

"""Who signs and who acts: a private key others can read, or one kept in the workspace, is
refused; ``KANSA_ACTOR`` is validated, and the OS user is recorded beside it."""

from __future__ import annotations

import json
import os
import pwd
import stat
from pathlib import Path

import pytest

from cli_entry import run_kansa
from kansa.errors import KansaError
from kansa.vault import LedgerEntry, Vault, generate_keypair, sign_head, verify_vault
from kansa.workspace import Workspace


def _kansa(
    ws: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    """The command, its stderr with Rich's line wrapping undone."""
    code, out, err = run_kansa(ws, capsys, monkeypatch, *args)
    return code, out, " ".join(err.split())


@pytest.fixture
def signed_ws(workspace: Workspace, tmp_path: Path) -> tuple[Workspace, Path]:
    Vault(workspace.vault_dir).commit("note", {"n": 0})
    key = tmp_path / "keys" / "audit.key"
    generate_keypair(key)
    return workspace, key


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_private_key_others_can_read_is_refused(
    signed_ws: tuple[Workspace, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    mode: int,
) -> None:
    ws, key = signed_ws
    os.chmod(key, mode)
    code, _, err = _kansa(ws, capsys, monkeypatch, "ledger", "sign", "--key", str(key))
    assert code == 2 and f"mode {mode:04o}" in err and "chmod 600" in err
    assert not (ws.vault_dir / "signatures.jsonl").exists()
    os.chmod(key, 0o600)
    assert _kansa(ws, capsys, monkeypatch, "ledger", "sign", "--key", str(key))[0] == 0


def test_a_private_key_inside_the_workspace_is_refused(
    signed_ws: tuple[Workspace, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ws, key = signed_ws
    inside = ws.root / "keys" / "audit.key"
    inside.parent.mkdir()
    inside.write_bytes(key.read_bytes())
    os.chmod(inside, 0o600)
    code, _, err = _kansa(ws, capsys, monkeypatch, "ledger", "sign", "--key", str(inside))
    assert code == 2 and "inside the workspace" in err
    linked = key.parent / "via-link.key"
    linked.symlink_to(inside)  # a link outside pointing in is still a key in the workspace
    code, _, err = _kansa(ws, capsys, monkeypatch, "ledger", "sign", "--key", str(linked))
    assert code == 2 and "inside the workspace" in err
    with pytest.raises(KansaError, match="inside the workspace"):
        sign_head(Vault(ws.vault_dir), inside)  # the library defaults to the vault's parent
    assert not (ws.vault_dir / "signatures.jsonl").exists()


def test_keys_generate_refuses_the_workspace_and_writes_0600(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = workspace.root / "secrets" / "k.key"
    code, _, err = _kansa(workspace, capsys, monkeypatch, "keys", "generate", "--out", str(out))
    assert code == 2 and "inside the workspace" in err and not out.parent.exists()
    old = os.umask(0)
    try:
        key = tmp_path / "k.key"
        code, _, _ = _kansa(workspace, capsys, monkeypatch, "keys", "generate", "--out", str(key))
    finally:
        os.umask(old)
    assert code == 0 and stat.S_IMODE(key.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "actor",
    [
        "evil\x1b[2J\x1b[31mCFO",  # terminal escape sequences
        "line\nbreak",
        "tab\there",
        "right\u202eto-left",  # bidirectional override
        "x" * 129,
        "   ",
        "semi;colon",
    ],
)
def test_an_unacceptable_kansa_actor_is_refused_before_anything_changes(
    workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    actor: str,
) -> None:
    vault = Vault(workspace.vault_dir)
    vault.commit("note", {"n": 0})
    before = vault.ledger.path.read_bytes()
    monkeypatch.setenv("KANSA_ACTOR", actor)
    with pytest.raises(KansaError, match="KANSA_ACTOR is not a valid actor name") as info:
        vault.commit("note", {"n": 1})
    assert info.value.exit_code == 2 and "\x1b" not in info.value.message
    assert vault.ledger.path.read_bytes() == before
    assert not (vault.root / ".pending.json").exists()


@pytest.mark.parametrize(
    "actor", ["山田\u3000太郎", "ヤマダ・タロウ", "o'brien.j@example.co.jp", "Müller (CFO)"]
)
def test_real_names_are_accepted_and_the_os_user_is_recorded(
    workspace: Workspace,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    actor: str,
) -> None:
    monkeypatch.setenv("KANSA_ACTOR", actor)
    vault = Vault(workspace.vault_dir)
    entry = vault.commit("note", {"n": 0})
    me = pwd.getpwuid(os.geteuid()).pw_name
    assert (entry.actor, entry.os_user) == (actor, me)
    assert json.loads(vault.ledger.path.read_bytes())["os_user"] == me
    assert verify_vault(vault).ok
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ledger", "show", "--json")
    assert code == 0 and json.loads(out)[0]["os_user"] == me


def test_entries_written_before_os_user_was_recorded_still_verify(workspace: Workspace) -> None:
    vault = Vault(workspace.vault_dir)
    old = LedgerEntry(
        seq=0,
        time="2024-04-01T00:00:00.000000Z",
        kind="note",
        actor="auditor",
        payload={"n": 0},
        outputs={},
        prev="0" * 64,
    )
    old = LedgerEntry(**{**old.body(), "hash": old.computed_hash()})
    assert "os_user" not in old.to_line()
    vault.root.mkdir(parents=True, exist_ok=True)
    vault.ledger.path.write_text(old.to_line(), encoding="utf-8")
    entry = vault.commit("note", {"n": 1})
    assert entry.os_user is not None and verify_vault(vault).ok

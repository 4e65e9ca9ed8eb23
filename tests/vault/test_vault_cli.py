"""``kansa verify``, ``kansa ledger`` and ``kansa keys`` as a user runs them (the real entry
point, in process: exit codes 0 / 1 / 2 as the shell sees them)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli_entry import run_kansa as _kansa
from kansa.vault import Vault
from kansa.workspace import Workspace


def test_verify_sign_and_tamper(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    vault = Vault(workspace.vault_dir)
    for i in range(3):
        vault.commit("note", {"n": i})
    key = tmp_path / "keys" / "ledger.key"
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "keys", "generate", "--out", str(key))
    assert code == 0 and "ledger.key.pub" in out
    assert os.stat(key).st_mode & 0o777 == 0o600

    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "ledger", "sign", "--key", str(key), "--json"
    )
    assert code == 0 and json.loads(out)["seq"] == 2
    vault.commit("note", {"n": 3})
    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "verify", "--public-key", f"{key}.pub", "--json"
    )
    assert code == 0
    report = json.loads(out)
    assert report["ok"] and report["signature"]["signed_seq"] == 2
    assert report["signature"]["unsigned_entries"] == 1

    code, out, _ = _kansa(workspace, capsys, monkeypatch, "ledger", "head", "--json")
    assert code == 0 and json.loads(out)["seq"] == 3
    code, out, _ = _kansa(
        workspace, capsys, monkeypatch, "ledger", "show", "--kind", "note", "--json"
    )
    assert [e["seq"] for e in json.loads(out)] == [0, 1, 2, 3]

    data = bytearray(vault.ledger.path.read_bytes())
    data[40] ^= 0x01
    vault.ledger.path.write_bytes(bytes(data))
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "verify", "--json")
    assert code == 1
    assert json.loads(out)["first_issue"]["where"] == "ledger.jsonl line 1"
    code, _, err = _kansa(workspace, capsys, monkeypatch, "verify")
    assert code == 1 and "ledger.jsonl line 1" in err
    vault.ledger.path.write_bytes(b"not json\n" + bytes(data))
    code, _, err = _kansa(workspace, capsys, monkeypatch, "ledger", "show")
    assert code == 2 and "damaged" in err


def test_verify_recovers_an_interrupted_commit_only_when_asked(
    workspace: Workspace, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = Vault(workspace.vault_dir)
    vault.commit("note", {})
    # what a process killed between moving its file in and writing its ledger line leaves
    (vault.root / "runs").mkdir()
    (vault.root / "runs" / "half.json").write_text("{}")
    (vault.root / ".pending.json").write_text(json.dumps({"seq": 1, "files": ["runs/half.json"]}))
    for read_only in (("--no-recover",), ()):  # the default reads only
        code, out, _ = _kansa(workspace, capsys, monkeypatch, "verify", *read_only, "--json")
        assert code == 1 and {i["kind"] for i in json.loads(out)["issues"]} == {
            "file-unreferenced",
            "pending",
        }
    code, out, _ = _kansa(workspace, capsys, monkeypatch, "verify", "--recover", "--json")
    assert code == 0 and json.loads(out)["recovered"] == ["runs/half.json"]
    assert not (vault.root / "runs").exists()


@pytest.mark.parametrize("last", ["garbage", '{"seq": 1, "outputs": 5}'])
@pytest.mark.parametrize("command", [("ledger", "head"), ("ingest", "roles", "{csv}")])
def test_a_damaged_ledger_is_one_clear_message_not_a_traceback(
    workspace: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    last: str,
    command: tuple[str, ...],
) -> None:
    Vault(workspace.vault_dir).commit("note", {"n": 0})
    with (workspace.vault_dir / "ledger.jsonl").open("a", encoding="utf-8") as f:
        f.write(last + "\n")
    csv = tmp_path / "roles.csv"
    csv.write_text("role_id,name,system,privileged,duty\n", encoding="utf-8")
    args = [a.replace("{csv}", str(csv)) for a in command]
    code, _, err = _kansa(workspace, capsys, monkeypatch, *args)
    assert code == 2 and "ledger" in err and "kansa verify" in err

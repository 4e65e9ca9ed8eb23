"""Ed25519 signatures of the ledger head, with the key outside the vault."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kansa.errors import KansaError
from kansa.vault import Vault, generate_keypair, load_public_key, sign_head, verify_vault


def _vault(tmp_path: Path, entries: int = 3) -> Vault:
    vault = Vault(tmp_path / "ws" / "vault")  # keys live in tmp_path/keys, outside "ws"
    for i in range(entries):
        vault.commit("note", {"n": i})
    return vault


@pytest.fixture
def key(tmp_path: Path) -> Path:
    generate_keypair(tmp_path / "keys" / "audit.key")
    return tmp_path / "keys" / "audit.key"


def test_keypair_files_and_permissions(key: Path) -> None:
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert Path(str(key) + ".pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    with pytest.raises(KansaError, match="not overwriting"):
        generate_keypair(key)


def test_passphrase_protected_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_KEY_PASSPHRASE", "correct horse")
    generate_keypair(tmp_path / "enc.key")
    assert "ENCRYPTED" in (tmp_path / "enc.key").read_text()
    vault = _vault(tmp_path)
    sign_head(vault, tmp_path / "enc.key")
    monkeypatch.setenv("KANSA_KEY_PASSPHRASE", "wrong")
    with pytest.raises(KansaError, match="Cannot read the private key"):
        sign_head(vault, tmp_path / "enc.key")


def test_keys_inside_the_vault_are_refused(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path)
    with pytest.raises(KansaError, match="inside the vault"):
        generate_keypair(vault.root / "k.key", vault_root=vault.root)
    (vault.root / "k.key").write_bytes(key.read_bytes())
    with pytest.raises(KansaError, match="inside the vault"):
        sign_head(vault, vault.root / "k.key")


def test_signed_head_verifies_and_later_entries_are_unsigned(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path)
    record = sign_head(vault, key)
    assert (record["seq"], record["hash"]) == (2, vault.ledger.head().hash)  # type: ignore[union-attr]
    vault.commit("note", {"n": 3})
    vault.commit("note", {"n": 4})
    pub = load_public_key(Path(str(key) + ".pub"))
    report = verify_vault(vault, public_key=pub)
    assert report.ok, report.issues
    assert report.signature is not None
    assert report.signature["signed_seq"] == 2 and report.signature["unsigned_entries"] == 2
    assert report.signature["trusted_key"] is True


def test_truncated_ledger_is_caught_by_the_signature(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path)
    sign_head(vault, key)
    lines = vault.ledger.path.read_bytes().splitlines(keepends=True)
    vault.ledger.path.write_bytes(b"".join(lines[:-1]))  # cut the signed head off: chain still fine
    report = verify_vault(vault)
    assert [i.kind for i in report.issues] == ["signature"]
    assert "cut off" in report.issues[0].message


def test_wrong_trusted_key_fails(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path)
    sign_head(vault, key)
    generate_keypair(tmp_path / "other.key")
    report = verify_vault(vault, public_key=load_public_key(tmp_path / "other.key.pub"))
    assert not report.ok and "no valid signature by the trusted key" in report.issues[0].message


def test_forged_chain_signed_by_another_key_is_not_trusted(tmp_path: Path, key: Path) -> None:
    """Someone who rewrites the whole vault can sign it with their own key, but not with ours."""
    vault = _vault(tmp_path)
    generate_keypair(tmp_path / "attacker.key")
    sign_head(vault, tmp_path / "attacker.key")
    assert verify_vault(vault).ok  # self-consistent...
    trusted = load_public_key(Path(str(key) + ".pub"))
    assert not verify_vault(vault, public_key=trusted).ok  # ...but not by the trusted key


@pytest.fixture(scope="module")
def signed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("signed")
    generate_keypair(tmp / "k.key")
    vault = _vault(tmp)
    sign_head(vault, tmp / "k.key")
    return vault.root, tmp / "k.key.pub"


@settings(max_examples=60, deadline=None)
@given(pos=st.integers(min_value=0), new=st.integers(0, 255))
def test_any_byte_change_in_the_signatures_file_is_detected(
    signed_template: tuple[Path, Path], pos: int, new: int
) -> None:
    root, pub_path = signed_template
    with tempfile.TemporaryDirectory() as tmp:
        vault = Vault(Path(shutil.copytree(root, Path(tmp) / "vault")))
        sig = vault.root / "signatures.jsonl"
        data = bytearray(sig.read_bytes())
        i = pos % len(data)
        data[i] = new if data[i] != new else (new + 1) % 256
        sig.write_bytes(bytes(data))
        assert not verify_vault(vault, public_key=load_public_key(pub_path)).ok, i


def test_refuses_to_sign_a_broken_vault(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path)
    (vault.root / "planted.txt").write_text("x")
    with pytest.raises(KansaError, match="not signing"):
        sign_head(vault, key)
    assert not (vault.root / "signatures.jsonl").exists()


def test_empty_ledger_cannot_be_signed(tmp_path: Path, key: Path) -> None:
    vault = _vault(tmp_path, entries=0)
    with pytest.raises(KansaError, match="empty"):
        sign_head(vault, key)
    assert os.listdir(vault.root) == [".lock"]

"""`kansa users rotate-key`: every TOTP secret re-sealed under a new web key, all or nothing,
on the ledger, with neither a secret nor a key in the ledger or the output."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, update

from kansa.appdb import Database, User
from kansa.vault import Vault
from kansa.web import create_app
from kansa.web.accounts import add_user
from kansa.web.secret_box import ENV, KEY_FILE, SecretBox, SecretKeyError, load_box
from kansa.workspace import Workspace


def _stored(ws: Workspace) -> dict[str, str]:
    with Database(ws.database_url) as db, db.session() as s:
        rows = s.execute(
            select(User.username, User.totp_secret).where(User.totp_secret.is_not(None))
        )
        return {name: value for name, value in rows}


def _with_secrets(ws: Workspace, prefix: str) -> dict[str, str]:
    """Three users with second factors: two sealed with the workspace's key, one stored in
    clear by an older version. Their clear secrets by name."""
    box = load_box(ws.root)
    clear = {f"{prefix}{i}": pyotp.random_base32() for i in range(3)}
    with Database(ws.database_url) as db:
        for name, secret in clear.items():
            add_user(db, name, "auditor")
            stored = secret if name.endswith("2") else box.seal(secret)
            with db.session() as s:
                s.execute(update(User).where(User.username == name).values(totp_secret=stored))
    return clear


def _cli(ws: Workspace, *args: str) -> tuple[int, str]:
    """The command as a user runs it (its own process: errors are printed, not raised)."""
    done = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(ws.root),
         "users", "rotate-key", *args],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def _ledger(ws: Workspace) -> list[dict[str, object]]:
    return [e.payload for e in Vault(ws.vault_dir).ledger.read() if e.kind == "web"]


def test_every_secret_is_resealed_under_a_new_key(demo: Workspace) -> None:
    clear = _with_secrets(demo, "rot")
    old_key = (demo.root / KEY_FILE).read_bytes()
    old = load_box(demo.root)
    code, out = _cli(demo)
    assert code == 0, out
    key_file = demo.root / KEY_FILE
    assert key_file.read_bytes() != old_key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert not (demo.root / (KEY_FILE + ".next")).exists()
    new = load_box(demo.root)
    stored = _stored(demo)
    for name, secret in clear.items():
        assert stored[name].startswith("fernet:")
        assert new.open(stored[name]) == secret
        with pytest.raises(SecretKeyError):
            old.open(stored[name])
    entry = _ledger(demo)[-1]
    assert entry["action"] == "rotate_web_key" and entry["resealed"] == len(stored)
    ledger_text = Vault(demo.vault_dir).ledger.path.read_text()
    for secret in [*clear.values(), old_key.decode().strip(), key_file.read_text().strip()]:
        assert secret not in ledger_text and secret not in out
    create_app(demo)  # the app opens with the new key


def test_a_key_file_is_replaced_in_place_not_elsewhere(demo: Workspace, tmp_path: Path) -> None:
    load_box(demo.root)  # the key file as the app makes it (this test may run first on its worker)
    key = (demo.root / KEY_FILE).read_bytes()
    code, out = _cli(demo, "--new-key-file", str(tmp_path / "k"))
    assert code == 2 and "--new-key-file is for a key from" in out
    assert (demo.root / KEY_FILE).read_bytes() == key and not (tmp_path / "k").exists()


def test_a_secret_the_key_cannot_open_changes_nothing(demo: Workspace) -> None:
    _with_secrets(demo, "bad")
    foreign = SecretBox(Fernet(Fernet.generate_key()), "elsewhere")
    with Database(demo.database_url) as db, db.session() as s:
        s.execute(update(User).where(User.username == "bad1")
                  .values(totp_secret=foreign.seal(pyotp.random_base32())))  # fmt: skip
    before, key, entries = _stored(demo), (demo.root / KEY_FILE).read_bytes(), len(_ledger(demo))
    code, out = _cli(demo)
    assert code == 2, out
    assert "does not open the TOTP secrets" in out and "Traceback" not in out
    assert _stored(demo) == before
    assert (demo.root / KEY_FILE).read_bytes() == key
    assert not (demo.root / (KEY_FILE + ".next")).exists()
    assert len(_ledger(demo)) == entries


def test_a_key_from_the_environment_is_replaced_through_a_file_the_admin_names(
    demo: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Database(demo.database_url) as db, db.session() as s:  # the other tests' users
        s.execute(update(User).values(totp_secret=None))
    clear = _with_secrets(demo, "env")
    monkeypatch.setenv(ENV, (demo.root / KEY_FILE).read_text().strip())
    code, out = _cli(demo)
    assert code == 2 and ENV in out and "--new-key-file" in out
    target = tmp_path / "new.key"
    code, out = _cli(demo, "--new-key-file", str(target))
    assert code == 0, out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    new = SecretBox(Fernet(target.read_bytes().strip()), str(target))
    stored = _stored(demo)
    assert {name: new.open(stored[name]) for name in clear} == clear
    code, out = _cli(demo, "--new-key-file", str(target))  # never over an existing key
    assert code == 2 and "exists already" in out

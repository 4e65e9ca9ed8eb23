"""TOTP secrets are sealed at rest with a key outside the database; a wrong key is one clear
error at start-up, never a silent lockout; secrets never reach the ledger."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from helpers_web import client, csrf_of, post_login, signed_in, wait_next_step
from sqlalchemy import select, update

from kansa.appdb import Database, User
from kansa.web import create_app
from kansa.web.secret_box import ENV, KEY_FILE, SecretKeyError
from kansa.workspace import Workspace, find_workspace


def _stored_secret(ws: Workspace, username: str) -> str:
    with Database(ws.database_url) as db, db.session() as s:
        value = s.scalars(select(User.totp_secret).where(User.username == username)).one()
    assert value is not None
    return value


def test_the_database_holds_no_clear_secret(demo: Workspace) -> None:
    _c, secret = signed_in(demo, "sealed", "auditor")
    stored = _stored_secret(demo, "sealed")
    assert stored.startswith("fernet:") and secret not in stored
    db_file = Path(demo.database_url.removeprefix("sqlite:///"))
    assert secret.encode() not in db_file.read_bytes()  # not in any page of the SQLite file
    from kansa.vault import Vault

    assert secret.encode() not in Vault(demo.vault_dir).ledger.path.read_bytes()
    key = demo.root / KEY_FILE
    assert (key.stat().st_mode & 0o077) == 0
    # and the sealed secret still works: sign in again with the next code
    c2 = client(demo)
    post_login(c2, "sealed", "correct horse battery staple")
    page = c2.get("/totp")
    r = c2.post("/totp", data={"code": wait_next_step(secret), "csrf": csrf_of(page.text)})
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_secrets_stored_in_clear_before_are_sealed_when_the_app_opens(demo: Workspace) -> None:
    _c, secret = signed_in(demo, "legacy", "reviewer")
    with Database(demo.database_url) as db, db.session() as s:  # as an older version kept it
        s.execute(update(User).where(User.username == "legacy").values(totp_secret=secret))
    create_app(demo)
    stored = _stored_secret(demo, "legacy")
    assert stored.startswith("fernet:") and secret not in stored


@pytest.fixture
def copy(demo: Workspace, tmp_path: Path) -> Workspace:
    with Database(demo.database_url) as db, db.session() as s:
        exists = s.scalars(select(User.id).where(User.username == "keyed")).first()
    if exists is None:
        signed_in(demo, "keyed", "auditor")  # at least one sealed secret
    target = tmp_path / "ws"
    shutil.copytree(demo.root, target, symlinks=True)
    return find_workspace(target)


def test_a_wrong_key_is_a_clear_error_not_a_lockout(
    copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, Fernet.generate_key().decode())
    with pytest.raises(SecretKeyError, match="does not open the TOTP secrets"):
        create_app(copy)
    done = subprocess.run(
        [sys.executable, "-c", "from kansa.cli.app import main; main()", "-w", str(copy.root),
         "serve", "--port", "1"],
        capture_output=True, text=True, timeout=120, env=os.environ.copy(),
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "does not open the TOTP secrets" in done.stderr and "Traceback" not in done.stderr
    monkeypatch.delenv(ENV)
    create_app(copy)  # the workspace's own key still opens them: nothing was changed


def test_a_lost_key_file_is_not_silently_replaced(copy: Workspace) -> None:
    (copy.root / KEY_FILE).unlink()
    with pytest.raises(SecretKeyError, match="does not open"):
        create_app(copy)


def test_a_malformed_or_readable_key_is_refused(
    copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV, "not a key")
    with pytest.raises(SecretKeyError, match="is not a web key"):
        create_app(copy)
    monkeypatch.delenv(ENV)
    os.chmod(copy.root / KEY_FILE, 0o644)
    with pytest.raises(SecretKeyError, match="may be read by others"):
        create_app(copy)


def test_the_key_from_the_environment_is_used(
    copy: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = (copy.root / KEY_FILE).read_text().strip()
    (copy.root / KEY_FILE).unlink()
    monkeypatch.setenv(ENV, key)
    create_app(copy)
    assert not (copy.root / KEY_FILE).exists()  # no file made when the environment gives the key
    assert "fernet:" in _stored_secret(copy, "keyed")

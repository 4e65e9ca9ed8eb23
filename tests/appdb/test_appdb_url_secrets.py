"""A database_url password never shows: not in the user-info, not as ?password=, not when the
password holds '@', not in a driver's error, not in a log line (SQLite and real PostgreSQL)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from kansa.appdb import Database
from kansa.appdb.url_secrets import mask_url, scrub
from kansa.cli.app import main
from kansa.errors import KansaError
from kansa.workspace import create_workspace

SECRET = "s3cret-pw"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://kansa:s3cret-pw@db/kansa", "postgresql+psycopg://kansa:***@db/kansa"),
        ("postgresql+psycopg://kansa@db/kansa?password=s3cret-pw",
         "postgresql+psycopg://kansa@db/kansa?password=***"),
        ("postgresql+psycopg://kansa@db/k?sslmode=require&sslpassword=s3cret-pw&PASSWORD=s3cret-pw",
         "postgresql+psycopg://kansa@db/k?sslmode=require&sslpassword=***&PASSWORD=***"),
        ("postgresql://u:p@ss@s3cret-pw@host:5432/db", "postgresql://u:***@host:5432/db"),
        ("postgresql://u:s3cret%40pw@host/db?application_name=kansa",
         "postgresql://u:***@host/db?application_name=kansa"),
        ("postgresql+psycopg//kansa:s3cret-pw@db/kansa", "postgresql+psycopg//kansa:***@db/kansa"),
        ("host=db user=kansa password=s3cret-pw", "host=db user=kansa password=***"),
        ("sqlite:////data/kansa.db", "sqlite:////data/kansa.db"),
        ("postgresql+psycopg://kansa@db/kansa", "postgresql+psycopg://kansa@db/kansa"),
    ],
)  # fmt: skip
def test_mask_url_hides_every_form_of_password(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_scrub_removes_the_password_from_a_drivers_message() -> None:
    url = "postgresql://u:s3cret%40pw@host/db?password=other-s3cret"
    text = 'host "s3cret@pw" refused; password=other-s3cret; s3cret%40pw'
    assert "s3cret" not in scrub(text, url)


def test_an_at_sign_in_the_password_is_refused_without_showing_it() -> None:
    with pytest.raises(KansaError) as err:
        Database("postgresql+psycopg://kansa:p@ss-s3cret-pw@127.0.0.1:1/kansa")
    assert "%40" in err.value.message
    assert "ss-s3cret-pw" not in err.value.message and "ss-s3cret" not in str(err.value.hint)


def test_an_unreachable_server_is_reported_without_any_password() -> None:
    url = (
        "postgresql+psycopg://kansa:s3cret-pw@127.0.0.1:1/kansa"
        "?password=s3cret-q&sslpassword=s3cret-ssl&connect_timeout=2"
    )
    with pytest.raises(KansaError) as err:
        Database(url)
    assert "Cannot open the app database" in err.value.message
    assert "s3cret" not in err.value.message


def _pg_workspace(tmp_path: Path, url: str) -> Path:
    ws = create_workspace(tmp_path / "ws", name="test")
    cfg = ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("sqlite:///kansa.db", url), encoding="utf-8")
    return ws.root


def _kansa(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr("sys.argv", ["kansa", "-w", str(root), *args])
    with pytest.raises(SystemExit) as info:
        main()
        raise SystemExit(0)
    return int(info.value.code or 0)


@pytest.mark.postgres
@pytest.mark.parametrize("form", ["userinfo", "query"])
def test_real_postgresql_commands_and_logs_never_show_the_password(
    postgres_server: str,
    form: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The suite's server trusts local connections, so the password is accepted and ignored:
    the commands really connect, migrate (Alembic) and query with it in the URL."""
    base = postgres_server  # postgresql+psycopg://kansa@127.0.0.1:PORT
    if form == "userinfo":
        url = base.replace("//kansa@", f"//kansa:{SECRET}@") + "/postgres"
    else:
        url = base + f"/postgres?password={SECRET}"
    caplog.set_level(logging.DEBUG)  # sqlalchemy, alembic, psycopg: everything they log
    root = _pg_workspace(tmp_path, url)
    assert _kansa(root, monkeypatch, "runs") == 0
    missing = re.sub(r"/postgres", "/no_such_database", url)
    (root / "kansa.toml").write_text(
        (root / "kansa.toml").read_text(encoding="utf-8").replace(url, missing), encoding="utf-8"
    )
    assert _kansa(root, monkeypatch, "runs") == 2
    out = capsys.readouterr()
    assert "no_such_database" in out.err
    for text in (out.out, out.err, caplog.text):
        assert SECRET not in text

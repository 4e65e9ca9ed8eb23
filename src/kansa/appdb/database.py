"""Opening the app database and bringing its schema up to date (Alembic, programmatically)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kansa.appdb.latest import note_new_results
from kansa.appdb.url_secrets import mask_url, scrub
from kansa.errors import KansaError
from kansa.i18n import tr

SUPPORTED = ("sqlite", "postgresql")


def _alembic_config() -> Any:
    from alembic.config import Config  # imported here: keeps `kansa --help` fast

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("kansa.appdb") / "migrations"))
    return cfg


def head_revision() -> str:
    """The newest migration shipped with this version of Kansa."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def _check_url(url: str) -> None:
    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
    except ArgumentError as exc:
        shown = mask_url(url)
        raise KansaError(
            tr(
                f"database_url {shown!r} is not a database URL.",
                f"database_url {shown!r} は不正です。",
            )
        ) from exc
    if backend not in SUPPORTED:
        raise KansaError(
            tr(
                f"database_url must be SQLite or PostgreSQL, not {backend}.",
                f"database_url は SQLite か PostgreSQL を指定してください（{backend} は不可）。",
            ),
            hint="sqlite:///kansa.db  |  postgresql+psycopg://user@host/db",
        )
    if "@" in (parsed.host or ""):  # the driver would be sent part of the password as the host
        raise KansaError(
            tr(
                f"database_url {mask_url(url)!r}: the password holds '@'; write it as %40.",
                f"database_url {mask_url(url)!r}: パスワードの '@' は %40 と書いてください。",
            ),
            hint="postgresql+psycopg://user:p%40ss@host/db",
        )


def _enable_sqlite_foreign_keys(engine: Engine) -> None:
    """SQLite ignores foreign keys unless each connection asks: ask, like PostgreSQL enforces."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()


def make_engine(url: str) -> Engine:
    """An SQLAlchemy engine for ``url`` (SQLite or PostgreSQL via psycopg 3)."""
    _check_url(url)
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        _enable_sqlite_foreign_keys(engine)
    return engine


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _unreachable(url: str, exc: Exception) -> KansaError:
    safe, why = mask_url(url), scrub(str(exc), url)
    return KansaError(
        tr(f"Cannot open the app database {safe}: {why}", f"アプリDB {safe} を開けません: {why}"),
        hint=tr(
            "Check database_url in kansa.toml and that the server is running.",
            "kansa.toml の database_url とサーバーの稼働を確認してください。",
        ),
    )


def upgrade(url: str) -> str:
    """Create or migrate the database at ``url`` to the newest schema; return its revision."""
    engine = make_engine(url)
    try:
        if current_revision(engine) == head_revision():
            return head_revision()
        from alembic import command

        cfg = _alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        return head_revision()
    except DBAPIError as exc:  # refused, locked, a wrong option: never the URL as typed
        raise _unreachable(url, exc.orig or exc) from exc
    finally:
        engine.dispose()


class Database:
    """An open, migrated app database: ``with db.session() as s: ...`` commits on success."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        if migrate:
            upgrade(url)
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self._sessions, "before_flush", note_new_results)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as s:
            yield s

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

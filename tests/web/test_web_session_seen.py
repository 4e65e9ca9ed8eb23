"""A session's last-seen time is written at most once a minute (reads stay reads), and the
idle time-out still ends it."""

from __future__ import annotations

import datetime as dt

from kansa.appdb import Database, WebSession
from kansa.web import sessions
from kansa.web.accounts import add_user, list_users
from kansa.web.settings import WebSettings
from kansa.workspace import Workspace

T0 = dt.datetime(2026, 11, 30, 9, tzinfo=dt.UTC)


def _seen(db: Database, token: str) -> dt.datetime:
    with db.session() as s:
        found = s.get(WebSession, sessions.token_hash(token))
        assert found is not None
        return found.last_seen_at


def test_last_seen_is_written_once_a_minute_and_idle_sessions_end(workspace: Workspace) -> None:
    settings = WebSettings()
    with Database(workspace.database_url) as db:
        add_user(db, "sam", "auditor")
        uid = next(u.id for u in list_users(db) if u.username == "sam")
        token = sessions.create(db, uid, "full", T0)
        for seconds in (1, 20, 59):
            assert sessions.load(db, token, settings, T0 + dt.timedelta(seconds=seconds))
            assert _seen(db, token) == T0
        later = T0 + sessions.SEEN_RESOLUTION
        assert sessions.load(db, token, settings, later)
        assert _seen(db, token) == later
        gone = later + settings.idle_timeout + dt.timedelta(seconds=1)
        assert sessions.load(db, token, settings, gone) is None
        assert sessions.load(db, token, settings, later) is None  # deleted, not just refused

"""The workflow desk of a web request in the audit plan's pages: the app's database and vault,
the workspace, and the signed-in user as the actor of every ledger entry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request

from kansa.web.routes.auth import _ctx, _me
from kansa.workflow import Desk, workflow_policy


@contextmanager
def web_desk(request: Request) -> Iterator[Desk]:
    ctx, me = _ctx(request), _me(request)
    ws = ctx.workspace
    yield Desk(ctx.db, ctx.vault, ws.config.name, me.username, workflow_policy(ws.config.raw))

"""Several server processes for ``kansa serve --workers N``.

One Python process answers one request at a time on the CPU (the GIL), so on a machine with
several cores one process leaves them idle while requests queue. uvicorn starts ``N`` worker
processes sharing the listening socket; each builds its own app with :func:`app` from the
workspace ``kansa serve`` was given (passed in an environment variable, as uvicorn's worker
processes are started afresh).

What each process keeps for itself, and why it stays correct:

- the ledger index and the verified exceptions files are caches of files, re-checked on
  every request (:mod:`kansa.web.ledger_index`, :mod:`kansa.web.exception_pages`);
- sessions, accounts, lockouts and tokens are in the app database, shared;
- the per-address throttle of failed sign-ins is in memory: each of the ``N`` processes
  allows ``ceil(limit / N)`` failures, so one address never gets more than the configured
  limit in all (it may be throttled sooner, when its attempts land on one process).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from fastapi import FastAPI

from kansa.workspace import Workspace, find_workspace

FACTORY = "kansa.web.workers:app"
_ROOT = "KANSA_SERVE_WORKSPACE"
_COUNT = "KANSA_SERVE_WORKERS"
_ORIGIN = "KANSA_SERVE_PUBLIC_ORIGIN"
MAX_DEFAULT = 4


def default_count() -> int:
    """One process per core the server may use, at most :data:`MAX_DEFAULT`."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(MAX_DEFAULT, cores or 1))


def hand_over(workspace: Workspace, count: int, public_origin: str | None = None) -> None:
    """Tell the worker processes which workspace to serve, how many of them there are, and
    the origin browsers use behind a proxy (``--public-origin``, for security keys)."""
    os.environ[_ROOT] = str(workspace.root)
    os.environ[_COUNT] = str(count)
    os.environ[_ORIGIN] = public_origin or ""


def app() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each)."""
    from kansa.web.app import create_app
    from kansa.web.settings import WebSettings

    count = max(1, int(os.environ.get(_COUNT, "1")))
    base = WebSettings()
    settings = dataclasses.replace(
        base,
        client_failures=-(-base.client_failures // count),
        public_origin=os.environ.get(_ORIGIN) or None,
    )
    return create_app(find_workspace(Path(os.environ[_ROOT])), settings)

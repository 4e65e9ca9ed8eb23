"""Ctrl-C during an ingest query: the query stops and the user's interrupt comes through as
KeyboardInterrupt (the CLI's one "Aborted!"), not DuckDB's RuntimeError or a busy connection."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from kansa.ingest import engine
from kansa.ingest.progress import Reporter
from kansa.vault import Vault
from kansa.workspace import Workspace

ENDLESS = "SELECT count(*) FROM range(1500000000) t(i) WHERE i % 7 = 3"


@pytest.mark.parametrize("progress", [False, True])
def test_ctrl_c_stops_the_query_and_frees_the_connection(
    workspace: Workspace, progress: bool
) -> None:
    with Vault(workspace.vault_dir).staging() as staging:
        con = engine.connect(workspace, staging)
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt), Reporter(progress) as reporter:
                engine.run(con, ENDLESS, reporter)
        finally:
            timer.cancel()
        con.close()  # refused while a query still runs in the worker thread
    assert not any(Path(workspace.vault_dir).iterdir())

"""Holding Ctrl-C back while a run is being committed, so a run is recorded whole or not at all.

A Ctrl-C between the vault's ledger entry and the app database's rows would leave a run the
ledger knows and the findings never saw. While :func:`sigint_deferred` is active a SIGINT is
only noted (``held.received``); the caller acts on it once the block is done. Signal handlers
can only be set from the main thread; elsewhere this holds nothing back.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Any


@dataclass
class Held:
    """Whether a SIGINT arrived while it was held back."""

    received: bool = False


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C arrived while the run was being committed: it was committed whole, then stopped.

    ``run`` is the committed :class:`kansa.engine.RunResult`.
    """

    def __init__(self, run: Any) -> None:
        super().__init__("interrupted after the run was committed")
        self.run = run


@contextmanager
def sigint_deferred() -> Iterator[Held]:
    """Run the body with SIGINT noted instead of raised (main thread only)."""
    held = Held()
    if threading.current_thread() is not threading.main_thread():
        yield held
        return

    def note(_signum: int, _frame: FrameType | None) -> None:
        held.received = True

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield held
    finally:
        signal.signal(signal.SIGINT, previous)

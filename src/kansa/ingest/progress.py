"""A Rich progress bar that only appears once work has taken more than a second.

Short ingests stay quiet; long ones show each stage (hashing, transcoding, reading, checking,
writing) with its own bar. Output goes to stderr so that ``--json`` on stdout stays clean.
"""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)

SHOW_AFTER_SECONDS = 1.0


class Reporter:
    """Stage-by-stage progress; ``enabled=False`` makes every call a no-op."""

    def __init__(self, enabled: bool = True, console: Console | None = None) -> None:
        self.enabled = enabled
        self._started_at = time.monotonic()
        self._live = False
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
            auto_refresh=True,
        )
        self._task: TaskID | None = None

    def stage(self, description: str, total: float = 100.0) -> None:
        """Start a new stage (the previous one is marked complete)."""
        if not self.enabled:
            return
        self._finish_task()
        self._task = self._progress.add_task(description, total=total, visible=True)
        self._maybe_show()

    def update(self, completed: float) -> None:
        if not self.enabled or self._task is None:
            return
        self._progress.update(self._task, completed=completed)
        self._maybe_show()

    def _finish_task(self) -> None:
        if self._task is not None:
            total = self._progress.tasks[-1].total or 100.0
            self._progress.update(self._task, completed=total)

    def _maybe_show(self) -> None:
        if not self._live and time.monotonic() - self._started_at > SHOW_AFTER_SECONDS:
            self._progress.start()
            self._live = True

    def __enter__(self) -> Reporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._live:
            if exc is None:
                self._finish_task()
            self._progress.stop()

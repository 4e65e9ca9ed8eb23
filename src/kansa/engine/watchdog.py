"""Stopping runaway control SQL: a per-control time limit, and Ctrl-C that really stops a run.

DuckDB runs a query in C++ and does not look at Python's signals from a worker thread, so
neither a slow query nor Ctrl-C would ever end it. DuckDB offers ``interrupt()`` on a
connection, callable from another thread (https://duckdb.org/docs/stable/clients/python/reference/
-- ``DuckDBPyConnection.interrupt``): the running query then fails with an
``InterruptException`` and the cursor is usable again.

:class:`Watchdog` keeps the cursor of every running control with a timer; when a control's
time is up it interrupts that cursor and remembers that it did, so the engine records the
control as an ERROR "timed out" rather than whatever DuckDB said. :meth:`Watchdog.stop`
interrupts every running query at once (Ctrl-C) and refuses new ones.

Any engine's handle with an ``interrupt()`` method can be watched (:class:`Interruptible`): a
Spark run hands over its control's job group, whose ``interrupt()`` cancels it
(``SparkContext.cancelJobGroup``).

A Python-logic control is interrupted only while it runs a query on its cursor; time spent
in its own Python code cannot be cut short.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol

REPEAT_S = 0.25


class Interruptible(Protocol):
    """A running query's handle: a DuckDB cursor, or a Spark control's job group."""

    def interrupt(self) -> None: ...


class RunInterrupted(Exception):
    """The run was stopped (Ctrl-C) before this control could start."""


@dataclass
class Clock:
    """One control's watch: ``expired`` once its time limit interrupted it."""

    expired: bool = False


@dataclass
class Watchdog:
    """Time limits for the controls of one run (``limit`` seconds each; ``None``: no limit)."""

    limit: float | None
    _running: dict[int, Interruptible] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopped: bool = False

    @contextmanager
    def watch(self, cur: Interruptible) -> Iterator[Clock]:
        """Run the body with ``cur`` interrupted after ``limit`` seconds, or on :meth:`stop`."""
        clock = Clock()
        with self._lock:
            if self._stopped:
                raise RunInterrupted
            self._running[id(cur)] = cur
        timer = None
        if self.limit is not None:
            timer = threading.Timer(self.limit, self._expire, (cur, clock))
            timer.daemon = True
            timer.start()
        try:
            yield clock
        finally:
            if timer is not None:
                timer.cancel()
            with self._lock:
                self._running.pop(id(cur), None)

    def _expire(self, cur: Interruptible, clock: Clock) -> None:
        """Interrupt ``cur``, and again every quarter second until the control gives up: an
        interrupt between two of its queries is lost (DuckDB clears it when a query starts)."""
        with self._lock:
            if id(cur) not in self._running:
                return  # finished in time
            clock.expired = True
            cur.interrupt()
            again = threading.Timer(REPEAT_S, self._expire, (cur, clock))
            again.daemon = True
            again.start()

    def stop(self) -> None:
        """Interrupt every running query and start no other (Ctrl-C). Safe to call again."""
        with self._lock:
            self._stopped = True
            for cur in self._running.values():
                cur.interrupt()

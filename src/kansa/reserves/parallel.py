"""Run a task function over ranges in forked worker processes that share the parent's arrays.

Why fork: the tree's inputs are a few GB of numpy arrays. Forked children see them copy-on-write
without any pickling; results too big to return (leaf hashes) go into anonymous shared memory
(:func:`shared_array`) created before the fork. Where fork is unavailable (or one worker is
asked for), tasks run in this process with the same code, so results never depend on it.
Workers die with the parent (:func:`_die_with_parent`): a killed build leaves no process behind.
"""

from __future__ import annotations

import ctypes
import mmap
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

_STATE: dict[str, Any] = {}


def state() -> dict[str, Any]:
    """The arrays the current run shared with its workers."""
    return _STATE


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def shared_array(shape: tuple[int, ...], dtype: Any = np.uint8) -> np.ndarray:
    """A zeroed array in anonymous MAP_SHARED memory: children's writes are seen by the parent."""
    size = int(np.prod(shape)) * np.dtype(dtype).itemsize
    buf = mmap.mmap(-1, max(size, 1))
    return np.frombuffer(buf, dtype=dtype, count=int(np.prod(shape))).reshape(shape)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end this worker when the process that forked it is gone.

    A worker waits on a pipe that the other workers also hold open, so it never sees the
    parent's end of it close: after ``kill -9`` of ``kansa reserves build`` the workers would
    wait for ever. On Linux, ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (prctl(2)) asks the kernel
    to kill this process when the thread that forked it exits: with the ``fork`` start method
    the pool forks every worker at the first ``submit``, from the thread that runs
    :func:`run_tasks`, which outlives the pool. A parent that died before the call was made is caught
    by the check of the parent pid that follows it. Elsewhere nothing is set (workers are
    forked only where ``fork`` exists, and are then ordinary orphans).
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:
        os._exit(1)


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    shared: dict[str, Any],
    *,
    workers: int,
) -> Iterator[tuple[int, R]]:
    """Yield ``(task index, result)`` as tasks finish (any order) with ``shared`` visible."""
    _STATE.clear()
    _STATE.update(shared)
    try:
        if workers <= 1 or len(tasks) <= 1 or not _can_fork():
            for i, task in enumerate(tasks):
                yield i, fn(task)
            return
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=ctx,
            initializer=_die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
    finally:
        _STATE.clear()

"""Run a task function over ranges in forked worker processes that share the parent's arrays.

Why fork: the tree's inputs are a few GB of numpy arrays. Forked children see them copy-on-write
without any pickling; results too big to return (leaf hashes) go into anonymous shared memory
(:func:`shared_array`) created before the fork. Where fork is unavailable (or one worker is
asked for), tasks run in this process with the same code, so results never depend on it.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
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
        with ProcessPoolExecutor(max_workers=min(workers, len(tasks)), mp_context=ctx) as pool:
            futures = {pool.submit(fn, task): i for i, task in enumerate(tasks)}
            for fut in as_completed(futures):
                yield futures[fut], fut.result()
    finally:
        _STATE.clear()

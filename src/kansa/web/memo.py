"""What a server process computed from the app database, kept while the database is unchanged.

The overview and a control's history are the same for every user of a scope until a run lands
or a finding changes; recomputing them on each of 50 users' requests cost most of each
request's CPU (ORM queries over a year of runs). A :class:`Memo` keeps each value with the
change stamp (:func:`kansa.appdb.changes.stamp`: one counter per summarised table, moved by a
database trigger on every write, whoever writes) read *before* the value was computed, and
hands it out only while the stamp is the same. A write that lands while a value is computed
leaves it under the older stamp, so the next request recomputes: a value is never newer than
its stamp says, and never served once the tables it came from have changed.

Only values computed from the watched tables (:data:`kansa.appdb.changes.WATCHED`) and from
what the key names may be kept here. Values are shared between threads: read them, never
change them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from kansa.appdb.changes import Stamp, stamp

T = TypeVar("T")


class Memo:
    """Values by key, each with the stamp it was computed under; the least used beyond
    ``size`` are dropped."""

    def __init__(self, engine: Engine, size: int = 512) -> None:
        self._engine = engine
        self._size = size
        self._values: OrderedDict[Hashable, tuple[Stamp, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self.computed = 0  # how many values were computed (not served from memory)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value of ``key``: kept if the database is unchanged since, else ``compute()``."""
        now = stamp(self._engine)
        with self._lock:
            kept = self._values.get(key)
            if kept is not None and kept[0] == now:
                self._values.move_to_end(key)
                return kept[1]
        value = compute()
        with self._lock:
            self._values[key] = (now, value)
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)
            self.computed += 1
        return value

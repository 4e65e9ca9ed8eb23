"""Change counters: one number per summarised table, moved by the database on every write.

The web app computes its overview from a few tables (runs, results, the run summaries,
findings) and keeps the result per process; a database trigger (migration
``0010_webperf_changes``) adds one to the table's counter on every insert, update and delete,
whichever process or statement wrote. :func:`stamp` reads all counters in one query: while it
is unchanged, nothing those tables hold has changed, so what was computed from them still
holds; the request after a run or a finding's change sees a new stamp and recomputes.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from kansa.appdb.models import Base

# what the counters watch (the migration keeps its own copy, as migrations must)
WATCHED = ("runs", "control_results", "latest_results", "run_area_summaries", "findings")

Stamp = tuple[tuple[str, int], ...]


class ChangeCounter(Base):
    """How many writes a watched table has had (only ever moved by its triggers)."""

    __tablename__ = "change_counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


def stamp(engine: Engine) -> Stamp:
    """Every counter, in one short read (no ORM session: this runs on every request)."""
    with engine.connect() as conn:
        rows = conn.execute(select(ChangeCounter.name, ChangeCounter.value))
        return tuple(sorted((str(n), int(v)) for n, v in rows))

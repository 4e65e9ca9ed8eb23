"""The explorer's cached pages are the pages :func:`kansa.engine.exceptions.read_page` gives:
same columns, same values and types, same order with ties, nulls and NaN, on every page; and a
file changed after it was cached is refused, even when its size and time are put back."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers_web import a_failing_control, signed_in
from sqlalchemy import select

from kansa.appdb import ControlResult, Database
from kansa.engine.exceptions import read_page
from kansa.errors import KansaError
from kansa.web.exception_pages import ExceptionPages
from kansa.workspace import Workspace

ROWS = 1_037  # not a multiple of the page size: the last page is short


def _file(tmp_path: Path) -> Path:
    utc = dt.UTC
    assets = ["BTC", "ETH", None, "JPY"]
    amounts: list[Any] = [float(i % 7) for i in range(ROWS)]  # many ties
    amounts[5], amounts[40], amounts[41] = None, float("nan"), None
    table = pa.table({
        "customer_ref": [f"C{(i * 7919) % ROWS:05d}" for i in range(ROWS)],
        "asset": [assets[i % 4] for i in range(ROWS)],
        "amount": pa.array(amounts, pa.float64()),
        "at": pa.array([dt.datetime(2026, 1, 1, tzinfo=utc) + dt.timedelta(hours=i % 50)
                        for i in range(ROWS)], pa.timestamp("us", tz="UTC")),
        "day": [dt.date(2026, 1, 1 + i % 28) for i in range(ROWS)],
    })  # fmt: skip
    path = tmp_path / "x.parquet"
    pq.write_table(table, path, row_group_size=100)
    return path


@pytest.mark.parametrize("budget", [1 << 30, 10], ids=["cached", "over-budget"])
@pytest.mark.parametrize("sort", [None, "amount", "asset", "at", "customer_ref", "day"])
@pytest.mark.parametrize("desc", [False, True])
def test_every_page_is_the_page_read_page_gives(
    tmp_path: Path, budget: int, sort: str | None, desc: bool
) -> None:
    path = _file(tmp_path)
    pages = ExceptionPages(budget)
    key = (str(path), "any")
    assert pages.count(key, path) == ROWS
    seen: list[tuple[Any, ...]] = []
    for page in range(1, ROWS // 50 + 3):  # one page past the end is empty in both
        got = pages.page(key, path, page, 50, order_by=sort, descending=desc)
        expected = read_page(path, page, 50, order_by=sort, descending=desc)
        assert repr(got) == repr(expected), page  # repr: NaN equals NaN, types compared
        seen += got[1]
    assert len(seen) == ROWS
    if sort == "amount":  # nulls last in both directions, ties in file order
        assert [r[2] for r in seen[-2:]] == [None, None]


def test_an_unknown_column_is_refused(tmp_path: Path) -> None:
    path = _file(tmp_path)
    with pytest.raises(KansaError, match="No column 'nope'"):
        ExceptionPages(1 << 30).page(("k",), path, 1, 50, order_by="nope")


def test_the_least_recently_used_file_leaves_the_cache_first(tmp_path: Path) -> None:
    one = _file(tmp_path)
    other = tmp_path / "y.parquet"
    other.write_bytes(one.read_bytes())
    size = pq.read_table(one).nbytes
    pages = ExceptionPages(int(size * 1.5))
    pages.page(("one",), one, 1, 50)
    pages.page(("other",), other, 1, 50)
    assert list(pages._files) == [("other",)]


def test_a_file_changed_after_it_was_cached_is_refused(demo: Workspace, tmp_path: Path) -> None:
    """Same size, same modification time: the change is still seen (the inode's change
    time moves), the file is hashed again and refused."""
    auditor, _ = signed_in(demo, "omar", "auditor")
    control_id, _ = a_failing_control(demo)
    with Database(demo.database_url) as db, db.session() as s:
        r = s.scalars(select(ControlResult).where(ControlResult.control_id == control_id)).first()
    assert r is not None and r.exceptions_file
    path = demo.vault_dir / r.exceptions_file
    url = f"/api/controls/{control_id}/exceptions?run={r.run_id}"
    assert auditor.get(url).status_code == 200
    assert auditor.get(url + "&sort=" + pq.read_schema(path).names[0]).status_code == 200
    original, st = path.read_bytes(), path.stat()
    try:
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 0xFF
        path.write_bytes(bytes(changed))
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
        assert auditor.get(url).status_code == 409
    finally:
        path.write_bytes(original)
    assert auditor.get(url).status_code == 200


def test_the_explorers_duckdb_memory_is_capped() -> None:
    from kansa.web import exception_pages

    cursor = exception_pages._DUCKDB.cursor()
    (limit,) = cursor.sql("SELECT current_setting('memory_limit')").fetchall()
    assert exception_pages.MEMORY_LIMIT == "1GB" and limit == ("953.6 MiB",)  # 10^9 bytes

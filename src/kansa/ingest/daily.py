"""Writing an accepted file of a dated dataset as one Parquet part per business day.

One DuckDB pass (``COPY ... PARTITION_BY``) splits the typed rows by their business day (the
``business_date`` column; for a timestamp, its calendar day in the workspace's time zone) into
``DAY/data_0.parquet`` files in the staging folder; the day column used for the split is not
written (the rows keep their own columns, exactly the contract's).

``declared`` days (``kansa ingest --day``) say which days the file covers: a row of another
day is an error, and a declared day with no row is stored as an empty part (a day with no
withdrawals is a day that was loaded, not a gap).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from kansa.contracts import Contract
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.ingest import engine
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.ingest.progress import Reporter
from kansa.vault.days import StagedDay

DAY = "__kansa_day"


def _piece_number(path: Path) -> int:
    """DuckDB numbers a partition's files in the order it wrote them (``data_0``, ``data_1``)."""
    digits = "".join(ch for ch in path.stem.rsplit("_", 1)[-1] if ch.isdigit())
    return int(digits or 0)


def _split(
    folder: Path, con: duckdb.DuckDBPyConnection | None = None, meta: str = ""
) -> dict[dt.date, StagedDay]:
    """One staged file per day. DuckDB keeps at most 100 partition files open
    (``partitioned_write_max_open_files``): a file of more days (a year of balances) can have a
    day written in several pieces, which are joined here in the order written."""
    out: dict[dt.date, StagedDay] = {}
    for sub in sorted(folder.glob(f"{DAY}=*")):
        day = dt.date.fromisoformat(sub.name.split("=", 1)[1])
        files = sorted(sub.glob("*.parquet"), key=_piece_number)
        if len(files) > 1 and con is not None:
            joined = sub / "day.parquet.joined"
            listed = ", ".join(quote_literal(str(f)) for f in files)
            options = f"FORMAT parquet, COMPRESSION zstd{', ' + meta if meta else ''}"
            con.execute(
                # hive_partitioning = false: the DAY=... folder must not come back as a column
                f"COPY (SELECT * FROM read_parquet([{listed}], hive_partitioning = false)) "
                f"TO {quote_literal(str(joined))} "
                f"({options})"
            )
            for f in files:
                f.unlink()
            files = [joined.rename(sub / "data_0.parquet")]
        if len(files) != 1:
            raise KansaError(f"internal: {len(files)} files for day {day} in {sub}")
        out[day] = StagedDay(day, files[0], pq.read_metadata(files[0]).num_rows)
    return out


def _undeclared(dataset: str, extra: list[dt.date], declared: Collection[dt.date]) -> None:
    days = ", ".join(d.isoformat() for d in extra[:5])
    raise KansaError(
        tr(
            f"{dataset}: the file has rows dated {days}, outside the declared day(s) "
            f"{', '.join(sorted(d.isoformat() for d in declared))}; nothing was ingested.",
            f"{dataset}: 指定した日（{', '.join(sorted(d.isoformat() for d in declared))}）"
            f"以外の日付 {days} の行があります。取り込みは行っていません。",
        )
    )


def _empty_day(con: duckdb.DuckDBPyConnection, select: str, dest: Path, day: dt.date) -> StagedDay:
    dest.parent.mkdir(parents=True, exist_ok=True)
    con.execute(
        f"COPY (SELECT * FROM ({select}) LIMIT 0) TO {quote_literal(str(dest))} "
        "(FORMAT parquet, COMPRESSION zstd)"
    )
    return StagedDay(day, dest, 0)


def write_days(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    select: str,
    zone: str,
    staging: Path,
    declared: Collection[dt.date] | None,
    reporter: Reporter,
) -> dict[dt.date, StagedDay]:
    """Split the typed rows ``select`` by business day into staging; see the module docstring."""
    assert contract.business_date is not None
    folder = staging / "days"
    day = contract.day_sql(quote_ident(contract.business_date), zone)
    meta = (
        f"KV_METADATA {{'kansa.contract': {quote_literal(contract.name)}, "
        f"'kansa.contract_version': {quote_literal(contract.version_id)}}}"
    )
    reporter.stage(tr("Writing the days", "日ごとに書き込み中"))
    engine.run(
        con,
        f"COPY (SELECT *, {day} AS {DAY} FROM ({select})) TO {quote_literal(str(folder))} "
        f"(FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({DAY}), {meta})",
        reporter,
    )
    days = _split(folder, con, meta)
    if declared is not None:
        extra = sorted(set(days) - set(declared))
        if extra:
            _undeclared(contract.name, extra, declared)
        for d in sorted(set(declared) - set(days)):
            days[d] = _empty_day(con, select, folder / f"empty-{d.isoformat()}.parquet", d)
    if not days:
        raise KansaError(
            tr(
                f"{contract.name}: the file has no rows, so it covers no day; nothing was "
                "ingested.",
                f"{contract.name}: 行がないため、どの日も含みません。取り込みは行っていません。",
            ),
            hint=tr(
                "A day with no records is loaded with --day YYYY-MM-DD.",
                "記録のない日は --day YYYY-MM-DD を付けて取り込みます。",
            ),
        )
    return dict(sorted(days.items()))

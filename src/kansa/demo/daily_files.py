"""Cut the demo's dated datasets into one file per business day, as an exchange exports them.

An exchange sends its balances, withdrawals and logs a day at a time; the demo is loaded the
same way (issue 9), so that every demo run exercises the daily path: one ingest per dataset
and day, each adding that day. Files are written beside the generated ones, under
``daily/DATASET/DATASET_YYYY-MM-DD.EXT``, split by the business day of the workspace's time
zone (the same expression the ingest uses). Every day of the demo period gets a file, even a
day without records (it is then loaded as an empty day, not left as a gap).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from kansa.contracts import Contract, get_contract

DAY = "__kansa_day"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _reader(path: Path, fmt: str) -> str:
    if fmt == "parquet":
        return f"read_parquet({_quote(str(path))})"
    return f"read_csv({_quote(str(path))}, header = true, all_varchar = true)"


def _day_sql(contract: Contract, zone: str, fmt: str) -> str:
    assert contract.business_date is not None
    column = '"' + contract.business_date + '"'
    if fmt == "csv":  # text: read it as the ingest would before taking its day
        kind = "DATE" if contract.column(contract.business_date).type == "date" else "TIMESTAMPTZ"
        column = f"CAST({column} AS {kind})"
    return contract.day_sql(column, zone)


def _write_order(path: Path) -> int:
    """DuckDB numbers a partition's files in the order it wrote them (``data_0``, ``data_1``)."""
    digits = "".join(ch for ch in path.stem.rsplit("_", 1)[-1] if ch.isdigit())
    return int(digits or 0)


def _one_file(
    con: duckdb.DuckDBPyConnection, parts: list[Path], target: Path, fmt: str, options: str
) -> None:
    """A day's rows as one file. DuckDB keeps at most ``partitioned_write_max_open_files``
    (100) partitions open, so a period of more days (a year: 365) gets a day written in
    several pieces: they are joined in the order written (insertion order is preserved)."""
    if len(parts) == 1:
        parts[0].rename(target)
        return
    listed = ", ".join(_quote(str(p)) for p in parts)
    # the pieces sit in DAY=... folders: without hive_partitioning = false DuckDB would add
    # that folder name back as a column, and ingest refuses the file (seen at 1M x 365)
    reader = (
        f"read_parquet([{listed}], hive_partitioning = false)"
        if fmt == "parquet"
        else f"read_csv([{listed}], header = true, all_varchar = true, hive_partitioning = false)"
    )
    con.execute(f"COPY (SELECT * FROM {reader}) TO {_quote(str(target))} ({options})")


def split_by_day(
    source: Path,
    dataset: str,
    fmt: str,
    zone: str,
    period: list[dt.date],
    out: Path,
    memory_limit: str = "2GB",
) -> dict[dt.date, Path]:
    """One file per day of ``dataset`` (every day of ``period`` and any other day with rows).

    DuckDB is capped at ``memory_limit`` (the workspace's) and spills into a folder beside the
    output: a year of balances for a million customers (420 M rows, 365 partitions) would
    otherwise take DuckDB's default of 80 % of the machine's memory."""
    contract = get_contract(dataset)
    folder = out / dataset
    shutil.rmtree(folder, ignore_errors=True)
    staging = out / f".{dataset}-split"
    shutil.rmtree(staging, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    spill = out / f".{dataset}-spill"
    spill.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(config={"memory_limit": memory_limit, "temp_directory": str(spill)})
    try:
        con.execute("SET TimeZone = 'UTC'")
        options = (
            "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true"
        )
        con.execute(
            f"COPY (SELECT *, {_day_sql(contract, zone, fmt)} AS {DAY} FROM {_reader(source, fmt)}) "
            f"TO {_quote(str(staging))} ({options}, PARTITION_BY ({DAY}))"
        )
        folder.mkdir(parents=True)
        files: dict[dt.date, Path] = {}
        for sub in sorted(staging.glob(f"{DAY}=*")):
            day = dt.date.fromisoformat(sub.name.split("=", 1)[1])
            files[day] = folder / f"{dataset}_{day.isoformat()}.{fmt}"
            _one_file(con, sorted(sub.iterdir(), key=_write_order), files[day], fmt, options)
        for day in period:
            if day not in files:
                files[day] = folder / f"{dataset}_{day.isoformat()}.{fmt}"
                con.execute(
                    f"COPY (SELECT * FROM {_reader(source, fmt)} LIMIT 0) "
                    f"TO {_quote(str(files[day]))} ({options})"
                )
    finally:
        con.close()
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(spill, ignore_errors=True)
    return dict(sorted(files.items()))


def merge_files(files: list[Path], fmt: str) -> Path:
    """One file holding the rows of ``files`` (day files of one dataset), beside them, named
    ``DATASET_history.EXT``; the day files are removed."""
    target = files[0].parent / (files[0].stem.rsplit("_", 1)[0] + f"_history.{fmt}")
    readers = ", ".join(_quote(str(f)) for f in files)
    if fmt == "parquet":
        source, options = f"read_parquet([{readers}])", "FORMAT parquet, COMPRESSION zstd"
    else:
        source = f"read_csv([{readers}], header = true, all_varchar = true)"
        options = "FORMAT csv, HEADER true"
    con = duckdb.connect()
    try:
        con.execute(f"COPY (SELECT * FROM {source}) TO {_quote(str(target))} ({options})")
    finally:
        con.close()
    for f in files:
        f.unlink()
    return target

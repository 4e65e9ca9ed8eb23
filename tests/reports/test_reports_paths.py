"""A report is written wherever the workspace lives, whatever its folder is called."""

from __future__ import annotations

from pathlib import Path

from helpers_reports import kansa


def test_report_of_a_workspace_whose_path_has_an_apostrophe(tmp_path: Path) -> None:
    ws = tmp_path / "o'brien" / "ws"
    kansa("demo", "--customers", "200", "--days", "7", "--seed", "5", "--workspace-dir", str(ws))
    kansa("-w", str(ws), "run")
    for fmt in ("html", "xlsx"):
        out = ws / "out" / f"r.{fmt}"
        kansa("-w", str(ws), "report", "--format", fmt, "-o", str(out))
        assert out.stat().st_size > 0


def test_sample_rows_show_times_in_utc_whatever_the_machine_zone(tmp_path: Path) -> None:
    """HTML/PDF samples state evidence times in UTC, like the XLSX report and the engine."""
    import subprocess
    import sys

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = tmp_path / "rows.parquet"
    at = pa.array([0], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"event_time": at}), rows)
    code = f"from pathlib import Path; from kansa.reports.data import _sample; print(_sample(Path({str(rows)!r}))[1][0][0])"
    env = {"TZ": "Asia/Tokyo", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1970-01-01 00:00:00+00:00", out.stderr

"""Benchmark: ingest throughput (rows/s, MB/s) and peak memory against the file size.

A withdrawals CSV (the real contract: 11 columns, wei-sized amounts, ISO 8601 timestamps, a
SHA-256 column with a pattern, a primary key) is generated with DuckDB at each size; each
ingest runs in a fresh process so that its peak RSS is its own. Printed side by side with a
baseline, DuckDB's plain ``read_csv -> Parquet`` copy of the same file (no checks, no
line tracking, no vault): the ratio is what validation and all-or-nothing cost.

    .venv/bin/python bench/bench_ingest.py                       # 0.1 GB and 1 GB
    .venv/bin/python bench/bench_ingest.py --sizes-gb 0.1,1,5    # the 5 GB run (needs ~10 GB disk)
    .venv/bin/python bench/bench_ingest.py --memory-limit 1GB    # the workspace's DuckDB cap
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BYTES_PER_ROW = 203  # measured for the generator below; used only to size the file

GENERATE = """
COPY (
  SELECT
    'W' || lpad(i::VARCHAR, 10, '0') AS withdrawal_id,
    CASE WHEN i % 50 = 0 THEN 'internal' ELSE 'customer' END AS kind,
    CASE WHEN i % 50 = 0 THEN NULL ELSE 'C' || (i % 1000003)::VARCHAR END AS customer_id,
    'WAL-' || (i % 40)::VARCHAR AS wallet_id,
    ['BTC', 'ETH', 'XRP', 'SOL'][1 + i % 4] AS asset,
    '0x' || substr(md5(i::VARCHAR) || md5((i + 1)::VARCHAR), 1, 40) AS destination_address,
    ((i * 7919) % 1000000)::HUGEINT * 1000000000000000000::HUGEINT AS amount,
    CASE WHEN i % 50 = 0 THEN 'ACC-' || (i % 97)::VARCHAR ELSE NULL END AS requested_by,
    strftime(TIMESTAMP '2026-11-01' + INTERVAL (i % 2592000) SECOND, '%Y-%m-%dT%H:%M:%SZ')
      AS requested_at,
    sha256(i::VARCHAR) AS request_payload_hash,
    ['requested', 'approved', 'signed', 'broadcast'][1 + i % 4] AS status
  FROM range({rows}) t(i)
) TO '{path}' (FORMAT csv, HEADER true)
"""

CHILD = """
import json, sys, time
from pathlib import Path
from kansa.workspace import find_workspace
from kansa.ingest import ingest_file
ws = find_workspace(Path(sys.argv[1]))
t = time.perf_counter()
snap = ingest_file(ws, "withdrawals", sys.argv[2], progress=False)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": snap.rows,
                  "snapshot_bytes": sum(p.stat().st_size for p, _ in snap.files)}))
"""

BASELINE = """
import json, sys, time, duckdb
con = duckdb.connect(config={"memory_limit": sys.argv[3]})
t = time.perf_counter()
con.execute(f"COPY (SELECT * FROM read_csv('{sys.argv[1]}', all_varchar=true)) "
            f"TO '{sys.argv[2]}' (FORMAT parquet, COMPRESSION zstd)")
print(json.dumps({"seconds": time.perf_counter() - t}))
"""


def measured(cmd: list[str]) -> tuple[dict[str, float], float]:
    """Run ``cmd``; return its JSON output and its peak RSS in MB (Linux ru_maxrss is KB)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]} failed: {err[-2000:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def generate(path: Path, size_gb: float) -> int:
    import duckdb

    rows = int(size_gb * 1e9 / BYTES_PER_ROW)
    duckdb.connect().execute(GENERATE.format(rows=rows, path=path))
    return rows


def run(size_gb: float, memory_limit: str, folder: Path) -> dict[str, float]:
    from kansa.workspace import create_workspace

    csv = folder / f"withdrawals-{size_gb}gb.csv"
    rows = generate(csv, size_gb)
    ws = create_workspace(folder / f"ws-{size_gb}")
    cfg = ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8").replace(
        'memory_limit = "2GB"', f'memory_limit = "{memory_limit}"'
    )
    cfg.write_text(text, encoding="utf-8")
    ingest, rss = measured([sys.executable, "-c", CHILD, str(ws.root), str(csv)])
    assert int(ingest["rows"]) == rows
    base, base_rss = measured(
        [sys.executable, "-c", BASELINE, str(csv), str(folder / "baseline.parquet"), memory_limit]
    )
    size_mb = csv.stat().st_size / 1e6
    result = {
        "file_mb": size_mb,
        "rows": rows,
        "seconds": ingest["seconds"],
        "rows_per_s": rows / ingest["seconds"],
        "mb_per_s": size_mb / ingest["seconds"],
        "peak_rss_mb": rss,
        "rss_over_file": rss / size_mb,
        "baseline_seconds": base["seconds"],
        "baseline_rss_mb": base_rss,
        "ratio_vs_baseline": ingest["seconds"] / base["seconds"],
        "snapshot_mb": ingest["snapshot_bytes"] / 1e6,
    }
    for p in (csv, folder / "baseline.parquet"):
        p.unlink(missing_ok=True)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes-gb", default="0.1,1", help="comma-separated CSV sizes in GB")
    ap.add_argument("--memory-limit", default="2GB", help="workspace memory_limit for DuckDB")
    ap.add_argument("--dir", type=Path, default=None, help="scratch folder (default: a temp dir)")
    args = ap.parse_args()
    sizes = [float(s) for s in args.sizes_gb.split(",")]
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        print(
            f"{'file MB':>9} {'rows':>12} {'s':>8} {'rows/s':>11} {'MB/s':>7} {'peak RSS MB':>12} "
            f"{'RSS/file':>9} {'baseline s':>11} {'ratio':>6} {'snapshot MB':>12}"
        )
        for size in sizes:
            r = run(size, args.memory_limit, Path(tmp))
            print(
                f"{r['file_mb']:9.0f} {r['rows']:12,d} {r['seconds']:8.1f} {r['rows_per_s']:11,.0f} "
                f"{r['mb_per_s']:7.1f} {r['peak_rss_mb']:12.0f} {r['rss_over_file']:9.2f} "
                f"{r['baseline_seconds']:11.1f} {r['ratio_vs_baseline']:6.2f} {r['snapshot_mb']:12.0f}",
                flush=True,
            )
            print(json.dumps({"memory_limit": args.memory_limit, **r}), file=sys.stderr)


if __name__ == "__main__":
    time.perf_counter()
    main()

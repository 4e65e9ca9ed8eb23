"""Benchmark: what declarative mappings cost. The same withdrawals, once in the contract's own
form and once as an exchange writes them (Japanese headers and status words, ``2026/11/01
09:15:00`` JST, coin amounts with decimals and thousands separators), ingested in fresh
workspaces; the second through ``[mappings.withdrawals]`` (values, formats, amounts). The two
snapshots are then compared row by row: the mapping must give exactly the same values.

    .venv/bin/python bench/bench_mapping.py              # 1,000,000 rows
    .venv/bin/python bench/bench_mapping.py --rows 100000
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROWS = """
SELECT i,
  CASE WHEN i % 10 = 0 THEN 'internal' ELSE 'customer' END AS kind,
  CASE WHEN i % 10 = 0 THEN NULL ELSE 'C' || (i % 50000) END AS customer_id,
  ['BTC', 'ETH', 'USDC'][1 + i % 3] AS asset,
  (i * 7919) % 100000000000 AS units,
  TIMESTAMP '2026-11-01' + INTERVAL (i % 2592000) SECOND AS ts,
  sha256(CAST(i AS VARCHAR)) AS hash
FROM range({n}) t(i)
"""

DECIMALS = "CASE asset WHEN 'BTC' THEN 8 WHEN 'ETH' THEN 18 ELSE 6 END"

CANONICAL = """
COPY (SELECT 'W' || i AS withdrawal_id, kind, customer_id, 'W-HOT-01' AS wallet_id, asset,
  'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' AS destination_address,
  CAST(units AS HUGEINT) * CAST(pow(10, {decimals} - 4) AS HUGEINT)
    AS amount,
  CASE WHEN kind = 'internal' THEN 'A-1' END AS requested_by,
  strftime(ts - INTERVAL 9 HOUR, '%Y-%m-%dT%H:%M:%SZ') AS requested_at,
  hash AS request_payload_hash, 'broadcast' AS status FROM ({rows})) TO '{out}' (HEADER)
"""

EXCHANGE = """
COPY (SELECT 'W' || i AS "出金ID", CASE kind WHEN 'internal' THEN '社内' ELSE '顧客' END AS "出金区分",
  customer_id AS "顧客番号", 'W-HOT-01' AS "出金元ウォレット", asset AS "通貨",
  'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq' AS "送付先アドレス",
  format('{{:,}}', units // 10000) || '.' || lpad(CAST(units % 10000 AS VARCHAR), 4, '0')
    AS "出金数量",
  CASE WHEN kind = 'internal' THEN 'A-1' END AS "依頼者",
  strftime(ts, '%Y/%m/%d %H:%M:%S') AS "依頼日時", hash AS "依頼内容ハッシュ",
  '送金済' AS "ステータス" FROM ({rows})) TO '{out}' (HEADER)
"""

MAPPING = """
[mappings.withdrawals]
timezone = "Asia/Tokyo"
rename = { "出金ID" = "withdrawal_id", "出金区分" = "kind", "顧客番号" = "customer_id", \
"出金元ウォレット" = "wallet_id", "通貨" = "asset", "送付先アドレス" = "destination_address", \
"出金数量" = "amount", "依頼者" = "requested_by", "依頼日時" = "requested_at", \
"依頼内容ハッシュ" = "request_payload_hash", "ステータス" = "status" }
formats = { requested_at = ["%Y/%m/%d %H:%M:%S"] }
amounts = { amount = { asset_column = "asset" } }
values.kind = { "顧客" = "customer", "社内" = "internal" }
values.status = { "送金済" = "broadcast" }
"""


def ingest(root: Path, csv: Path) -> float:
    kansa = [sys.executable, "-c", "from kansa.cli.app import main; main()"]
    subprocess.run([*kansa, "init", str(root)], check=True, capture_output=True)
    if "exchange" in csv.name:
        with (root / "kansa.toml").open("a", encoding="utf-8") as f:
            f.write(MAPPING)
    start = time.perf_counter()
    subprocess.run(
        [*kansa, "-w", str(root), "ingest", "withdrawals", str(csv), "--no-progress"],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    n = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        rows = ROWS.format(n=n)
        con = duckdb.connect()
        con.execute(CANONICAL.format(rows=rows, decimals=DECIMALS, out=t / "canonical.csv"))
        con.execute(EXCHANGE.format(rows=rows, out=t / "exchange.csv"))
        plain = ingest(t / "a", t / "canonical.csv")
        mapped = ingest(t / "b", t / "exchange.csv")
        snaps = [
            next((t / w / "vault" / "snapshots" / "withdrawals").glob("*.parquet")) for w in "ab"
        ]
        differ = con.execute(
            f"SELECT count(*) FROM read_parquet('{snaps[0]}') a "
            f"FULL JOIN read_parquet('{snaps[1]}') b USING (withdrawal_id) "
            "WHERE a.amount IS DISTINCT FROM b.amount OR a.requested_at IS DISTINCT FROM "
            "b.requested_at OR a.kind IS DISTINCT FROM b.kind OR a.status IS DISTINCT FROM b.status"
        ).fetchone()
        assert differ == (0,), f"{differ} rows differ between the two snapshots"
    print(
        f"{n:,} withdrawals: contract form {plain:.1f} s; exchange form, mapped {mapped:.1f} s "
        f"({mapped / plain:.2f}x)"
    )


if __name__ == "__main__":
    main()

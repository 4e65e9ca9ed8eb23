"""Benchmark: proof-of-reserves tree build (and optionally the bulk proof export) at scale.

Generates one day of ``customer_balances`` with DuckDB (deterministic: balances from DuckDB's
``hash()``; every customer holds at least one asset; ETH amounts exceed 64 bits like wei),
commits it to a throw-away workspace, then times each phase of ``kansa reserves build`` and
puts the result beside this machine's SHA-256 limit measured with ``openssl speed``.

    .venv/bin/python bench/bench_reserves.py --customers 10000000 --assets 8
    .venv/bin/python bench/bench_reserves.py --customers 1000000 --export
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import re
import resource
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import duckdb

from kansa.reserves import levels as lv
from kansa.reserves.artifact import commit_tree, find_tree
from kansa.reserves.export import export_proofs
from kansa.reserves.parallel import default_workers
from kansa.reserves.proofs import TreeArtifact
from kansa.reserves.source import connect, read_customer_rows
from kansa.reserves.tree import TreeInput, build_tree
from kansa.reserves.verify import verify_proof
from kansa.vault import Vault
from kansa.workspace import create_workspace

AS_OF = dt.date(2026, 11, 20)
SYMBOLS = ["ADA", "BTC", "DOGE", "ETH", "LTC", "SOL", "USDT", "XRP", "AVAX", "DOT", "TRX", "XLM"]


def generate(path: Path, customers: int, assets: int, density: int) -> int:
    symbols = ", ".join(f"('{s}', {i})" for i, s in enumerate(SYMBOLS[:assets]))
    con = duckdb.connect()
    con.execute(
        f"""
        COPY (
          SELECT DATE '{AS_OF}' AS as_of, printf('C%010d', c) AS customer_id, a.asset,
                 (CASE WHEN a.asset = 'ETH' THEN hash(c, a.asset)::HUGEINT * 1000
                       ELSE hash(c, a.asset) % 100000000000 END)::DECIMAL(38,0) AS balance
          FROM range({customers}) t(c) CROSS JOIN (VALUES {symbols}) a(asset, k)
          WHERE hash(c, a.asset, 'held') % 100 < {density} OR a.k = c % {assets}
        ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
        """
    )
    row = con.execute(f"SELECT count(*) FROM read_parquet('{path}')").fetchall()[0]
    con.close()
    return int(row[0])


def blocks(length: int) -> int:
    """SHA-256 compression blocks for a message of ``length`` bytes (FIPS 180-4 padding)."""
    return (length + 9 + 63) // 64


def tree_blocks(customers: int, assets: int, id_length: int) -> int:
    record = lv.record_size(assets)
    inner = sum(lv.level_length(customers, k) for k in range(1, lv.height(customers) + 1))
    return (
        customers * blocks(id_length)
        + customers * blocks(1 + 16 + 32 + 16 * assets)
        + inner * blocks(1 + 2 * record)
    )


def openssl_blocks_per_second() -> tuple[float, float]:
    """(blocks/s hashing 16 KiB messages, 64-byte messages/s) on one core."""
    out = {}
    for size in (16384, 64):
        text = subprocess.run(
            ["openssl", "speed", "-seconds", "2", "-bytes", str(size), "sha256"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        line = next(ln for ln in text.splitlines() if ln.startswith("sha256"))
        kbytes = float(re.findall(r"([\d.]+)k", line)[-1])
        out[size] = kbytes * 1000
    return out[16384] / 64, out[64] / 64


class Phase:
    """Wall and CPU seconds (this process and its finished workers) of one phase."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        t = os.times()
        self.cpu = t.user + t.system + t.children_user + t.children_system

    def done(self) -> tuple[float, float]:
        t = os.times()
        cpu = t.user + t.system + t.children_user + t.children_system
        return time.perf_counter() - self.wall, cpu - self.cpu


def straightforward_root(id_hashes: list[bytes], balances: list[list[int]]) -> bytes:
    """The baseline: the format written plainly (Python ints, one hashlib call per node)."""
    h = hashlib.sha256

    def enc(values: list[int]) -> bytes:
        return b"".join(v.to_bytes(16, "big") for v in values)

    level = sorted(
        (h(b"\x00" + secrets.token_bytes(16) + idh + enc(bal)).digest(), bal)
        for idh, bal in zip(id_hashes, balances, strict=True)
    )
    zero = (b"\x00" * 32, [0] * len(balances[0]))
    while len(level) > 1:
        if len(level) % 2:
            level.append(zero)
        level = [
            (
                h(b"\x01" + a[0] + enc(a[1]) + b[0] + enc(b[1])).digest(),
                [x + y for x, y in zip(a[1], b[1], strict=True)],
            )
            for a, b in zip(level[0::2], level[1::2], strict=True)
        ]
    return level[0][0]


def peak_rss_mib() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--assets", type=int, default=8)
    ap.add_argument("--density", type=int, default=40, help="%% chance a customer holds an asset")
    ap.add_argument("--workers", type=int, default=default_workers())
    ap.add_argument("--export", action="store_true", help="also export every proof")
    ap.add_argument(
        "--baseline", type=int, default=1_000_000, help="customers for the plain-Python baseline"
    )
    ap.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp dir)")
    args = ap.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="kansa-bench-reserves-"))
    ws = create_workspace(work / "ws", name="bench")
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir() / "customer_balances.parquet"
    t = time.perf_counter()
    rows = generate(staged, args.customers, args.assets, args.density)
    print(
        f"generated {rows:,} rows for {args.customers:,} customers in {time.perf_counter() - t:.1f} s"
    )
    snap = vault.commit_snapshot("customer_balances", staged, {"rows": rows})

    load_before = os.getloadavg()[0]
    phases: dict[str, tuple[float, float]] = {}
    total = Phase()
    phase = Phase()
    con = connect("2GB", vault.staging_dir())
    data = read_customer_rows(con, snap.path, AS_OF)
    con.close()
    phases["read + pivot + H(id) (DuckDB)"] = phase.done()
    phase = Phase()
    built = build_tree(data.tree_input, workers=args.workers)
    phases["tree: leaves, sort, levels"] = phase.done()
    phase = Phase()
    payload = commit_tree(
        vault,
        built,
        data.tree_input,
        data.customer_ids,
        workers=args.workers,
        as_of=AS_OF,
        source=snap,
        seeded=False,
    )
    phases["artifact write + commit"] = phase.done()
    phases["total build"] = total.done()
    me, kids = peak_rss_mib()

    n = data.tree_input.size
    need = tree_blocks(n, args.assets, len("C0000000000"))
    big, small = openssl_blocks_per_second()
    floor_1 = need / big
    print(
        f"\ncustomers {n:,} x assets {args.assets}, workers {args.workers}, "
        f"load average {load_before:.1f} before / {os.getloadavg()[0]:.1f} after"
    )
    print(f"  {'phase':<34} {'wall s':>7} {'cpu s':>7}")
    for name, (wall, cpu) in phases.items():
        print(f"  {name:<34} {wall:7.2f} {cpu:7.2f}")
    wall_total = phases["total build"][0]
    print(f"  {n / wall_total:,.0f} customers/s")
    print(f"  peak RSS parent {me:,.0f} MiB, largest worker {kids:,.0f} MiB")
    print(f"\nSHA-256 blocks the tree needs: {need:,} ({need / n:.1f} per customer)")
    print(f"openssl speed, one core: {big:,.0f} blocks/s (16 KiB msgs), {small:,.0f} (64 B msgs)")
    print(f"hashing floor: {floor_1:.2f} s on one core, {floor_1 / 2:.2f} s on two")
    _, tree_cpu = phases["tree: leaves, sort, levels"]
    print(
        f"build wall / floor(2 cores): {wall_total / (floor_1 / 2):.1f}x; "
        f"tree cpu / floor(1 core): {tree_cpu / floor_1:.1f}x"
    )

    m = min(args.baseline, n)
    if m:
        ids = [bytes(r) for r in data.tree_input.id_hashes[:m]]
        bals = [
            [int.from_bytes(bytes(r[k : k + 16]), "big") for k in range(0, 16 * args.assets, 16)]
            for r in data.tree_input.balances[:m]
        ]
        phase = Phase()
        straightforward_root(ids, bals)
        base_wall, base_cpu = phase.done()
        sub = TreeInput(
            data.tree_input.assets, data.tree_input.id_hashes[:m], data.tree_input.balances[:m]
        )
        phase = Phase()
        build_tree(sub, workers=args.workers)
        ours_wall, ours_cpu = phase.done()
        print(
            f"\nbaseline, plain Python (one process), {m:,} customers: {base_wall:.2f} s wall; "
            f"kansa tree phase: {ours_wall:.2f} s wall, {ours_cpu:.2f} s cpu; "
            f"ratio {base_wall / ours_wall:.1f}x wall, {base_cpu / ours_cpu:.1f}x cpu"
        )

    art = TreeArtifact(find_tree(vault, AS_OF).manifest)
    leaf_bytes = sum(p.stat().st_size for p in (art.folder / "leaves").iterdir())
    print(
        f"\nartifact: leaves {leaf_bytes / 2**20:,.0f} MiB in {len(art.leaf_files)} files, "
        f"ids.bin {(art.folder / 'ids.bin').stat().st_size / 2**20:,.0f} MiB, "
        f"nodes.bin {(art.folder / 'nodes.bin').stat().st_size / 2**20:,.0f} MiB"
    )
    times = []
    for k in (3, 5):
        t = time.perf_counter()
        proof = art.proof(data.customer_ids[n // k].as_py())
        times.append(time.perf_counter() - t)
        assert verify_proof(proof, payload["root"]["hash"]).ok
    t = time.perf_counter()
    verify_proof(proof, payload["root"]["hash"])
    check = time.perf_counter() - t
    print(
        f"\none proof (lookup + block recompute + check against the stored node): "
        f"{times[0] * 1000:.0f} ms first in the process, {times[1] * 1000:.0f} ms after; "
        f"verify {check * 1000:.1f} ms"
    )

    if args.export:
        out = work / "proofs"
        phase = Phase()
        index = export_proofs(art.folder / "tree.json", out, workers=args.workers)
        secs, cpu = phase.done()
        size = sum(p.stat().st_size for p in out.iterdir())
        print(
            f"bulk export: {index['proofs']:,} proofs, {size / 2**30:.2f} GiB in {secs:.1f} s "
            f"wall, {cpu:.1f} s cpu ({index['proofs'] / secs:,.0f} proofs/s)"
        )
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

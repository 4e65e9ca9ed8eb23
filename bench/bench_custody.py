"""Descriptor derivation speed: Kansa's parser (coincurve) beside embit, same descriptors.

Run: .venv/bin/python bench/bench_custody.py [--addresses N]
Prints seconds and addresses per second for each, and the ratio, plus one full gap-limit scan
(what KEY-003 does for a wallet whose declared address is not at its declared index).
"""

from __future__ import annotations

import argparse
import hashlib
import time

from embit import bip32
from embit.descriptor import Descriptor as EmbitDescriptor
from embit.networks import NETWORKS

from kansa.custody import parse_descriptor
from kansa.custody.address_search import AddressFinder
from kansa.custody.networks import MAINNET


def _descriptor(m: int, n: int) -> str:
    keys = []
    for i in range(n):
        root = bip32.HDKey.from_seed(hashlib.sha256(f"bench:{i}".encode()).digest())
        account = root.derive("m/48h/0h/0h/2h").to_public().to_base58()
        keys.append(f"[{root.my_fingerprint.hex()}/48h/0h/0h/2h]{account}/<0;1>/*")
    return f"wsh(sortedmulti({m},{','.join(keys)}))"


def _ours(text: str, count: int) -> tuple[float, str]:
    start = time.perf_counter()
    d = parse_descriptor(text)
    last = ""
    for i in range(count):
        last = d.expand(i, 0, MAINNET).address or ""
    return time.perf_counter() - start, last


def _embit(text: str, count: int) -> tuple[float, str]:
    start = time.perf_counter()
    d = EmbitDescriptor.from_string(text)
    last = ""
    for i in range(count):
        last = d.derive(i, branch_index=0).script_pubkey().address(NETWORKS["main"])
    return time.perf_counter() - start, last


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--addresses", type=int, default=2000)
    args = parser.parse_args()
    print(
        f"{'policy':<10} {'addresses':>9} {'kansa s':>9} {'embit s':>9} {'kansa/s':>9} {'embit/s':>9} {'ratio':>6}"
    )
    for m, n in ((2, 3), (3, 5)):
        text = _descriptor(m, n)
        ours_s, ours_last = _ours(text, args.addresses)
        theirs_s, theirs_last = _embit(text, args.addresses)
        assert ours_last == theirs_last, "implementations disagree"
        print(
            f"{m}-of-{n:<6} {args.addresses:>9} {ours_s:>9.3f} {theirs_s:>9.3f} "
            f"{args.addresses / ours_s:>9.0f} {args.addresses / theirs_s:>9.0f} "
            f"{theirs_s / ours_s:>5.2f}x"
        )
    finder = AddressFinder(parse_descriptor(_descriptor(3, 5)), MAINNET, 1000)
    start = time.perf_counter()
    assert finder.locate("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", None) is None
    print(f"gap-limit scan, 3-of-5, 1000 indices x 2 branches: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()

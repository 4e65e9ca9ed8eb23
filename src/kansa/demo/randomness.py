"""Named, independent random streams derived from one seed.

Each part of the demo draws from its own stream (``stream(seed, "customers")``), so adding a
draw in one part never shifts the numbers of another: the same seed gives byte-identical files
even as the generator grows.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np


def _entropy(seed: int, name: str) -> list[int]:
    digest = hashlib.sha256(f"kansa-demo:{seed}:{name}".encode()).digest()
    return [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4)]


def stream(seed: int, name: str) -> np.random.Generator:
    """A NumPy generator for one named part of the demo."""
    return np.random.default_rng(np.random.SeedSequence(_entropy(seed, name)))


def pystream(seed: int, name: str) -> random.Random:
    """A stdlib generator (for small, record-by-record tables)."""
    return random.Random(hashlib.sha256(f"kansa-demo:{seed}:{name}".encode()).digest())


def secret_bytes(seed: int, name: str, n: int = 32) -> bytes:
    """Deterministic bytes for demo key material (never real secrets: derived from the seed)."""
    out = b""
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(f"kansa-demo-key:{seed}:{name}:{counter}".encode()).digest()
        counter += 1
    return out[:n]

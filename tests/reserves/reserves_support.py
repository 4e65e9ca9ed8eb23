"""Helpers for the reserves tests: small datasets committed through the real vault API, and
an independent reference implementation of the proof format."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace

DAY = dt.date(2026, 11, 20)

_TYPES: dict[str, pa.DataType] = {
    "as_of": pa.date32(),
    "balance": pa.decimal128(38, 0),
}


def commit_rows(ws: Workspace, dataset: str, rows: Sequence[dict[str, Any]]) -> Snapshot:
    """Write ``rows`` as Parquet (contract column types) and commit them as a snapshot."""
    vault = Vault(ws.vault_dir)
    names = list(rows[0])
    table = pa.table({n: pa.array([r[n] for r in rows], _TYPES.get(n, pa.string())) for n in names})
    staged = vault.staging_dir() / f"{dataset}.parquet"
    pq.write_table(table, staged)
    return vault.commit_snapshot(dataset, staged, {"rows": table.num_rows})


def balance_rows(holdings: dict[str, dict[str, int]], day: dt.date = DAY) -> list[dict[str, Any]]:
    """customer -> {asset: balance} as customer_balances rows."""
    return [
        {"as_of": day, "customer_id": cid, "asset": asset, "balance": bal}
        for cid, assets in holdings.items()
        for asset, bal in assets.items()
    ]


class Reference:
    """A straightforward, independent implementation of the format, written from the spec
    (issue 4), to check the vectorised one against: plain lists, ints and hashlib."""

    @staticmethod
    def h(data: bytes) -> bytes:
        return hashlib.sha256(data).digest()

    @staticmethod
    def enc(values: Sequence[int]) -> bytes:
        return b"".join(v.to_bytes(16, "big") for v in values)

    @classmethod
    def leaf(cls, nonce: bytes, cid: str, balances: Sequence[int]) -> tuple[bytes, list[int]]:
        digest = cls.h(b"\x00" + nonce + cls.h(cid.encode("utf-8")) + cls.enc(balances))
        return digest, list(balances)

    @classmethod
    def parent(
        cls, left: tuple[bytes, list[int]], right: tuple[bytes, list[int]]
    ) -> tuple[bytes, list[int]]:
        digest = cls.h(b"\x01" + left[0] + cls.enc(left[1]) + right[0] + cls.enc(right[1]))
        return digest, [a + b for a, b in zip(left[1], right[1], strict=True)]

    @classmethod
    def root(cls, leaves: list[tuple[bytes, list[int]]]) -> tuple[bytes, list[int]]:
        level = sorted(leaves, key=lambda node: node[0])
        while len(level) > 1:
            if len(level) % 2:
                level = [*level, (b"\x00" * 32, [0] * len(level[0][1]))]
            level = [cls.parent(level[i], level[i + 1]) for i in range(0, len(level), 2)]
        return level[0]

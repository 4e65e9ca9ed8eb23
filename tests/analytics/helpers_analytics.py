"""Small workspaces with datasets committed through the real vault API (no fakes)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace


def commit_dataset(
    ws: Workspace, dataset: str, table: pa.Table, version: str = "1+test"
) -> Snapshot:
    """Write ``table`` as Parquet into staging and commit it as a snapshot of ``dataset``."""
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir() / f"{dataset}.parquet"
    pq.write_table(table, staged)
    return vault.commit_snapshot(
        dataset, staged, {"rows": table.num_rows, "contract_version": version}
    )


def amounts_table(amounts: Sequence[int], **extra: Sequence[Any]) -> pa.Table:
    """A table whose ``amount`` column is DECIMAL(38,0), like the contracts' amount type."""
    cols: dict[str, Any] = {"amount": pa.array(amounts, type=pa.decimal128(38, 0))}
    for name, values in extra.items():
        cols[name] = values
    return pa.table(cols)


def workspace_at(path: Path) -> Workspace:
    from kansa.workspace import create_workspace

    return create_workspace(path, name="analytics-test")

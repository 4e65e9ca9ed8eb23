"""Optional contract columns: a file (or an older snapshot) without one still loads, as NULL."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from ingest_testlib import _D, HEADER, PAYMENTS_YAML, good_row, rows_of, write_csv

from kansa.contracts import Contract, load_contracts
from kansa.contracts.loader import parse_contract
from kansa.contracts.schema import to_json_schema
from kansa.engine.snapshot_view import snapshot_select
from kansa.ingest import InvalidData, ingest_file
from kansa.workspace import Workspace

OPTIONAL_YAML = (
    PAYMENTS_YAML
    + f"  - {{name: channel, type: string, optional: true, allowed: [web, app], {_D}}}\n"
)


def _contract() -> Contract:
    return parse_contract(OPTIONAL_YAML, "test:t_payments")


def test_a_file_without_the_optional_column_loads_it_as_null(
    workspace: Workspace, tmp_path: Path
) -> None:
    snap = ingest_file(
        workspace, _contract(), write_csv(tmp_path / "old.csv", [good_row(1)]), progress=False
    )
    assert [r["channel"] for r in rows_of(snap)] == [None]


def test_a_present_optional_column_is_checked_like_any_other(
    workspace: Workspace, tmp_path: Path
) -> None:
    header = [*HEADER, "channel"]
    ok = write_csv(tmp_path / "ok.csv", [{**good_row(1), "channel": "app"}], header=header)
    assert [
        r["channel"] for r in rows_of(ingest_file(workspace, _contract(), ok, progress=False))
    ] == ["app"]
    bad = write_csv(tmp_path / "bad.csv", [{**good_row(2), "channel": "fax"}], header=header)
    with pytest.raises(InvalidData) as info:
        ingest_file(workspace, _contract(), bad, progress=False)
    assert [p.column for p in info.value.problems] == ["channel"]


def test_optional_means_nullable_and_not_required_in_the_json_schema() -> None:
    c = _contract()
    assert c.column("channel").nullable and c.column("channel").optional
    assert "channel" not in to_json_schema(c)["required"]
    assert "status" in to_json_schema(c)["required"]


def test_a_snapshot_older_than_the_column_reads_it_as_null(tmp_path: Path) -> None:
    # change_tickets gained change_type (issue 10): a snapshot written before has no such column
    contract = load_contracts()["change_tickets"]
    old = [c for c in contract.columns if c.name != "change_type"]
    con = duckdb.connect()
    cols = ", ".join(f"CAST(NULL AS {c.duckdb_type}) AS {c.name}" for c in old)
    path = tmp_path / "change_tickets.parquet"
    con.execute(
        f"COPY (SELECT 'T1' AS ticket_id, * EXCLUDE (ticket_id) FROM (SELECT {cols})) TO '{path}'"
    )
    select = snapshot_select(con, "change_tickets", path)
    assert con.execute(f"SELECT ticket_id, change_type FROM ({select})").fetchall() == [
        ("T1", None)
    ]
    typed = {r[0]: r[1] for r in con.execute(f"DESCRIBE {select}").fetchall()}
    assert typed["change_type"] == "VARCHAR"
    assert list(typed) == [c.name for c in old] + ["change_type"]

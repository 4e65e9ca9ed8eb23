"""The generated files: byte-identical per seed, and shaped exactly as their contracts say."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from kansa.contracts import get_contract, load_contracts
from kansa.demo import DemoParams, DemoResult, generate
from kansa.errors import KansaError

# Contracts the demo does not stage yet (issue 10 item 8: customer side and customers' yen)
TINY = DemoParams(customers=300, days=7, seed=11)


def _digests(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_files(tmp_path: Path) -> None:
    generate(TINY, tmp_path / "a")
    generate(TINY, tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a.keys() == b.keys() and len(a) == len(load_contracts()) + 1
    assert [n for n in a if a[n] != b[n]] == []


def test_another_seed_gives_another_exchange(tmp_path: Path) -> None:
    generate(TINY, tmp_path / "a")
    generate(DemoParams(customers=300, days=7, seed=12), tmp_path / "b")
    a, b = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert a["customer_balances.parquet"] != b["customer_balances.parquet"]
    assert a["wallets.parquet"] != b["wallets.parquet"]


def test_csv_output_has_the_contract_header(tmp_path: Path) -> None:
    result = generate(DemoParams(customers=300, days=7, seed=1, file_format="csv"), tmp_path)
    for name, path in result.files.items():
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert header == ",".join(f'"{c}"' for c in get_contract(name).column_names), name


@pytest.mark.parametrize("dataset", sorted(load_contracts()))
def test_file_conforms_to_its_contract(
    dataset: str, demo_result: DemoResult, db: duckdb.DuckDBPyConnection
) -> None:
    contract = get_contract(dataset)
    described = db.execute(f"DESCRIBE {dataset}").fetchall()
    got = [(name, kind) for name, kind, *_ in described]
    want = [
        (c.name, "TIMESTAMP WITH TIME ZONE" if c.type == "timestamp" else c.duckdb_type)
        for c in contract.columns
    ]
    assert got == want
    assert demo_result.rows[dataset] == db.execute(f"SELECT count(*) FROM {dataset}").fetchone()[0]  # type: ignore[index]
    # every dataset has rows (issue 10: the customer side, the yen and wallet_state too)
    if dataset != "sanctioned_addresses" or demo_result.rows[dataset]:
        assert demo_result.rows[dataset] > 0
    if contract.primary_key:
        key = ", ".join(contract.primary_key)
        dupes = db.execute(
            f"SELECT count(*) FROM (SELECT {key} FROM {dataset} GROUP BY ALL HAVING count(*) > 1)"
        ).fetchone()
        assert dupes == (0,)
    for col in contract.columns:
        if not col.nullable:
            nulls = db.execute(
                f"SELECT count(*) FROM {dataset} WHERE {col.name} IS NULL"
            ).fetchone()
            assert nulls == (0,), col.name
        if col.allowed:
            values = {
                v
                for (v,) in db.execute(
                    f"SELECT DISTINCT {col.name}::VARCHAR FROM {dataset}"
                ).fetchall()
            }
            assert values - {None} <= set(col.allowed), col.name
        if col.pattern:
            pattern = re.compile(col.pattern)
            for (v,) in db.execute(
                f"SELECT DISTINCT {col.name} FROM {dataset} LIMIT 5000"
            ).fetchall():
                assert v is None or pattern.match(v), (col.name, v)
        if col.type == "amount":
            negative = db.execute(f"SELECT count(*) FROM {dataset} WHERE {col.name} < 0").fetchone()
            assert negative == (0,)


def test_one_balance_row_per_customer_asset_and_day(db: duckdb.DuckDBPyConnection) -> None:
    days, per_day = db.execute(
        "SELECT count(DISTINCT as_of), count(*) / count(DISTINCT as_of) FROM customer_balances"
    ).fetchone() or (0, 0)
    assert days == 10 and 2000 < per_day < 2 * 2000


@pytest.mark.parametrize(
    "kwargs", [{"days": 3}, {"days": 366}, {"customers": 5}, {"file_format": "xlsx"}]
)
def test_bad_parameters_are_clear_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(KansaError):
        DemoParams(**kwargs)  # type: ignore[arg-type]


def test_a_day_written_in_pieces_becomes_one_file_in_write_order(tmp_path: Path) -> None:
    """DuckDB keeps 100 partitions open: over a year (365 days) a day of balances can come out
    of the split in several files (data_0, data_1, ... data_10); they are joined in the order
    written, not in name order (data_10 after data_2)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kansa.demo.daily_files import DAY, _one_file, _write_order

    day = tmp_path / f"{DAY}=2026-10-29"  # where the split leaves them (the 1M x 365 load
    day.mkdir()  # refused a joined file that had this folder's name as a column)
    parts = []
    for n in (10, 2, 0):
        parts.append(day / f"data_{n}.parquet")
        pq.write_table(pa.table({"n": [n, n]}), parts[-1])
    ordered = sorted(parts, key=_write_order)
    assert [p.name for p in ordered] == ["data_0.parquet", "data_2.parquet", "data_10.parquet"]
    target = tmp_path / "day.parquet"
    con = duckdb.connect()
    _one_file(con, ordered, target, "parquet", "FORMAT parquet")
    assert pq.read_table(target).column("n").to_pylist() == [0, 0, 2, 2, 10, 10]
    assert pq.read_table(target).column_names == ["n"]


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo"])
def test_a_customer_withdrawal_is_requested_approved_and_signed_on_one_business_day(
    db: duckdb.DuckDBPyConnection, zone: str
) -> None:
    """A workspace in UTC or in Tokyo sees each withdrawal's whole story inside one day.

    Requests at 14:00 UTC (23:00 JST) signed after 15:00 UTC used to cross midnight in Tokyo: a
    1M x 365 demo ingested into a Tokyo workspace then drew 128 WDR-001 "no signed transaction"
    exceptions on the period's last day that no scenario seeded.
    """
    moments = """
        select w.withdrawal_id, w.requested_at as at from withdrawals w where kind = 'customer'
        union all select a.withdrawal_id, a.approved_at from withdrawal_approvals a
        union all select s.withdrawal_id, s.signed_at from signed_transactions s
        union all select s.withdrawal_id, s.broadcast_at from signed_transactions s
    """
    ((stories, split),) = db.execute(
        f"""
        select count(distinct withdrawal_id),
               count(distinct withdrawal_id) filter (where days > 1)
        from (select m.withdrawal_id, count(distinct (m.at at time zone '{zone}')::date) as days
              from ({moments}) m join withdrawals w using (withdrawal_id)
              where w.kind = 'customer' group by all)
        """
    ).fetchall()
    assert stories > 50 and split == 0

"""Data-quality signals: a day far from the days before it is a warning at ingest and at run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kansa.engine import run_controls
from kansa.ingest import ingest_file
from kansa.vault.parts import Part
from kansa.vault.signals import row_count_warnings
from kansa.workspace import Workspace

D = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(10)]


def _parts(rows: list[int]) -> list[Part]:
    return [Part(d, f"p{i}", "0" * 64, n) for i, (d, n) in enumerate(zip(D, rows, strict=False))]


def test_a_day_far_below_or_above_the_median_is_a_warning() -> None:
    found = row_count_warnings("withdrawals", _parts([400, 410, 390, 405, 12, 420, 2000]))
    assert [(w["day"], w["rows"]) for w in found] == [("2026-11-05", 12), ("2026-11-07", 2000)]
    assert "median of 402" in found[0]["en"] and "中央値" in found[0]["ja"]


def test_no_signal_without_history_or_within_the_band() -> None:
    assert row_count_warnings("w", _parts([400, 3, 410])) == []  # fewer than 3 days before
    assert row_count_warnings("w", _parts([400, 410, 390, 250, 790])) == []
    assert row_count_warnings("w", _parts([0, 0, 0, 0])) == []


def test_small_daily_counts_within_chance_are_no_warning() -> None:
    """A few address changes a day vary like a Poisson count (sd = sqrt of the mean): 3 after
    a median of 9 is a quiet day, not a broken export (make demo printed 24 such warnings);
    a day of 25 after 9 is still one, and so is 1 after a roster of 20."""
    assert row_count_warnings("w", _parts([9, 8, 10, 9, 3, 4, 9])) == []
    found = row_count_warnings("w", _parts([9, 8, 10, 9, 25]))
    assert [(w["day"], w["rows"]) for w in found] == [("2026-11-05", 25)]
    assert [w["rows"] for w in row_count_warnings("w", _parts([20, 20, 20, 20, 1]))] == [1]


def test_ingest_and_run_show_the_warning(workspace: Workspace, tmp_path: Path) -> None:
    for i, day in enumerate(D[:5]):
        rows = 1 if i == 4 else 20
        body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
        path = tmp_path / f"wb{i}.csv"
        path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
        snap = ingest_file(workspace, "wallet_balances", path, progress=False)
    assert [w["day"] for w in snap.payload["warnings"]] == ["2026-11-05"]
    from kansa.controls import load_catalog

    run = run_controls(workspace, [load_catalog()["CUS-001"]], progress=False, record=False)
    assert [(w["dataset"], w["day"]) for w in run.to_dict()["warnings"]] == [
        ("wallet_balances", "2026-11-05")
    ]


def test_a_column_suddenly_empty_is_a_warning(workspace: Workspace, tmp_path: Path) -> None:
    head = "withdrawal_id,kind,customer_id,wallet_id,asset,destination_address,amount,requested_by,requested_at,request_payload_hash,status\n"
    digest = "a" * 64
    for i, day in enumerate(D[:5]):
        customer = "" if i == 4 else "C1"  # the export lost the customer column on day 5
        body = "".join(
            f"W{i}-{n},customer,{customer},HOT,BTC,bc1q,10,,{day}T09:00:00Z,{digest},broadcast\n"
            for n in range(10)
        )
        path = tmp_path / f"w{i}.csv"
        path.write_text(head + body, encoding="utf-8")
        snap = ingest_file(workspace, "withdrawals", path, progress=False)
    found = [(w["kind"], w.get("column")) for w in snap.payload["warnings"]]
    assert found == [("null_rate", "customer_id")]
    assert "100% of customer_id is empty" in snap.payload["warnings"][0]["en"]


def test_the_report_shows_the_run_warnings(workspace: Workspace, tmp_path: Path) -> None:
    from kansa.controls import load_catalog
    from kansa.reports import write_report

    for i, day in enumerate(D[:5]):
        rows = 1 if i == 4 else 20
        body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
        path = tmp_path / f"wb{i}.csv"
        path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
        ingest_file(workspace, "wallet_balances", path, progress=False)
    run_controls(workspace, [load_catalog()["CUS-001"]], progress=False)
    for language, heading in (("en", "Data-quality warnings"), ("ja", "データ品質の警告")):
        out = write_report(workspace, tmp_path / f"r-{language}.html", language=language)
        section = out.read_text(encoding="utf-8").split(heading, 1)[1].split("</section>")[0]
        assert (
            "wallet_balances 2026-11-05: 1 rows" in section
            or "wallet_balances 2026-11-05: 1 行" in section
        )

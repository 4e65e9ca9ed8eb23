"""Data-quality signals: a day far from the days before it is a warning at ingest and at run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kansa.engine import run_controls
from kansa.ingest import ingest_file
from kansa.vault.parts import Part
from kansa.vault.signals import row_count_warnings
from kansa.workspace import Workspace

D = [dt.date(2026, 11, 1) + dt.timedelta(n) for n in range(300)]
WEEK = [400, 410, 390, 405, 395, 400, 410]  # seven earlier days with rows: a baseline


def _parts(rows: list[int]) -> list[Part]:
    return [Part(d, f"p{i}", "0" * 64, n) for i, (d, n) in enumerate(zip(D, rows, strict=False))]


def _flagged(rows: list[int]) -> list[tuple[str, int]]:
    return [(w["day"], w["rows"]) for w in row_count_warnings("w", _parts(rows))]


def test_a_day_far_below_or_above_the_median_is_a_warning() -> None:
    found = row_count_warnings("withdrawals", _parts([*WEEK, 12, 420, 2000]))
    assert [(w["day"], w["rows"]) for w in found] == [("2026-11-08", 12), ("2026-11-10", 2000)]
    assert "7 earlier days with rows had a median of 400" in found[0]["en"]
    assert "中央値" in found[0]["ja"]


def test_no_signal_without_seven_earlier_days_or_within_the_band() -> None:
    assert _flagged([400, 410, 390, 405, 395, 400, 3]) == []  # six days before: no baseline
    assert _flagged([*WEEK, 250, 790]) == []
    assert _flagged([0] * 12) == []


def test_the_first_days_after_an_empty_look_back_are_no_warning() -> None:
    """The demo loads customers' earlier logins as one span: one login seven months back, then
    200 empty days, then the weeks before the period. Its first full days were reported as
    "281 rows, the 7 days before had a median of 0": a dataset's first days are no anomaly."""
    look_back = [1, *[0] * 200, 281, 274, 309, 305, 281, 288, 302, 271, 295, 273, 303]
    assert _flagged(look_back) == []
    assert _flagged([0] * 30 + WEEK + [395]) == []


def test_a_drop_after_the_baseline_still_warns_empty_days_included() -> None:
    """An empty day is judged against the days with rows before it, and does not dilute the
    baseline of the days after it: a drop to a few rows a week later still warns."""
    assert _flagged([*WEEK, 4]) == [("2026-11-08", 4)]
    assert _flagged([*WEEK, 0, 0, 390, 3]) == [
        ("2026-11-08", 0),
        ("2026-11-09", 0),
        ("2026-11-11", 3),
    ]


def test_a_sparse_dataset_warns_on_a_burst_not_on_every_busy_day() -> None:
    """Role grants: a few on some days, none on most. Against a median of 0 every day with a
    grant was a warning; against the days that had grants, only the burst of 25 is."""
    sparse = [2, 0, 1, 0, 3, 0, 2, 0, 1, 0, 2, 0, 2, 0, 3, 1, 0, 25]
    assert _flagged(sparse) == [("2026-11-18", 25)]


def test_small_daily_counts_within_chance_are_no_warning() -> None:
    """A few address changes a day vary like a Poisson count (sd = sqrt of the mean): 3 after
    a median of 9 is a quiet day, not a broken export (make demo printed 24 such warnings);
    a day of 25 after 9 is still one, and so is 1 after a roster of 20."""
    nine = [9, 8, 10, 9, 11, 9, 10]
    assert _flagged([*nine, 3, 4, 9]) == []
    assert _flagged([*nine, 25]) == [("2026-11-08", 25)]
    assert _flagged([20] * 7 + [1]) == [("2026-11-08", 1)]


def _wallet_balances(tmp_path: Path, day: dt.date, rows: int, name: str) -> Path:
    body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
    path = tmp_path / f"{name}.csv"
    path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
    return path


def test_a_one_day_correction_file_that_lost_rows_warns(
    workspace: Workspace, tmp_path: Path
) -> None:
    """Issue 9's correction: a file of one day replaces that day; if it holds a few rows where
    the day had 20, the replaced day is a warning at ingest (and a full correction is not)."""
    for i, day in enumerate(D[:9]):
        ingest_file(workspace, "wallet_balances", _wallet_balances(tmp_path, day, 20, f"d{i}"),
                    progress=False)  # fmt: skip
    thin = _wallet_balances(tmp_path, D[8], 2, "fix-thin")
    snap = ingest_file(workspace, "wallet_balances", thin, progress=False, replace=True)
    assert [(w["day"], w["rows"]) for w in snap.payload["warnings"]] == [("2026-11-09", 2)]
    full = _wallet_balances(tmp_path, D[8], 21, "fix-full")
    snap = ingest_file(workspace, "wallet_balances", full, progress=False, replace=True)
    assert snap.payload["warnings"] == []


def test_ingest_and_run_show_the_warning(workspace: Workspace, tmp_path: Path) -> None:
    for i, day in enumerate(D[:8]):
        rows = 1 if i == 7 else 20
        body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
        path = tmp_path / f"wb{i}.csv"
        path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
        snap = ingest_file(workspace, "wallet_balances", path, progress=False)
    assert [w["day"] for w in snap.payload["warnings"]] == ["2026-11-08"]
    from kansa.controls import load_catalog

    run = run_controls(workspace, [load_catalog()["CUS-001"]], progress=False, record=False)
    assert [(w["dataset"], w["day"]) for w in run.to_dict()["warnings"]] == [
        ("wallet_balances", "2026-11-08")
    ]


def test_a_column_suddenly_empty_is_a_warning(workspace: Workspace, tmp_path: Path) -> None:
    head = "withdrawal_id,kind,customer_id,wallet_id,asset,destination_address,amount,requested_by,requested_at,request_payload_hash,status\n"
    digest = "a" * 64
    for i, day in enumerate(D[:8]):
        customer = "" if i == 7 else "C1"  # the export lost the customer column on day 8
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

    for i, day in enumerate(D[:8]):
        rows = 1 if i == 7 else 20
        body = "".join(f"{day},W{n},BTC,100\n" for n in range(rows))
        path = tmp_path / f"wb{i}.csv"
        path.write_text("as_of,wallet_id,asset,balance\n" + body, encoding="utf-8")
        ingest_file(workspace, "wallet_balances", path, progress=False)
    run_controls(workspace, [load_catalog()["CUS-001"]], progress=False)
    for language, heading in (("en", "Data-quality warnings"), ("ja", "データ品質の警告")):
        out = write_report(workspace, tmp_path / f"r-{language}.html", language=language)
        section = out.read_text(encoding="utf-8").split(heading, 1)[1].split("</section>")[0]
        assert (
            "wallet_balances 2026-11-08: 1 rows" in section
            or "wallet_balances 2026-11-08: 1 行" in section
        )

"""The report an audit committee reads: cover, executive summary, readable evidence samples,
the source files behind the run, and ``kansa report --run``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers_reports import kansa, runner

from kansa.cli.app import app
from kansa.errors import KansaError
from kansa.reports import write_report
from kansa.vault import Vault
from kansa.workspace import find_workspace


def _runs(ws: Path) -> list[dict]:
    return [e.payload for e in Vault(ws / "vault").ledger.entries() if e.kind == "run"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(scope="module")
def tokyo_ws(demo_ws: Path) -> Path:
    cfg = demo_ws / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(text.replace("[workspace]\n", '[workspace]\ntimezone = "Asia/Tokyo"\n', 1))
    return demo_ws


def test_cover_and_executive_summary_in_japanese(tokyo_ws: Path) -> None:
    out = tokyo_ws / "out" / "c.html"
    kansa("-w", str(tokyo_ws), "report", "--lang", "ja", "-o", str(out))
    text = _text(out.read_text(encoding="utf-8"))
    run = _runs(tokyo_ws)[-1]
    name = find_workspace(tokyo_ws).config.name
    assert f"会社 {name}" in text
    assert f"基準日 {run['as_of']}" in text
    assert re.search(rf"対象期間 \d{{4}}-\d{{2}}-\d{{2}} 〜 {run['as_of']}", text)
    assert f"統制 {len(run['results'])} 件" in text and "資産保全" in text
    assert "時刻の表示 Asia/Tokyo" in text and " JST" in text and " UTC" not in text
    s = run["summary"]
    assert (
        f"この実行の統制 {len(run['results'])} 件のうち、{s['pass']} 件が有効、{s['fail']} 件で例外"
        in text
    )
    assert "開示すべき重要な不備" in text
    assert "有効" in text and "不備" in text and ">pass<" not in text  # statuses translated


def test_samples_read_as_people_read_them(tokyo_ws: Path) -> None:
    out = tokyo_ws / "out" / "s.html"
    kansa("-w", str(tokyo_ws), "report", "--lang", "en", "-o", str(out))
    text = _text(out.read_text(encoding="utf-8"))
    failing = [r for r in _runs(tokyo_ws)[-1]["results"] if r["status"] == "fail"]
    for r in failing:
        shown = min(r["exceptions"], 10)
        assert f"{shown:,} of {r['exceptions']:,} rows shown" in text, r["control_id"]
    # amounts in coin units with the symbol, never a bare satoshi/wei integer beside an asset
    assert re.search(r"\d+\.\d{8} (BTC|LTC)|\d+\.\d{18} ETH|\d+\.\d{6} USDC", text)
    # staff names beside their ids (the demo staff list has display names)
    assert re.search(r"P\d{5} \([^)]+\)", text)
    # labels from the contracts, with the column name kept beneath
    assert "Account owner" in text or "Person" in text


def test_source_files_and_their_hashes(tokyo_ws: Path) -> None:
    out = tokyo_ws / "out" / "f.html"
    kansa("-w", str(tokyo_ws), "report", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    vault = Vault(tokyo_ws / "vault")
    used = {ds for r in _runs(tokyo_ws)[-1]["results"] for ds in r["snapshots"]}
    ingests = [
        e for e in vault.ledger.entries() if e.kind == "ingest" and e.payload["dataset"] in used
    ]
    assert ingests
    for e in ingests:
        assert e.payload["source"]["name"] in html
        assert e.payload["source"]["sha256"] in html


def test_report_on_an_earlier_run(tokyo_ws: Path) -> None:
    first = _runs(tokyo_ws)[-1]
    kansa("-w", str(tokyo_ws), "run", "--controls", "CUS-*")
    latest = _runs(tokyo_ws)[-1]
    assert latest["run_id"] != first["run_id"]
    out = tokyo_ws / "out" / "earlier.html"
    kansa("-w", str(tokyo_ws), "report", "--lang", "en", "--run", first["run_id"], "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert first["run_id"] in html and latest["run_id"] not in html
    assert f"{len(first['results'])} controls in" in _text(html)
    entry = Vault(tokyo_ws / "vault").ledger.entries()[-1]
    assert entry.kind == "report"
    default = tokyo_ws / "out" / "latest.html"
    kansa("-w", str(tokyo_ws), "report", "--lang", "en", "-o", str(default))
    html = default.read_text(encoding="utf-8")
    assert latest["run_id"] in html and first["run_id"] not in html
    assert f"{len(latest['results'])} controls in" in _text(html)


def test_an_unknown_run_is_a_clear_error_that_files_nothing(tokyo_ws: Path) -> None:
    run_id = _runs(tokyo_ws)[-1]["run_id"]
    before = len(Vault(tokyo_ws / "vault").ledger.entries())
    typo = run_id[:-1] + ("0" if run_id[-1] != "0" else "1")
    with pytest.raises(KansaError, match="No run") as exc:
        write_report(find_workspace(tokyo_ws), tokyo_ws / "out" / "x.html", "en", run_id=typo)
    assert run_id in (exc.value.hint or "")
    result = runner.invoke(app, ["-w", str(tokyo_ws), "report", "--run", "nope"])
    assert isinstance(result.exception, KansaError)
    assert len(Vault(tokyo_ws / "vault").ledger.entries()) == before
    assert not (tokyo_ws / "out" / "x.html").exists()


def test_the_workbook_summary_says_what_the_cover_says(tokyo_ws: Path) -> None:
    from openpyxl import load_workbook

    out = tokyo_ws / "out" / "c.xlsx"
    kansa("-w", str(tokyo_ws), "report", "--lang", "ja", "-o", str(out))
    rows = dict(load_workbook(out)["Summary"].iter_rows(min_row=2, values_only=True))
    run = _runs(tokyo_ws)[-1]
    assert rows["会社"] == find_workspace(tokyo_ws).config.name
    assert rows["基準日"] == run["as_of"] and str(rows["対象期間"]).endswith(run["as_of"])
    assert rows["時刻の表示"] == "Asia/Tokyo"
    assert str(rows["作成日時"]).endswith(" JST") and str(rows["実行日時"]).endswith(" JST")
    assert str(rows["要約 (1)"]).startswith("この実行の統制")
    controls = list(load_workbook(out)["Controls"].iter_rows(min_row=2, values_only=True))
    assert {r[2] for r in controls} <= {
        "資産保全",
        "鍵管理",
        "出金",
        "アクセス管理",
        "システム運用",
        "人的管理",
        "顧客取引",
        "法定通貨（円）",
    }


@pytest.fixture(scope="module")
def kyc_emptied(tokyo_ws: Path) -> Path:
    """The demo fills every dataset (issue 10 item 8); a KYC export loaded with no rows leaves
    CSR-006 without a conclusion (these are the module's last tests to use the workspace)."""
    empty = tokyo_ws / "out" / "customer_kyc.csv"
    empty.parent.mkdir(parents=True, exist_ok=True)
    empty.write_text("customer_id,as_of,status,risk_rating\n", encoding="utf-8")
    kansa("-w", str(tokyo_ws), "ingest", "customer_kyc", str(empty))
    return tokyo_ws


def test_controls_without_a_conclusion_have_their_own_section_with_the_reason(
    kyc_emptied: Path,
) -> None:
    """NOT TESTED / INCOMPLETE / ERROR are listed apart, each with why: never read as a pass."""
    tokyo_ws = kyc_emptied
    out = tokyo_ws / "out" / "u.html"
    kansa("-w", str(tokyo_ws), "run")  # the whole catalog (other tests ran subsets)
    kansa("-w", str(tokyo_ws), "report", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    run = _runs(tokyo_ws)[-1]
    unconcluded = [r for r in run["results"] if r["status"] not in ("pass", "fail")]
    assert {r["control_id"] for r in unconcluded} == {"CSR-006"}
    section = html.split("Controls without a conclusion", 1)[1].split("</section>", 1)[0]
    for r in unconcluded:
        row = section.split(f"<code>{r['control_id']}</code>", 1)[1].split("</tr>", 1)[0]
        named = (r.get("coverage") or {}).get("missing_datasets") or []
        assert r["reason"] and named and all(d in row for d in named)
        assert "not tested" in row or "incomplete" in row or "error" in row
    assert "<code>CUS-001</code>" not in section  # a failing control is not in this section


def test_the_reason_of_an_unconcluded_control_is_worded_in_the_report_language(
    kyc_emptied: Path,
) -> None:
    """The run was recorded in English; the Japanese report words the reason in Japanese."""
    tokyo_ws = kyc_emptied
    out = tokyo_ws / "out" / "uj.html"
    kansa("-w", str(tokyo_ws), "run", "--controls", "CSR-*")
    kansa("-w", str(tokyo_ws), "report", "--lang", "ja", "-o", str(out))
    section = out.read_text(encoding="utf-8").split("結論に至っていない統制", 1)[1]
    row = section.split("<code>CSR-006</code>", 1)[1].split("</tr>", 1)[0]
    assert "customer_kyc のデータがありません" in row
    assert "loaded with no rows" not in row


def test_reason_text_words_missing_days_from_the_coverage() -> None:
    from kansa.reports.labels import LABELS
    from kansa.reports.reasons import reason_text

    coverage = {
        "datasets": {
            "wallet_balances": {"from": "2026-11-01", "missing": ["2026-11-04", "2026-11-05"]},
            "withdrawals": {"from": "2026-11-01", "missing": []},
        }
    }
    text = reason_text("incomplete", coverage, "recorded", LABELS["ja"])
    assert text == "wallet_balances に 2 日分の欠落: 2026-11-04..2026-11-05"
    assert reason_text("error", None, "boom", LABELS["en"]) == "boom"

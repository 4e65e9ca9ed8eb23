"""The HTML report: what an auditor opens after `make demo`."""

from __future__ import annotations

import re
from pathlib import Path

from helpers_reports import kansa as _kansa
from helpers_reports import runner

from kansa.cli.app import app
from kansa.vault import Vault


def test_report_shows_run_findings_and_snapshots(demo_ws: Path, monkeypatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")
    out = demo_ws / "out" / "r.html"
    _kansa("-w", str(demo_ws), "report", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    vault = Vault(demo_ws / "vault")
    run = [e for e in vault.ledger.entries() if e.kind == "run"][-1]
    failing = [r["control_id"] for r in run.payload["results"] if r["status"] == "fail"]
    assert failing, "the demo seeds failures"
    for cid in failing:
        assert f"<code>{cid}</code>" in html
    assert "Open findings" in html and "material weakness" in html
    for snap in vault.latest_all().values():
        assert snap.sha256 in html
    assert "Precision 1.000" in html and "Recall 1.000" in html


def test_report_is_filed_in_the_ledger_and_verifies(demo_ws: Path) -> None:
    vault = Vault(demo_ws / "vault")
    before = len(vault.ledger.entries())
    _kansa("-w", str(demo_ws), "report", "-o", str(demo_ws / "out" / "r2.html"))
    entries = vault.ledger.entries()
    assert len(entries) == before + 1 and entries[-1].kind == "report"
    (rel,) = entries[-1].outputs
    assert (vault.root / rel).read_bytes() == (demo_ws / "out" / "r2.html").read_bytes()
    _kansa("-w", str(demo_ws), "verify")


def test_report_in_japanese_and_offline(demo_ws: Path) -> None:
    out = demo_ws / "out" / "ja.html"
    _kansa("-w", str(demo_ws), "report", "--lang", "ja", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert "監査報告書" in html and "未解決の指摘事項" in html
    assert "顧客暗号資産のコールドウォレット管理" in html  # control titles in Japanese
    # offline first: no asset is fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_report_rejects_unknown_language(demo_ws: Path) -> None:
    result = runner.invoke(app, ["-w", str(demo_ws), "report", "--lang", "fr"])
    assert result.exit_code != 0

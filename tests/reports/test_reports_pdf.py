"""The PDF report, printed by real headless Chromium and read back with pdftotext."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers_reports import kansa, runner

from kansa.cli.app import app
from kansa.errors import KansaError
from kansa.vault import Vault


def _failing(ws: Path) -> list[str]:
    run = [e for e in Vault(ws / "vault").ledger.entries() if e.kind == "run"][-1]
    return [r["control_id"] for r in run.payload["results"] if r["status"] == "fail"]


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pdf_report_is_printed_filed_and_verifies(demo_ws: Path, monkeypatch) -> None:
    monkeypatch.setenv("KANSA_LANG", "en")
    vault = Vault(demo_ws / "vault")
    before = len(vault.ledger.entries())
    out = demo_ws / "out" / "report.pdf"  # format inferred from the extension
    kansa("-w", str(demo_ws), "report", "-o", str(out))
    body = out.read_bytes()
    assert body.startswith(b"%PDF")
    text = _text(out)
    assert text.count("\f") >= 2, "at least two pages (a page per section)"
    assert "Kansa audit report" in text and "Open findings" in text
    for cid in _failing(demo_ws):
        assert cid in text
    entries = vault.ledger.entries()
    assert len(entries) == before + 1 and entries[-1].kind == "report"
    assert entries[-1].payload["format"] == "pdf"
    (rel,) = entries[-1].outputs
    assert rel.endswith(".pdf") and (vault.root / rel).read_bytes() == body
    kansa("-w", str(demo_ws), "verify")


def test_pdf_report_in_japanese_renders_japanese_text(demo_ws: Path) -> None:
    kansa("-w", str(demo_ws), "report", "--format", "pdf", "--lang", "ja")
    text = _text(demo_ws / "reports" / "report.pdf")
    assert "監査報告書" in text and "未解決の指摘事項" in text
    assert "顧客暗号資産のコールドウォレット管理" in text


def test_missing_chromium_is_a_clear_error_and_files_nothing(demo_ws: Path) -> None:
    vault = Vault(demo_ws / "vault")
    before = len(vault.ledger.entries())
    out = demo_ws / "out" / "none.pdf"
    env = {**os.environ, "KANSA_LANG": "en", "KANSA_CHROMIUM": "/nonexistent/chromium"}
    proc = subprocess.run(  # the real entry point, as a user runs it
        [sys.executable, "-m", "kansa.cli.app", "-w", str(demo_ws), "report", "-o", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Chromium" in proc.stderr and "apt-get install chromium" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not out.exists() and len(vault.ledger.entries()) == before


def test_format_contradicting_the_file_name_is_refused(demo_ws: Path) -> None:
    result = runner.invoke(app, ["-w", str(demo_ws), "report", "-f", "pdf", "-o", "x.xlsx"])
    assert isinstance(result.exception, KansaError)
    assert "--format pdf" in result.exception.message

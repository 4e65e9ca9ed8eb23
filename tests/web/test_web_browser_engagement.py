"""A whole engagement in a real browser on the demo: the audit manager plans it by risk, the
run and an evaluated sample are linked, the report is filed in Japanese; the sample and the
report are signed by a preparer and a different reviewer, and the page shows both sign-offs."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from helpers_web import kansa
from playwright.sync_api import expect
from test_web_browser import _first_sign_in, browser, server  # noqa: F401  (module fixtures)

from kansa.appdb import Database
from kansa.vault import Vault
from kansa.web.accounts import add_user
from kansa.workspace import Workspace


def _sample(ws: Workspace, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Draw a sample of withdrawals, fill it in (no deviation), evaluate it: the ledger seq."""
    monkeypatch.setenv("KANSA_ACTOR", "Auditor Kato")
    out = tmp / "sample.xlsx"
    kansa(
        "-w",
        str(ws.root),
        "sample",
        "draw",
        "withdrawals",
        "--size",
        "5",
        "--seed",
        "3",
        "-o",
        str(out),
    )
    wb = openpyxl.load_workbook(out)
    sheet = wb["Records"]
    col = [c.value for c in sheet[1]].index("deviation") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=col, value="no")
    wb.save(out)
    kansa("-w", str(ws.root), "sample", "evaluate", str(out), "--tolerable-rate", "0.5")
    return [e.seq for e in Vault(ws.vault_dir).ledger.read() if e.kind == "workpaper"][-1]


def _sign(ws: Workspace, seq: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KANSA_ACTOR", "Auditor Kato")
    kansa("-w", str(ws.root), "signoff", "prepare", str(seq))
    monkeypatch.setenv("KANSA_ACTOR", "Reviewer Sato")
    kansa("-w", str(ws.root), "signoff", "review", str(seq))


def test_an_engagement_planned_reported_and_signed_in_the_browser(
    server: str,  # noqa: F811
    browser: object,  # noqa: F811
    demo: Workspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Database(demo.database_url) as db:
        one_time = add_user(db, "pw-cae", "audit_manager")
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    assert _first_sign_in(page, server, "pw-cae", one_time)
    page.goto(server + "/plan")
    page.select_option("select[name=kind]", "area")
    page.fill("input[name=name]", "withdrawals")
    page.fill("input[name=impact]", "5")
    page.fill("input[name=likelihood]", "4")
    page.click("text=Save")
    expect(page.locator("#scores")).to_contain_text("area:withdrawals")
    page.fill("input[name=year]", "2026")
    page.click("text=Plan engagements")
    page.click("a[href='/plan/engagements/2026-AREA-withdrawals']")
    expect(page.locator("h1")).to_contain_text("2026-AREA-withdrawals")
    run_seq = next(e.seq for e in Vault(demo.vault_dir).ledger.read() if e.kind == "run")
    sample_seq = _sample(demo, tmp_path, monkeypatch)
    _sign(demo, sample_seq, monkeypatch)
    for seq in (run_seq, sample_seq):
        page.fill("input[name=item]", str(seq))
        page.click("button:has-text('Link')")
    expect(page.locator("#items")).to_contain_text(f"#{sample_seq}")
    expect(page.locator("#items")).to_contain_text("Reviewer Sato OK")
    page.select_option("select[name=status]", "reporting")
    page.fill("textarea[name=opinion]", "出金統制に改善が必要です。")
    page.click("form[action$='/update'] button")
    expect(page.locator("#status")).to_have_text("reporting")
    page.select_option("select[name=fmt]", "html")
    page.select_option("select[name=language]", "ja")
    page.click("text=File the internal audit report")
    expect(page.locator("#reports")).to_contain_text("html (ja)")
    report = [e for e in Vault(demo.vault_dir).ledger.read() if e.kind == "report"][-1]
    assert report.actor == "pw-cae" and report.payload["engagement"] == "2026-AREA-withdrawals"
    _sign(demo, report.seq, monkeypatch)
    page.reload()
    expect(page.locator("#reports tbody tr").first).to_contain_text("Auditor Kato OK")
    expect(page.locator("#reports tbody tr").first).to_contain_text("Reviewer Sato OK")
    assert not errors, errors  # no CSP violation or script error

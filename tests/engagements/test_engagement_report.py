"""The engagement report (内部監査報告書): what it says in English and Japanese, the OSCAL
assessment results validated by compliance-trestle's own models, the XLSX and the PDF; filed
in the vault, signed by a preparer and a different reviewer, voided by any change."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers_engage import catalog_and_run, desk, planned
from trestle.oscal.assessment_results import AssessmentResults
from typer.testing import CliRunner

from kansa.appdb import Database, Finding
from kansa.cli.app import app
from kansa.controls import Control
from kansa.engagements import get_engagement, link_item, update_engagement
from kansa.engagements.report import (
    engagement_oscal,
    file_engagement_report,
    gather_report,
    render_engagement,
)
from kansa.findings import assign, respond
from kansa.signoff import prepare, review, signoff_status
from kansa.vault import Vault, verify_vault
from kansa.workflow import WorkflowError
from kansa.workspace import Workspace

runner = CliRunner()
CODE = "2026-CUSTODY"


def _cli(ws: Workspace, *args: str, actor: str = "Auditor Kato") -> str:
    result = runner.invoke(
        app, ["-w", str(ws.root), *args], env={"KANSA_ACTOR": actor, "KANSA_LANG": "en"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def _sample_workpapers(ws: Workspace, tmp: Path) -> tuple[int, int]:
    """A sample drawn from customer_balances, filled in (no deviation) and evaluated: the
    ledger seqs of the draw and of the evaluation."""
    out = tmp / "sample.xlsx"
    _cli(ws, "sample", "draw", "customer_balances", "--size", "5", "--seed", "7", "-o", str(out))
    wb = openpyxl.load_workbook(out)
    sheet = wb["Records"]
    col = [c.value for c in sheet[1]].index("deviation") + 1
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row=row, column=col, value="no")
    wb.save(out)
    _cli(ws, "sample", "evaluate", str(out), "--tolerable-rate", "0.5")
    seqs = [e.seq for e in Vault(ws.vault_dir).ledger.read() if e.kind == "workpaper"]
    return seqs[-2], seqs[-1]


@pytest.fixture
def engaged(
    db_workspace: Workspace,
    put_snapshot: Callable[..., Any],
    make_control: Callable[..., Control],
    tmp_path: Path,
) -> tuple[Workspace, dict[str, Control], int, int]:
    """An engagement over custody with its run and its evaluated sample linked, the failing
    control's finding answered by management, and an overall opinion."""
    ws = db_workspace
    catalog, run_seq = catalog_and_run(ws, put_snapshot, make_control)
    planned(ws, catalog)
    _, evaluated = _sample_workpapers(ws, tmp_path)
    with Database(ws.database_url) as db, db.session() as s:
        (finding_id,) = s.query(Finding.id).all()[0:1][0]
    with desk(ws, "Lead Mori") as d:
        link_item(d, CODE, str(run_seq))
        link_item(d, CODE, str(evaluated))
        assign(d, finding_id, "Treasury Abe", dt.date(2026, 12, 31))
    with desk(ws, "Treasury Abe") as d:
        respond(
            d,
            finding_id,
            "Negative balances come from a fee rounding bug.",
            "Fix rounding by 2026-12-15.",
        )
    with desk(ws, "Lead Mori") as d:
        update_engagement(
            d,
            CODE,
            status="reporting",
            hours_actual=96,
            opinion="Custody controls need improvement.",
        )
    return ws, catalog, run_seq, evaluated


def _html(ws: Workspace, catalog: dict[str, Control], language: str) -> str:
    with desk(ws, "Lead Mori") as d:
        data = gather_report(d, get_engagement(d, CODE), catalog, language)
    return render_engagement(data, "html").decode("utf-8")


def test_the_report_says_what_the_board_expects_in_english(engaged: Any) -> None:
    ws, catalog, run_seq, evaluated = engaged
    html = _html(ws, catalog, "en")
    for text in (
        "Internal audit report",
        "1. Purpose of the audit",
        "segregated and kept cold",
        "2. Scope",
        "area:custody",
        "2026-01-01",
        "2026-12-31",
        "As-of date",
        "2026-11-30",
        "3. Procedures performed",
        f"#{run_seq}",
        f"#{evaluated}",
        "sample-evaluate",
        "4. Results",
        "TST-601",
        "failed",
        "TST-602",
        "passed",
        "5. Findings, rating and management&#39;s response",
        "deficiency",
        "Treasury Abe",
        "fee rounding bug",
        "Fix rounding by 2026-12-15",
        "answered",
        "6. Overall opinion",
        "Custody controls need improvement.",
        "7. Sign-offs",
        "96.0 / 120.0",
        "Lead Mori",
        "Auditor Kato",
    ):
        assert text in html, text
    with desk(ws, "x") as d:
        entry = next(e for e in d.vault.ledger.read() if e.seq == evaluated)
    assert entry.hash in html  # the workpaper by its ledger entry hash
    assert all(sha in html for sha in entry.outputs.values())  # and its files' SHA-256


def test_the_report_says_it_in_japanese(engaged: Any) -> None:
    ws, catalog, _, _ = engaged
    html = _html(ws, catalog, "ja")
    for text in (
        "内部監査報告書",
        "1. 監査の目的",
        "2. 監査範囲",
        "監査対象期間",
        "基準日",
        "3. 実施した手続",
        "4. 監査結果",
        "不備",
        "有効",
        "5. 指摘事項・評価・被監査部門の回答",
        "被監査部門の回答",
        "改善計画",
        "6. 総合意見",
        "7. 署名",
        "テスト TST-601",
        "回答済",
    ):
        assert text in html, text
    assert "Purpose of the audit" not in html


def test_a_programme_control_no_linked_run_tested_is_never_reported_passed(
    engaged: Any, put_snapshot: Callable[..., Any]
) -> None:
    ws, catalog, _, _ = engaged
    with desk(ws, "Lead Mori") as d:
        from kansa.engagements import EngagementSpec, add_engagement

        add_engagement(
            d,
            catalog,
            EngagementSpec(
                code="NO-RUN",
                title="Nothing linked",
                scope=["area:custody"],
                lead="Lead Mori",
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 12, 31),
            ),
        )
        data = gather_report(d, get_engagement(d, "NO-RUN"), catalog, "en")
    assert {r.status for r in data.results} == {"not_in_engagement"}
    doc = engagement_oscal(data)["assessment-results"]
    targets = [f["target"]["status"] for f in doc["results"][0]["findings"]]
    assert targets == [{"state": "not-satisfied", "reason": "not-tested"}] * 2
    assert 'class="pass"' not in render_engagement(data, "html").decode()


def test_the_oscal_assessment_results_validate_with_compliance_trestle(engaged: Any) -> None:
    ws, catalog, _, evaluated = engaged
    with desk(ws, "Lead Mori") as d:
        filed = file_engagement_report(d, catalog, CODE, "oscal", "en")
    doc = json.loads(filed.body)
    model = AssessmentResults.model_validate(doc["assessment-results"])
    assert model.metadata.oscal_version.root.root == "1.1.2"
    (result,) = model.results
    assert [o.title.split()[0] for o in result.observations] == ["TST-601", "TST-602"]
    assert [f.target.target_id for f in result.findings or []] == [
        "TST-601"
    ]  # the pass is no finding
    assert result.findings[0].target.status.state.value == "not-satisfied"  # type: ignore[index]
    resources = {r.title: r for r in model.back_matter.resources}  # type: ignore[union-attr]
    sample = next(r for t, r in resources.items() if "sample-evaluate" in t)
    with desk(ws, "x") as d:
        entry = next(e for e in d.vault.ledger.read() if e.seq == evaluated)
    assert {h.value for link in sample.rlinks or [] for h in link.hashes or []} == set(
        entry.outputs.values()
    )
    bad = json.loads(filed.body)["assessment-results"]
    del bad["import-ap"]
    with pytest.raises(ValueError):
        AssessmentResults.model_validate(bad)


def test_the_xlsx_holds_procedures_results_and_findings(engaged: Any) -> None:
    ws, catalog, run_seq, _ = engaged
    with desk(ws, "Lead Mori") as d:
        body = render_engagement(gather_report(d, get_engagement(d, CODE), catalog, "ja"), "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(body))
    assert wb.sheetnames == ["Engagement", "Procedures", "Results", "Findings"]
    results = [[c.value for c in row] for row in wb["Results"].iter_rows(min_row=2)]
    assert [(r[0].split()[0], r[2]) for r in results] == [("TST-601", "不備"), ("TST-602", "有効")]
    findings = [[c.value for c in row] for row in wb["Findings"].iter_rows(min_row=2)]
    assert findings[0][4:8] == [
        "Treasury Abe",
        dt.datetime(2026, 12, 31),
        "Negative balances come from a fee rounding bug.",
        "Fix rounding by 2026-12-15.",
    ]
    procedures = [[c.value for c in row] for row in wb["Procedures"].iter_rows(min_row=2)]
    assert procedures[0][0] == run_seq and procedures[0][1] == "run"


def test_the_filed_report_is_signed_never_reviewed_by_its_preparer_and_a_change_voids_it(
    engaged: Any,
) -> None:
    ws, catalog, _, _ = engaged
    with desk(ws, "Lead Mori") as d:
        filed = file_engagement_report(d, catalog, CODE, "html", "ja")
    seq = str(filed.entry.seq)
    assert filed.entry.kind == "report" and filed.entry.payload["engagement"] == CODE
    with desk(ws, "Auditor Kato") as d:
        prepare(d, seq)
        with pytest.raises(WorkflowError, match="never be its reviewer"):
            review(d, seq)
    with desk(ws, "Lead Mori") as d, pytest.raises(WorkflowError, match="never be its reviewer"):
        review(d, seq)  # produced it
    with desk(ws, "CAE Tanaka") as d:
        review(d, seq)
    with Database(ws.database_url) as db:
        (st,) = signoff_status(db, Vault(ws.vault_dir), ws.config.name, seq)
    assert st.preparer and st.preparer.valid and st.reviewer and st.reviewer.valid
    path = Vault(ws.vault_dir).evidence_path(filed.vault_file)
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes().replace("総合意見".encode(), "結論".encode()))
    with Database(ws.database_url) as db:
        (st,) = signoff_status(db, Vault(ws.vault_dir), ws.config.name, seq)
    assert st.preparer and not st.preparer.valid and st.reviewer and not st.reviewer.valid
    assert any(filed.vault_file in why and "changed" in why for why in st.preparer.void)
    assert not verify_vault(Vault(ws.vault_dir)).ok


def test_the_japanese_pdf_prints_its_japanese_text(engaged: Any, tmp_path: Path) -> None:
    ws, catalog, _, _ = engaged
    with desk(ws, "Lead Mori") as d:
        filed = file_engagement_report(d, catalog, CODE, "pdf", "ja")
    assert filed.body.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(filed.body)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for words in (
        "内部監査報告書",
        "監査の目的",
        "監査対象期間",
        "基準日",
        "実施した手続",
        "総合意見",
        "被監査部門の回答",
        "TST-601",
    ):
        assert words in text, words


def test_the_engagement_sample_is_signed_and_the_report_shows_a_voided_sign_off(
    engaged: Any,
) -> None:
    ws, catalog, _, evaluated = engaged
    with desk(ws, "Auditor Kato") as d:  # drew and evaluated it
        prepare(d, str(evaluated))
        with pytest.raises(WorkflowError, match="never be its reviewer"):
            review(d, str(evaluated))
    with desk(ws, "Reviewer Sato") as d:
        review(d, str(evaluated))
        data = gather_report(d, get_engagement(d, CODE), catalog, "en")
    (sample,) = [p for p in data.procedures if p.seq == evaluated]
    assert sample.preparer.startswith("Auditor Kato") and sample.preparer.endswith("OK")
    assert sample.reviewer.startswith("Reviewer Sato") and sample.reviewer.endswith("OK")
    json_file = next(rel for rel in sample.files if rel.endswith(".json"))
    path = Vault(ws.vault_dir).evidence_path(json_file)
    os.chmod(path, 0o644)
    path.write_text(
        path.read_text(encoding="utf-8").replace('"deviation', '"Deviation'), encoding="utf-8"
    )
    with desk(ws, "Lead Mori") as d:
        html = render_engagement(
            gather_report(d, get_engagement(d, CODE), catalog, "en"), "html"
        ).decode()
    assert html.count('class="void"') == 2 and f"file {json_file} changed" in html

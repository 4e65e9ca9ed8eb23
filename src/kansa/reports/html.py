"""Render the report as one HTML file with inline CSS, and file it in the vault."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from kansa.i18n import lang
from kansa.reports.data import ReportData, gather
from kansa.vault import Vault
from kansa.workspace import Workspace

LABELS = {
    "en": {
        "title": "Kansa audit report",
        "workspace": "Workspace",
        "generated": "Generated",
        "ledger": "Ledger",
        "entries": "entries",
        "head": "head hash",
        "datasets": "Evidence snapshots",
        "dataset": "Dataset",
        "rows": "Rows",
        "contract": "Contract",
        "sha": "SHA-256",
        "ingested": "Ingested (UTC)",
        "run": "Latest control run",
        "norun": "No control run yet: run `kansa run`.",
        "control": "Control",
        "area": "Area",
        "severity": "Severity",
        "status": "Status",
        "population": "Population",
        "exceptions": "Exceptions",
        "failing": "Failing controls: first exception rows",
        "score": "Demo ground truth",
        "precision": "Precision",
        "recall": "Recall",
        "verify": "Verify this report's evidence with `kansa verify`.",
        "findings": "Open findings",
        "nofindings": "No open findings.",
        "rating": "Rating",
        "first": "First seen",
        "last": "Last seen",
        "occ": "Runs",
        "repeat": "repeat",
        "statuses": {"pass": "pass", "fail": "fail", "error": "error"},
        "ratings": {
            "deficiency": "deficiency",
            "significant_deficiency": "significant deficiency",
            "material_weakness": "material weakness",
        },
    },
    "ja": {
        "title": "Kansa 監査報告書",
        "workspace": "ワークスペース",
        "generated": "作成日時",
        "ledger": "台帳",
        "entries": "件",
        "head": "先頭ハッシュ",
        "datasets": "証跡スナップショット",
        "dataset": "データセット",
        "rows": "行数",
        "contract": "データ契約",
        "sha": "SHA-256",
        "ingested": "取込日時 (UTC)",
        "run": "直近の統制テスト",
        "norun": "統制テストは未実行です（`kansa run`）。",
        "control": "統制",
        "area": "領域",
        "severity": "重要度",
        "status": "結果",
        "population": "母集団",
        "exceptions": "例外",
        "failing": "不備のある統制：例外の先頭行",
        "score": "デモの正解データとの照合",
        "precision": "適合率",
        "recall": "再現率",
        "verify": "証跡は `kansa verify` で検証できます。",
        "findings": "未解決の指摘事項",
        "nofindings": "未解決の指摘事項はありません。",
        "rating": "評価",
        "first": "初回検出",
        "last": "最終検出",
        "occ": "回数",
        "repeat": "再発",
        "statuses": {"pass": "有効", "fail": "不備", "error": "エラー"},
        "ratings": {
            "deficiency": "不備",
            "significant_deficiency": "重要な不備",
            "material_weakness": "開示すべき重要な不備",
        },
    },
}


def render_html(data: ReportData, language: str | None = None) -> str:
    env = Environment(
        loader=PackageLoader("kansa.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    language = language or lang()
    return env.get_template("report.html.j2").render(d=data, t=LABELS[language], lang=language)


def write_report(ws: Workspace, out: Path, language: str | None = None) -> Path:
    """Write the report to ``out`` and commit a copy to the vault (one ledger entry)."""
    language = language or lang()
    data = gather(ws, language)
    html = render_html(data, language)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir() / "report.html"
    staged.write_text(html, encoding="utf-8")
    stamp = data.generated_at.replace(":", "").replace("-", "")
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    vault.commit(
        "report",
        {
            "format": "html",
            "language": language,
            "run_seq": data.run.seq if data.run else None,
            "ledger_head": data.ledger_head,
        },
        {f"reports/{stamp}-{digest[:16]}.html": staged},
    )
    return out

"""Render the engagement report in one format and file it in the vault as a ``report`` ledger
entry naming the engagement: the item the preparer, reviewer and CAE then sign
(:mod:`kansa.signoff`), whose sign-offs any later change to the file voids."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kansa.controls.model import Control
from kansa.engagements.plan import get_engagement
from kansa.engagements.report.data import EngagementReport, gather_report
from kansa.engagements.report.html import render_engagement_html
from kansa.engagements.report.oscal import render_engagement_oscal
from kansa.engagements.report.xlsx import render_engagement_xlsx
from kansa.i18n import tr
from kansa.reports.pdf import html_to_pdf
from kansa.vault import LedgerEntry
from kansa.workflow import Desk, WorkflowError

FORMATS = {"html": "html", "pdf": "pdf", "xlsx": "xlsx", "oscal": "json"}
LANGUAGES = ("en", "ja")


@dataclass(frozen=True)
class Filed:
    entry: LedgerEntry
    vault_file: str
    body: bytes


def render_engagement(d: EngagementReport, fmt: str, chromium: str | None = None) -> bytes:
    if fmt == "xlsx":
        return render_engagement_xlsx(d)
    if fmt == "oscal":
        return render_engagement_oscal(d)
    html = render_engagement_html(d)
    return html_to_pdf(html, chromium) if fmt == "pdf" else html.encode("utf-8")


def file_engagement_report(
    desk: Desk,
    catalog: Mapping[str, Control],
    code: str,
    fmt: str,
    language: str,
    chromium: str | None = None,
) -> Filed:
    """Render, then commit the bytes to the vault with one ledger entry."""
    if fmt not in FORMATS:
        raise WorkflowError(
            tr(f"Unknown format {fmt!r}.", f"形式 {fmt!r} は使えません。"), hint=", ".join(FORMATS)
        )
    if language not in LANGUAGES:
        raise WorkflowError(
            tr(f"Unknown language {language!r}.", f"言語 {language!r} は使えません。"),
            hint="en, ja",
        )
    eng = get_engagement(desk, code)
    body = render_engagement(gather_report(desk, eng, catalog, language), fmt, chromium)
    digest = hashlib.sha256(body).hexdigest()
    rel = f"reports/engagements/{eng.code}-{language}-{digest[:16]}.{FORMATS[fmt]}"
    with desk.vault.staging() as staging:
        staged = staging / f"report.{FORMATS[fmt]}"
        staged.write_bytes(body)
        entry = desk.ledger(
            "report",
            {"engagement": eng.code, "format": fmt, "language": language, "sha256": digest},
            {rel: staged},
        )
    return Filed(entry, rel, body)


def write_copy(filed: Filed, out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(filed.body)
    return out

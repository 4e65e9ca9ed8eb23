"""Produce a report in one format, write it where the user asked, and file it in the vault.

Every format renders the same :func:`gather` data; every report becomes exactly one ``report``
ledger entry whose file name carries a prefix of its content hash, so the copy a reader holds
can be matched against the evidence (``kansa verify`` re-hashes the vault copy).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import lang, tr
from kansa.reports.data import ReportData, gather
from kansa.reports.html import render_html
from kansa.reports.pdf import html_to_pdf
from kansa.reports.xlsx import DEFAULT_MAX_ROWS, render_xlsx
from kansa.vault import Vault
from kansa.workspace import Workspace
from kansa.workspace.outputs import refuse_protected_output

FORMATS = ("html", "pdf", "xlsx")
SUFFIXES = {".html": "html", ".htm": "html", ".pdf": "pdf", ".xlsx": "xlsx"}


def resolve_format(fmt: str | None, out: Path | None) -> str:
    """The format asked for, else the one the output file's extension names, else html."""
    inferred = SUFFIXES.get(out.suffix.lower()) if out else None
    if fmt is not None and fmt not in FORMATS:
        raise KansaError(
            tr(f"unknown report format {fmt!r}", f"報告書の形式 {fmt!r} は使えません"),
            hint="html, pdf, xlsx",
        )
    if fmt and inferred and fmt != inferred:
        raise KansaError(
            tr(
                f"--format {fmt} does not match the file name {out}",
                f"--format {fmt} と出力ファイル名 {out} が一致しません",
            )
        )
    return fmt or inferred or "html"


def render(
    data: ReportData,
    fmt: str,
    language: str,
    vault_root: Path,
    max_rows: int = DEFAULT_MAX_ROWS,
    chromium: str | None = None,
) -> bytes:
    """The report's bytes in ``fmt``."""
    if fmt == "xlsx":
        return render_xlsx(data, language, vault_root, max_rows)
    html = render_html(data, language)
    if fmt == "pdf":
        return html_to_pdf(html, chromium)
    return html.encode("utf-8")


def write_report(
    ws: Workspace,
    out: Path,
    language: str | None = None,
    fmt: str = "html",
    max_rows: int = DEFAULT_MAX_ROWS,
    chromium: str | None = None,
    run_id: str | None = None,  # report on that run (default: the newest)
) -> Path:
    """Write the report to ``out`` and commit a copy to the vault (one ledger entry).

    ``out`` inside the vault (or over ``kansa.toml``) is refused before anything is gathered.
    """
    refuse_protected_output(ws, out)
    language = language or lang()
    data = gather(ws, language, run_id)
    vault = Vault(ws.vault_dir)
    body = render(data, fmt, language, vault.root, max_rows, chromium)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    stamp = data.generated_at.replace(":", "").replace("-", "")
    digest = hashlib.sha256(body).hexdigest()
    payload: dict[str, object] = {
        "format": fmt,
        "language": language,
        "run_seq": data.run.seq if data.run else None,
        "ledger_head": data.ledger_head,
    }
    if fmt == "xlsx":
        payload["max_rows"] = max_rows
    with vault.staging() as staging:
        staged = staging / f"report.{fmt}"
        staged.write_bytes(body)
        vault.commit("report", payload, {f"reports/{stamp}-{digest[:16]}.{fmt}": staged})
    return out

"""Reports: the workspace's audit report as HTML, PDF (headless Chromium) or Excel.

Public surface: :func:`gather` (what goes into every report), :func:`render_html`,
:func:`render_xlsx`, :func:`html_to_pdf`, :func:`resolve_format` and :func:`write_report`
(render, write, and file it in the vault as one ``report`` ledger entry).
"""

from kansa.reports.data import ReportData, gather
from kansa.reports.filing import FORMATS, resolve_format, write_report
from kansa.reports.html import render_html
from kansa.reports.pdf import html_to_pdf
from kansa.reports.xlsx import DEFAULT_MAX_ROWS, render_xlsx

__all__ = [
    "DEFAULT_MAX_ROWS",
    "FORMATS",
    "ReportData",
    "gather",
    "html_to_pdf",
    "render_html",
    "render_xlsx",
    "resolve_format",
    "write_report",
]

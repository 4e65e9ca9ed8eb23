"""Reports: a self-contained HTML report of a workspace (no network, no external assets).

Public surface: :func:`gather` (what goes into a report), :func:`render_html`,
:func:`write_report` (render, write, and file it in the vault as a ledger entry).
"""

from kansa.reports.data import ReportData, gather
from kansa.reports.html import render_html, write_report

__all__ = ["ReportData", "gather", "render_html", "write_report"]

"""The engagement report (内部監査報告書): gathered once, rendered as HTML, PDF, XLSX and OSCAL
assessment results, filed in the vault as a signable ``report`` ledger entry.

Public surface: :func:`gather_report`, :func:`render_engagement`, :func:`file_engagement_report`,
:func:`engagement_oscal`, :data:`FORMATS`.
"""

from kansa.engagements.report.data import EngagementReport, gather_report
from kansa.engagements.report.filing import (
    FORMATS,
    Filed,
    file_engagement_report,
    render_engagement,
    write_copy,
)
from kansa.engagements.report.oscal import engagement_oscal

__all__ = [
    "FORMATS",
    "EngagementReport",
    "Filed",
    "engagement_oscal",
    "file_engagement_report",
    "gather_report",
    "render_engagement",
    "write_copy",
]

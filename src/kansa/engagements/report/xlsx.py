"""The engagement report as a workbook for the auditors: one sheet each for the engagement,
its procedures (with hashes), results and findings. Text is always text, never a formula."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

from kansa.engagements.report.data import EngagementReport
from kansa.engagements.report.html import summary_line
from kansa.engagements.report.labels import LABELS, word
from kansa.reports.xlsx import write_table


def render_engagement_xlsx(d: EngagementReport) -> bytes:
    t, e, w = LABELS[d.language], d.engagement, (lambda v: word(d.language, v))
    wb = Workbook()
    cover = wb.active
    assert cover is not None
    cover.title = "Engagement"
    write_table(
        cover,
        [t["engagement"], e.code],
        [
            [t["title"], e.title],
            [t["company"], d.workspace],
            [t["purpose"], e.purpose],
            [t["scope"], ", ".join(e.scope)],
            [t["period"], f"{e.period_start} - {e.period_end}"],
            [t["as_of"], e.as_of],
            [t["lead"], e.lead],
            [t["team"], ", ".join(e.team)],
            [t["status"], w(e.status)],
            [t["hours"], f"{e.hours_actual} / {e.hours_budget}"],
            [t["programme"], ", ".join(e.controls)],
            [t["analytics"], ", ".join(e.analytics)],
            [t["results"], summary_line(d)],
            [t["opinion"], e.opinion or t["no_opinion"]],
            [t["generated"], d.generated_at],
            [t["ledger"], f"#{d.ledger_seq} {d.ledger_head or ''}"],
        ],
    )
    write_table(
        wb.create_sheet("Procedures"),
        ["#", t["kind"], t["item"], t["entry_hash"], t["files"], t["preparer"], t["reviewer"]],
        [
            [
                p.seq,
                p.kind,
                p.label,
                p.entry_hash,
                "\n".join(f"{f} {h}" for f, h in p.files.items()),
                p.preparer,
                p.reviewer,
            ]
            for p in d.procedures
        ],
    )
    write_table(
        wb.create_sheet("Results"),
        [t["control"], t["area"], t["result"], t["exceptions"], t["population"], t["run"]],
        [
            [f"{r.control_id} {r.title}", r.area, w(r.status), r.exceptions, r.population, r.run_id]
            for r in d.results
        ],
    )
    write_table(
        wb.create_sheet("Findings"),
        [
            t["finding"],
            t["control"],
            t["rating"],
            t["state"],
            t["owner"],
            t["due"],
            t["response"],
            t["plan"],
        ],
        [
            [
                f.id,
                f"{f.control_id} {f.title}",
                w(f.rating),
                w(f.state),
                f.assignee,
                f.due_date,
                f.response,
                f.action_plan,
            ]
            for f in d.findings
        ],
    )
    wb.properties.creator = "Kansa"
    wb.properties.created = dt.datetime.fromisoformat(d.generated_at.removesuffix("Z"))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()

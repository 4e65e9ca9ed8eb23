"""The engagement report as one HTML file (inline CSS, no external assets; PDF prints it)."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from kansa.engagements.report.data import EngagementReport
from kansa.engagements.report.labels import LABELS, word


def summary_line(d: EngagementReport) -> str:
    concluded = d.count("pass") + d.count("fail")
    return LABELS[d.language]["summary"].format(
        tested=concluded,
        total=len(d.results),
        passed=d.count("pass"),
        failed=d.count("fail"),
        untested=len(d.results) - concluded,
        findings=len(d.findings),
    )


def render_engagement_html(d: EngagementReport) -> str:
    env = Environment(
        loader=PackageLoader("kansa.engagements.report", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    return env.get_template("engagement_report.html.j2").render(
        d=d,
        e=d.engagement,
        t=LABELS[d.language],
        lang=d.language,
        summary=summary_line(d),
        w=lambda v: word(d.language, v),
    )

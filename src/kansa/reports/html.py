"""Render the report as one HTML file with inline CSS (screen and A4 print), no external assets."""

from __future__ import annotations

from jinja2 import Environment, PackageLoader, select_autoescape

from kansa.i18n import lang
from kansa.reports.data import ReportData
from kansa.reports.labels import LABELS
from kansa.reports.reasons import reason_text


def render_html(data: ReportData, language: str | None = None) -> str:
    env = Environment(
        loader=PackageLoader("kansa.reports", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.globals["reason_text"] = reason_text
    language = language or lang()
    return env.get_template("report.html.j2").render(d=data, t=LABELS[language], lang=language)

"""The engagement as OSCAL assessment results (OSCAL 1.1.2, NIST), for tools that read them.

Model reference: https://pages.nist.gov/OSCAL-Reference/models/v1.1.2/assessment-results/json-outline/
One ``result`` per engagement: its period (start, end at the 基準日), the programme controls as
``reviewed-controls``, one ``observation`` per programme control (what the linked runs found)
and one ``finding`` per control that did not pass, its target ``not-satisfied`` (or, when no
linked run concluded on it, no target status claim beyond ``not-satisfied`` with reason
``not-tested``: an unseen control is never reported satisfied). Every procedure (run,
workpaper) is a back-matter resource whose ``rlinks`` carry the vault path and SHA-256 of each
file. UUIDs are version 5, derived from the workspace, the engagement and the ledger head, so
the same evidence gives the same document.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from kansa import __version__
from kansa.engagements.report.data import ControlLine, EngagementReport
from kansa.engagements.report.labels import word

OSCAL_VERSION = "1.1.2"
_NS = uuid.UUID("6f1c2b1e-8a4e-5c55-9a52-6b616e736121")


def _uuid(d: EngagementReport, *parts: object) -> str:
    key = ":".join(str(p) for p in (d.workspace, d.engagement.code, d.ledger_head, *parts))
    return str(uuid.uuid5(_NS, key))


def _at(day: dt.date, end: bool = False) -> str:
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min, dt.UTC)
    return moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _observation(d: EngagementReport, r: ControlLine) -> dict[str, Any]:
    status = word("en", r.status)
    text = f"{r.control_id} {status}"
    if r.exceptions is not None:
        text += f": {r.exceptions} exceptions in a population of {r.population if r.population is not None else 'unknown'}"
    obs: dict[str, Any] = {
        "uuid": _uuid(d, "observation", r.control_id),
        "title": f"{r.control_id} {r.title}",
        "description": text + (f" (run {r.run_id})." if r.run_id else "."),
        "methods": ["TEST"],
        "types": ["control-objective"],
        "collected": d.generated_at,
        "props": [{"name": "result", "ns": "https://kansa.dev/ns/oscal", "value": r.status}],
    }
    runs = [p for p in d.procedures if p.kind == "run" and r.run_id and r.run_id in p.label]
    if runs:
        obs["relevant-evidence"] = [
            {
                "href": f"#{_uuid(d, 'resource', p.seq)}",
                "description": f"{p.label} (ledger #{p.seq})",
            }
            for p in runs
        ]
    return obs


def _finding(d: EngagementReport, r: ControlLine) -> dict[str, Any]:
    reason = "fail" if r.status == "fail" else "not-tested"
    return {
        "uuid": _uuid(d, "finding", r.control_id),
        "title": f"{r.control_id} {word('en', r.status)}",
        "description": f"{r.control_id} {r.title}: {word('en', r.status)}.",
        "target": {
            "type": "objective-id",
            "target-id": r.control_id,
            "status": {"state": "not-satisfied", "reason": reason},
        },
        "related-observations": [{"observation-uuid": _uuid(d, "observation", r.control_id)}],
    }


def _resources(d: EngagementReport) -> list[dict[str, Any]]:
    plan = {
        "uuid": _uuid(d, "plan"),
        "title": f"Engagement {d.engagement.code}",
        "description": f"The engagement as planned in Kansa (ledger entry #{d.engagement.ledger_seq}).",
    }
    out = [plan]
    for p in d.procedures:
        res: dict[str, Any] = {
            "uuid": _uuid(d, "resource", p.seq),
            "title": p.label,
            "description": f"Ledger entry #{p.seq}, hash {p.entry_hash}.",
        }
        if p.files:
            res["rlinks"] = [
                {"href": f"vault/evidence/{f}", "hashes": [{"algorithm": "SHA-256", "value": h}]}
                for f, h in sorted(p.files.items())
            ]
        out.append(res)
    return out


def engagement_oscal(d: EngagementReport) -> dict[str, Any]:
    e = d.engagement
    result: dict[str, Any] = {
        "uuid": _uuid(d, "result"),
        "title": f"{e.code} {e.title}",
        "description": e.purpose or e.title,
        "start": _at(e.period_start),
        "end": _at(e.as_of, end=True),
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": c} for c in e.controls]}
                if e.controls
                else {"include-all": {}}
            ]
        },
        "observations": [_observation(d, r) for r in d.results],
    }
    findings = [_finding(d, r) for r in d.results if r.status != "pass"]
    if findings:
        result["findings"] = findings
    if e.opinion:
        result["remarks"] = e.opinion
    return {
        "assessment-results": {
            "uuid": _uuid(d, "document"),
            "metadata": {
                "title": f"Internal audit report {e.code}",
                "last-modified": d.generated_at,
                "version": f"kansa {__version__}",
                "oscal-version": OSCAL_VERSION,
            },
            "import-ap": {"href": f"#{_uuid(d, 'plan')}"},
            "results": [result],
            "back-matter": {"resources": _resources(d)},
        }
    }


def render_engagement_oscal(d: EngagementReport) -> bytes:
    return (json.dumps(engagement_oscal(d), ensure_ascii=False, indent=1) + "\n").encode("utf-8")

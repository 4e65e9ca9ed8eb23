"""The JSON API under ``/api`` (bearer token or session), covering what the pages show.

Same policy, same functions, same ledger entries as the pages; the OpenAPI document is served
at ``/api/openapi.json`` behind the policy (no CDN-hosted documentation page).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kansa.web import accounts, queries
from kansa.web.routes.auth import _ctx, _me
from kansa.web.routes.controls import page_of_rows, visible_control
from kansa.web.verification import summary, verify_and_record

router = APIRouter(prefix="/api", tags=["api"])


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _run(r: Any) -> dict[str, Any]:
    keys = ("id", "as_of", "started_at", "finished_at", "engine", "actor", "controls_total",
            "passed", "failed", "errored", "ledger_seq", "ledger_hash")  # fmt: skip
    return {k: _json(getattr(r, k)) for k in keys}


@router.get("/openapi.json", name="api_openapi")
def api_openapi(request: Request) -> dict[str, Any]:
    """This document."""
    return request.app.openapi()


@router.get("/overview", name="api_overview")
def api_overview(request: Request) -> dict[str, Any]:
    """Control health by area, open findings by rating, last runs, last verification."""
    data = queries.overview(_ctx(request), _me(request))
    return {
        "areas": [a.__dict__ for a in data["areas"]],
        "findings_by_rating": data["findings_by_rating"],
        "findings_by_age": data["findings_by_age"],
        "heat_map": data["heat"],
        "open_findings": data["open_findings"],
        "runs": [_run(r) for r in data["runs"]],
        "last_verify": _json(data["last_verify"]),
    }


@router.get("/controls", name="api_controls")
def api_controls(
    request: Request, area: str | None = None, framework: str | None = None,
    severity: str | None = None, status: str | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """The catalog (what the caller may see) with each control's newest status."""
    filters = {"area": area, "framework": framework, "severity": severity, "status": status}
    return [
        {"id": c.id, "title": c.title.en, "title_ja": c.title.ja, "area": c.area,
         "severity": c.severity, "owner": c.owner, "status": res.status if res else "not_run",
         "exceptions": res.exception_count if res else None}
        for c, res in queries.catalog_rows(_ctx(request), _me(request), filters)
    ]  # fmt: skip


@router.get("/controls/{control_id}", name="api_control")
def api_control(request: Request, control_id: str) -> dict[str, Any]:
    """A control's definition, parameters, frameworks and history of results."""
    ctx = _ctx(request)
    c = visible_control(ctx, _me(request), control_id)
    return {
        "id": c.id, "version": c.version, "title": c.title.en, "title_ja": c.title.ja,
        "objective": c.objective.en, "rule": c.rule.en, "area": c.area, "severity": c.severity,
        "owner": c.owner, "frequency": c.frequency, "datasets": list(c.datasets),
        "parameters": {k: _json(p.default) for k, p in c.parameters.items()},
        "frameworks": {k: list(v) for k, v in c.frameworks.items()},
        "history": [
            {"run": run.id, "as_of": str(run.as_of), "status": res.status,
             "exceptions": res.exception_count, "population": res.population_count}
            for run, res in queries.history(ctx, control_id)
        ],
    }  # fmt: skip


@router.get("/controls/{control_id}/exceptions", name="api_exceptions")
def api_exceptions(
    request: Request, control_id: str, run: str | None = None, page: int = 1,
    sort: str | None = None, desc: bool = False,
) -> dict[str, Any]:  # fmt: skip
    """One page of the exception rows (read in place; the view is ledgered)."""
    data = page_of_rows(_ctx(request), _me(request), control_id, run, page, sort, desc)
    return {
        "run": data["result"].run_id, "page": data["page"], "pages": data["pages"],
        "total": data["total"], "columns": data["columns"],
        "rows": [_json(list(r)) for r in data["rows"]],
    }  # fmt: skip


@router.get("/findings", name="api_findings")
def api_findings(request: Request, status: str | None = None) -> list[dict[str, Any]]:
    """Findings (read only) of the controls the caller may see."""
    rows = queries.findings(_ctx(request), _me(request), status=status)
    return [
        {"id": f.id, "control_id": f.control_id, "scope": f.scope, "status": f.status,
         "rating": f.rating, "severity": f.severity, "repeat": f.repeat,
         "first_seen_at": _json(f.first_seen_at), "last_seen_at": _json(f.last_seen_at),
         "exceptions": f.exception_count, "population": f.population_count}
        for f in rows
    ]  # fmt: skip


@router.get("/datasets", name="api_datasets")
def api_datasets(request: Request) -> list[dict[str, Any]]:
    """Every committed snapshot: dataset, rows, SHA-256, ledger entry."""
    return queries.datasets(_ctx(request))


@router.get("/runs", name="api_runs")
def api_runs(request: Request, limit: int = 20) -> list[dict[str, Any]]:
    """The newest runs."""
    return [_run(r) for r in queries.last_runs(_ctx(request), max(1, min(limit, 1000)))]


@router.post("/verify", name="api_verify")
def api_verify(request: Request) -> dict[str, Any]:
    """Verify the vault now (read only) and ledger the result."""
    return summary(verify_and_record(_ctx(request), _me(request).username))


@router.get("/users", name="api_users")
def api_users(request: Request) -> list[dict[str, Any]]:
    """People, roles and units (admin)."""
    return [
        {"username": u.username, "role": u.role, "unit": u.unit.name if u.unit else None,
         "totp": u.totp_enabled, "expires_at": _json(u.expires_at), "disabled": u.disabled}
        for u in accounts.list_users(_ctx(request).db)
    ]  # fmt: skip

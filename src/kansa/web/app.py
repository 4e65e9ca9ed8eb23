"""The app factory: one FastAPI app over one workspace, deny by default."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kansa.appdb import Database
from kansa.web.context import AppContext
from kansa.web.headers import SecurityHeaders
from kansa.web.policy import Redirect, authorize, is_api
from kansa.web.routes import (
    account,
    admin,
    api,
    auth,
    controls,
    data,
    evidence_requests,
    findings_desk,
    overview,
    reports,
    signoffs,
    static,
)
from kansa.web.routes import engagements as plan_routes
from kansa.web.routes import maturity as maturity_routes
from kansa.web.settings import WebSettings
from kansa.web.templating import render
from kansa.workspace import Workspace


def create_app(workspace: Workspace, settings: WebSettings | None = None) -> FastAPI:
    """The web app for ``workspace`` (its app database is migrated first)."""
    app = FastAPI(
        title="Kansa",
        summary="Continuous internal audit: the JSON API of `kansa serve`.",
        dependencies=[Depends(authorize)],
        docs_url=None,  # the Swagger/ReDoc pages load scripts from a CDN: not offline, not CSP
        redoc_url=None,
        openapi_url=None,  # served by api.openapi behind the policy instead
    )
    app.state.kansa = AppContext(
        workspace, Database(workspace.database_url), settings or WebSettings()
    )
    for module in (static, auth, overview, controls, data, reports, account, admin, api):
        app.include_router(module.router)
    app.include_router(findings_desk.router)
    app.include_router(findings_desk.api_router)
    app.include_router(signoffs.router)
    app.include_router(signoffs.api_router)
    app.include_router(evidence_requests.router)
    app.include_router(evidence_requests.api_router)
    app.include_router(plan_routes.router)  # the audit plan (kansa.engagements)
    app.include_router(maturity_routes.router)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(Redirect)
    async def _redirect(_request: Request, exc: Redirect) -> Response:
        return RedirectResponse(exc.location, status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or exc.status_code == 401:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return render(request, "error.html", status=exc.status_code, code=exc.status_code,
                      detail=exc.detail)  # fmt: skip

    return app

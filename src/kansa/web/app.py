"""The app factory: one FastAPI app over one workspace, deny by default."""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from kansa.appdb import Database
from kansa.web import secret_box
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
    keys,
    overview,
    reports,
    retest,
    samples,
    signoffs,
    static,
    units,
)
from kansa.web.routes import engagements as plan_routes
from kansa.web.routes import maturity as maturity_routes
from kansa.web.settings import WebSettings
from kansa.web.templating import render
from kansa.web.trail import LedgerUnavailable
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
    db = Database(workspace.database_url)
    box = secret_box.load_box(workspace.root)
    secret_box.prepare(db, box)  # a wrong key stops here, with one clear message
    app.state.kansa = AppContext(workspace, db, settings or WebSettings(), sealed_with=box)
    for module in (
        static,
        auth,
        keys,
        overview,
        controls,
        data,
        reports,
        account,
        admin,
        units,
        api,
    ):
        app.include_router(module.router)
    app.include_router(findings_desk.router)
    app.include_router(findings_desk.api_router)
    app.include_router(retest.router)
    app.include_router(retest.api_router)
    app.include_router(samples.router)
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

    @app.exception_handler(LedgerUnavailable)
    @app.exception_handler(secret_box.SecretKeyError)
    async def _unrecorded(request: Request, exc: Exception) -> Response:
        # the change was rolled back (or never tried): say so instead of a bare server error
        message = str(getattr(exc, "message", exc))
        if is_api(request):
            return JSONResponse({"detail": message}, 503)
        return render(request, "error.html", status=503, code=503, detail=message)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if is_api(request) or exc.status_code == 401:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return render(request, "error.html", status=exc.status_code, code=exc.status_code,
                      detail=exc.detail)  # fmt: skip

    return app

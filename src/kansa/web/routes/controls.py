"""The controls catalog, a control's page and its exceptions explorer (paged, sorted, CSV).

The exception rows are read in place from the vault's Parquet with DuckDB
(:func:`kansa.engine.exceptions.read_page`), after checking the file still has the SHA-256 the
run recorded; every page viewed and every export is a ledger entry.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.background import BackgroundTask

from kansa.appdb import ControlResult
from kansa.controls.model import AREAS, FRAMEWORKS, SEVERITIES
from kansa.engine import exceptions as rows_io
from kansa.errors import KansaError
from kansa.vault import sha256_file
from kansa.web import queries, trail
from kansa.web.context import AppContext
from kansa.web.principal import Principal
from kansa.web.routes.auth import _ctx, _me
from kansa.web.templating import render

router = APIRouter(include_in_schema=False)
STATUSES = ("pass", "fail", "error", "not_run")


@router.get("/controls", name="controls")
def controls(
    request: Request, area: str | None = None, framework: str | None = None,
    severity: str | None = None, status: str | None = None,
) -> Response:  # fmt: skip
    filters = {"area": area, "framework": framework, "severity": severity, "status": status}
    rows = queries.catalog_rows(_ctx(request), _me(request), filters)
    return render(request, "controls.html", rows=rows, filters=filters, areas=AREAS,
                  frameworks=FRAMEWORKS, severities=SEVERITIES, statuses=STATUSES)  # fmt: skip


def visible_control(ctx: AppContext, who: Principal, control_id: str) -> Any:
    """The control, or 404 (also for a control outside a control owner's unit: no oracle)."""
    if not queries.can_see_control(ctx, who, control_id):
        raise HTTPException(404, "no such control")
    return ctx.catalog[control_id]


@router.get("/controls/{control_id}", name="control")
def control(request: Request, control_id: str) -> Response:
    ctx, me = _ctx(request), _me(request)
    c = visible_control(ctx, me, control_id)
    return render(request, "control.html", c=c, history=queries.history(ctx, control_id),
                  trail=trail.entries_about(ctx.vault, "control", control_id))  # fmt: skip


def checked_rows_file(
    ctx: AppContext, control_id: str, run: str | None
) -> tuple[ControlResult, Path, tuple[Any, ...]]:
    """The result's exceptions file, refused unless it still has its recorded SHA-256, and
    the key it was checked under (it is hashed again whenever the file's stat changes)."""
    result = queries.result_of(ctx, control_id, run)
    if result is None:
        raise HTTPException(404, "no result for this control")
    path = queries.exceptions_path(ctx, result)
    if path is None:
        raise HTTPException(404, "this result has no exception rows")
    st = path.stat() if path.is_file() else None  # re-hash whenever the file changed
    key = (
        str(path),
        result.exceptions_sha256,
        st.st_mtime_ns if st else 0,
        st.st_size if st else 0,
        st.st_ino if st else 0,
        st.st_ctime_ns if st else 0,
    )
    if key not in ctx.verified_files:
        if not rows_io.verify(path, result.exceptions_sha256):
            raise HTTPException(409, "the exceptions file does not match its ledger hash: "
                                "run `kansa verify`")  # fmt: skip
        ctx.verified_files.add(key)
    return result, path, key


def page_of_rows(
    ctx: AppContext, who: Principal, control_id: str, run: str | None, page: int,
    sort: str | None, desc: bool,
) -> dict[str, Any]:  # fmt: skip
    """One page of exception rows, ledgered as a view by ``who``."""
    visible_control(ctx, who, control_id)
    result, path, key = checked_rows_file(ctx, control_id, run)
    size = ctx.settings.page_size
    total = ctx.exception_pages.count(key, path)
    page = max(1, min(page, max(1, -(-total // size))))
    try:
        cols, rows = ctx.exception_pages.page(key, path, page, size, order_by=sort or None,
                                              descending=desc)  # fmt: skip
    except KansaError as exc:
        raise HTTPException(400, exc.message) from None
    trail.record(ctx.vault, who.username, "view_exceptions", control=control_id,
                 run=result.run_id, page=page, sort=sort, rows=len(rows))  # fmt: skip
    return {"result": result, "columns": cols, "rows": rows, "page": page, "total": total,
            "pages": max(1, -(-total // size)), "sort": sort, "desc": desc}  # fmt: skip


@router.get("/controls/{control_id}/exceptions", name="exceptions")
def exceptions(
    request: Request, control_id: str, run: str | None = None, page: int = 1,
    sort: str | None = None, desc: bool = False,
) -> Response:  # fmt: skip
    ctx = _ctx(request)
    data = page_of_rows(ctx, _me(request), control_id, run, page, sort, desc)
    return render(request, "exceptions.html", c=ctx.catalog[control_id], **data)


EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get("/controls/{control_id}/exceptions.{fmt}", name="exceptions_export")
def exceptions_export(
    request: Request, control_id: str, fmt: str, run: str | None = None
) -> Response:
    """All exception rows as CSV or XLSX (:func:`kansa.engine.exceptions.export`, as
    ``kansa results --export``), with the exported file's SHA-256 on the ledger."""
    ctx, me = _ctx(request), _me(request)
    if fmt not in EXPORT_TYPES:
        raise HTTPException(404, "export as csv or xlsx")
    visible_control(ctx, me, control_id)
    result, path, _key = checked_rows_file(ctx, control_id, run)
    folder = Path(tempfile.mkdtemp(prefix="kansa-export-"))
    out = folder / f"{control_id}-{result.run_id}.{fmt}"

    def _cleanup() -> None:
        out.unlink(missing_ok=True)
        folder.rmdir()

    try:
        n = rows_io.export(path, out)
    except KansaError as exc:  # too many rows for one Excel sheet, control characters
        _cleanup()
        raise HTTPException(400, exc.message) from None
    trail.record(ctx.vault, me.username, "export_exceptions", control=control_id,
                 run=result.run_id, format=fmt, rows=n, sha256=sha256_file(out))  # fmt: skip
    return FileResponse(out, media_type=EXPORT_TYPES[fmt], filename=out.name,
                        background=BackgroundTask(_cleanup))  # fmt: skip

"""The style sheet and the one script shipped in the package (no CDN: the app works offline)."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter(include_in_schema=False)

TYPES = {
    "app.css": "text/css; charset=utf-8",
    "webauthn.js": "text/javascript; charset=utf-8",  # the security-key ceremonies
}


@router.get("/static/{name}", name="static_file")
def static_file(name: str) -> Response:
    if name not in TYPES:  # a fixed list: no path ever reaches the file system
        raise HTTPException(404, "not found")
    body = (resources.files("kansa.web") / "static" / name).read_bytes()
    return Response(body, media_type=TYPES[name], headers={"cache-control": "max-age=3600"})

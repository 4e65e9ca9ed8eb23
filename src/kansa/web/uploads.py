"""A file uploaded through a form, copied to a private temporary folder under its own base name.

Both places that take a browser's file (a finding's attachment, an evidence request's upload)
hand the library a path, as the CLI does. The copy stops at the library's own size cap
(:data:`kansa.findings.discussion.MAX_ATTACHMENT`) so an oversized upload is refused before it
fills the disk, and a client's path ("C:\\\\x\\\\..") never names anything outside the folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import UploadFile

from kansa.findings.discussion import MAX_ATTACHMENT


@contextmanager
def uploaded_file(fields: Mapping[str, Any], missing: str, what: str) -> Iterator[Path]:
    """The form's ``file`` on disk for the ``with`` block, then removed. ``missing`` is the 400
    message when no file was chosen; ``what`` names the files in the 413 message."""
    upload = fields.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise HTTPException(400, missing)
    name = Path(upload.filename.replace("\\", "/")).name
    name = name if name not in ("", ".", "..") else "upload"
    with tempfile.TemporaryDirectory(prefix="kansa-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as out:
            copied = 0
            while chunk := upload.file.read(1 << 20):
                copied += len(chunk)
                if copied > MAX_ATTACHMENT:
                    raise HTTPException(413, f"{what} are at most {MAX_ATTACHMENT:,} bytes")
                out.write(chunk)
        yield path

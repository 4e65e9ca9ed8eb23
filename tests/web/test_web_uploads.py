"""A browser's file, copied for the library: no file is a 400, an oversized one a 413 before it
is written in full, and the client's path never leaves the private folder."""

from __future__ import annotations

import io

import pytest
from fastapi import HTTPException
from starlette.datastructures import UploadFile

import kansa.web.uploads as uploads
from kansa.web.uploads import uploaded_file


def _form(name: str, body: bytes) -> dict[str, UploadFile]:
    return {"file": UploadFile(io.BytesIO(body), filename=name)}


def test_no_file_is_a_400_with_the_callers_message() -> None:
    with pytest.raises(HTTPException) as err, uploaded_file({}, "file: choose one", "uploads"):
        pass
    assert (err.value.status_code, err.value.detail) == (400, "file: choose one")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [("..\\..\\evil.csv", "evil.csv"), ("a/b/../x.pdf", "x.pdf"), ("..", "upload")],
)
def test_the_client_path_is_reduced_to_a_base_name_in_a_private_folder(
    sent: str, kept: str
) -> None:
    with uploaded_file(_form(sent, b"rows"), "missing", "uploads") as path:
        assert path.name == kept and path.read_bytes() == b"rows"
        assert path.parent.name.startswith("kansa-upload-")
        folder = path.parent
    assert not folder.exists()  # removed after the block


def test_an_upload_over_the_cap_is_a_413_naming_what_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(uploads, "MAX_ATTACHMENT", 10)
    with (
        pytest.raises(HTTPException) as err,
        uploaded_file(_form("big.bin", b"x" * 11), "missing", "attachments"),
    ):
        pass
    assert err.value.status_code == 413 and "attachments are at most 10 bytes" in err.value.detail

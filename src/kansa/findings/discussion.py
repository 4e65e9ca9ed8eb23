"""Comments on a finding, and attachments filed in the vault (hashed, on the ledger)."""

from __future__ import annotations

import re
import shutil
import stat
from pathlib import Path

from kansa.appdb import Finding, FindingAction
from kansa.findings.acceptance import reopen_expired
from kansa.findings.recording import load, record, require_text
from kansa.i18n import tr
from kansa.vault import sha256_file
from kansa.workflow import Desk, WorkflowError

MAX_ATTACHMENT = 256 * 1024 * 1024  # a document or an export, not a data set (use ingest)
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")


def comment(desk: Desk, finding_id: int, text: str) -> FindingAction:
    body = require_text(text, "A comment", "コメント")
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.change("commented") as s:
        f = load(s, desk, finding_id)
        return record(s, desk, f, "commented", {"text": body})


def _check_file(path: Path) -> int:
    try:
        st = path.lstat()
    except OSError as exc:
        raise WorkflowError(
            tr(f"Cannot read {path}: {exc.strerror}.", f"{path} を読めません: {exc.strerror}。")
        ) from exc
    if not stat.S_ISREG(st.st_mode):
        raise WorkflowError(
            tr(f"{path} is not a regular file.", f"{path} は通常のファイルではありません。")
        )
    if st.st_size > MAX_ATTACHMENT:
        raise WorkflowError(
            tr(
                f"{path} is {st.st_size:,} bytes: attachments are at most {MAX_ATTACHMENT:,}.",
                f"{path} は {st.st_size:,} バイトです（添付は最大 {MAX_ATTACHMENT:,} バイト）。",
            )
        )
    return st.st_size


def vault_path(finding: Finding, digest: str, name: str) -> str:
    """Where an attachment lives in the vault: by finding and content (the name stays in the
    ledger entry, so odd file names never become paths)."""
    suffix = Path(name).suffix
    return (
        f"attachments/findings/{finding.id}/{digest}{suffix if _SUFFIX.fullmatch(suffix) else ''}"
    )


def attach(desk: Desk, finding_id: int, path: Path, note: str = "") -> FindingAction:
    """Copy ``path`` into the vault (committed with its SHA-256) and record it on the finding."""
    size = _check_file(path)
    reopen_expired(desk)  # its own transaction: a refused step keeps it
    with desk.vault.staging() as staging, desk.change("attached") as s:
        staged = staging / "attachment"
        shutil.copyfile(path, staged, follow_symlinks=False)
        digest = sha256_file(staged)
        f = load(s, desk, finding_id)
        rel = vault_path(f, digest, path.name)
        details = {"name": path.name, "sha256": digest, "size": size, "path": rel,
                   "note": note.strip()}  # fmt: skip
        return record(s, desk, f, "attached", details, {rel: staged})

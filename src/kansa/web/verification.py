"""The verify button: ``kansa verify`` (read-only, under the shared lock), then its result
on the ledger, which is where the overview reads "last verified" from."""

from __future__ import annotations

from typing import Any

from kansa.vault import VerifyReport, verify_vault
from kansa.web import trail
from kansa.web.context import AppContext


def verify_and_record(ctx: AppContext, actor: str) -> VerifyReport:
    with ctx.vault.read_lock():
        report = verify_vault(ctx.vault)
    trail.record(ctx.vault, actor, "verify", **summary(report))
    return report


def summary(report: VerifyReport) -> dict[str, Any]:
    sig = report.signature or {}
    return {
        "ok": report.ok,
        "entries": report.entries,
        "files": report.files,
        "head_seq": report.head_seq,
        "head_hash": report.head_hash,
        "issues": len(report.issues),
        "first_issue": report.issues[0].message if report.issues else None,
        "signed_seq": sig.get("signed_seq"),
        "signed_key": sig.get("key_id"),
    }

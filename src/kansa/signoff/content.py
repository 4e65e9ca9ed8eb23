"""What a sign-off covers (the item's ledger entry hash and its files' SHA-256), and what has
changed since: any change voids the sign-off, and the reasons are shown, never hidden."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kansa.i18n import tr
from kansa.signoff.items import Item
from kansa.vault import LedgerEntry, UnsafeVaultPath, Vault, sha256_file


def covers(item: Item) -> dict[str, Any]:
    """The content hashes a sign-off on ``item`` binds to."""
    return {"entry_seq": item.seq, "entry_hash": item.hash, "files": dict(item.outputs)}


def _file_change(vault: Vault, rel: str, signed: str) -> str | None:
    try:
        path = vault.evidence_path(rel)
        if not path.is_file():
            return tr(f"file {rel} is missing", f"ファイル {rel} がありません")
        now = sha256_file(path)
    except (OSError, UnsafeVaultPath) as exc:
        return tr(f"file {rel} cannot be read ({exc})", f"ファイル {rel} を読めません（{exc}）")
    if now != signed:
        return tr(
            f"file {rel} changed (SHA-256 now {now[:16]}, signed {signed[:16]})",
            f"ファイル {rel} が変更されました（SHA-256 現在 {now[:16]}、署名時 {signed[:16]}）",
        )
    return None


def _entry_change(e: LedgerEntry | None, seq: int, signed_hash: str) -> str | None:
    if e is None:
        return tr(f"ledger entry #{seq} is gone", f"台帳エントリ #{seq} がありません")
    if e.hash != signed_hash:
        return tr(
            f"ledger entry #{seq} changed (hash now {e.hash[:16]}, signed {signed_hash[:16]})",
            f"台帳エントリ #{seq} が変更されました（ハッシュ 現在 {e.hash[:16]}、署名時 "
            f"{signed_hash[:16]}）",
        )
    if e.computed_hash() != e.hash:
        return tr(
            f"ledger entry #{seq} no longer matches its hash (edited)",
            f"台帳エントリ #{seq} の内容がハッシュと一致しません（改変）",
        )
    return None


def changes(
    vault: Vault, by_seq: Mapping[int, LedgerEntry], signed: Mapping[str, Any]
) -> list[str]:
    """Why the content ``signed`` (a :func:`covers` dict) is not what the vault holds now."""
    seq = int(signed["entry_seq"])
    entry = by_seq.get(seq)
    found = _entry_change(entry, seq, str(signed["entry_hash"]))
    reasons = [found] if found else []
    for rel, sha in sorted(dict(signed["files"]).items()):
        if entry is not None and entry.outputs.get(rel) != sha:
            reasons.append(
                tr(
                    f"ledger entry #{seq} no longer lists {rel}",
                    f"台帳エントリ #{seq} に {rel} がありません",
                )
            )
        elif (why := _file_change(vault, rel, str(sha))) is not None:
            reasons.append(why)
    return reasons

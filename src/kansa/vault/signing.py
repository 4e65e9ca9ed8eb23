"""Ed25519 signatures over the ledger head, with the private key kept outside the vault.

Anyone who can write the vault can rewrite the whole chain consistently or cut off its newest
entries; a signature made with a key the vault never holds cannot be forged that way. Each
signature is one canonical JSON line in ``vault/signatures.jsonl``::

    {"algorithm":"ed25519","hash":HEAD_HASH,"key_id":KEY_ID,"public_key":B64,
     "seq":HEAD_SEQ,"signature":B64,"time":ISO8601}

Records written since signatures were chained also carry ``prev``: the SHA-256 of the previous
line of the file (64 zeros for the first), so no record can be dropped or reordered unnoticed
except the newest (anchor that outside the workspace, see docs/vault.md). The signed message is
``kansa-ledger-head-v2\\n{seq}\\n{hash}\\n{time}\\n{prev}\\n`` (``kansa-ledger-head-v1`` and no
``prev`` for older records, which still verify); the fixed prefix keeps the key's signature from
being replayed as anything else; ``key_id`` and ``algorithm`` are checked against the public key,
so no byte of a record can change unnoticed. Ed25519 as in RFC 8032, via the ``cryptography``
package. ``key_id`` is the first 16 hex digits of SHA-256 of the raw public key.

The private key is refused when group or others may read it (``mode & 0o077``) or when it lies
inside the workspace: a key that travels with the evidence protects nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.hashing import canonical_json
from kansa.vault.ledger import GENESIS, LedgerEntry
from kansa.vault.nofollow import (
    ends_with_newline,
    open_regular,
    read_regular,
    truncate_quietly,
    write_all,
)
from kansa.vault.store import SIGNATURES, Vault
from kansa.vault.write_errors import VaultWriteError

PASSPHRASE_ENV = "KANSA_KEY_PASSPHRASE"
_FIELDS_V1 = frozenset({"algorithm", "hash", "key_id", "public_key", "seq", "signature", "time"})
_FIELDS_V2 = _FIELDS_V1 | {"prev"}


def message(seq: int, head_hash: str, time: str, prev: str | None = None) -> bytes:
    if prev is None:  # records written before signatures were chained
        return f"kansa-ledger-head-v1\n{seq}\n{head_hash}\n{time}\n".encode()
    return f"kansa-ledger-head-v2\n{seq}\n{head_hash}\n{time}\n{prev}\n".encode()


def line_hash(raw: bytes) -> str:
    """What the next record's ``prev`` holds: SHA-256 of a line without its newline."""
    return hashlib.sha256(raw).hexdigest()


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def _outside(path: Path, root: Path | None, where: str) -> None:
    if root is not None and path.resolve().is_relative_to(root.resolve()):
        raise KansaError(
            tr(
                f"{path} is inside the {where}; keep signing keys outside it.",
                f"{path} は{'証跡保管庫' if where == 'vault' else 'ワークスペース'}の中です。"
                "署名鍵はその外に置いてください。",
            ),
            hint=tr(
                "A key stored with the evidence protects nothing.",
                "証跡と同じ場所にある鍵では何も守れません。",
            ),
        )


def _outside_vault(path: Path, vault_root: Path | None) -> None:
    _outside(path, vault_root, "vault")


def check_private_key_file(path: Path, workspace_root: Path | None) -> None:
    """Refuse a private key inside the workspace or readable by group/others."""
    _outside(path, workspace_root, "workspace")
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError as exc:
        raise KansaError(
            tr(
                f"Cannot read the private key {path}: {exc.strerror}",
                f"秘密鍵 {path} を読めません: {exc.strerror}",
            )
        ) from None
    if mode & 0o077:
        raise KansaError(
            tr(
                f"The private key {path} may be read by others (mode {mode:04o}); refused.",
                f"秘密鍵 {path} は他のユーザーが読める状態です（モード {mode:04o}）。使用を拒否しました。",
            ),
            hint=tr(f"Run: chmod 600 {path}", f"実行してください: chmod 600 {path}"),
        )


def generate_keypair(
    out: Path, *, vault_root: Path | None = None, workspace_root: Path | None = None
) -> tuple[Path, str]:
    """Write a new private key (PEM, PKCS#8, mode 0600) at ``out`` and its public key beside it
    at ``out.pub``; refuse to overwrite either, or to write inside the vault or the workspace.
    Encrypted if ``$KANSA_KEY_PASSPHRASE`` is set."""
    pub = out.with_name(out.name + ".pub")
    _outside_vault(out, vault_root)
    _outside(out, workspace_root, "workspace")
    for p in (out, pub):
        if p.exists():
            raise KansaError(
                tr(
                    f"{p} exists; not overwriting a key.",
                    f"{p} は既に存在します。鍵は上書きしません。",
                )
            )
    key = Ed25519PrivateKey.generate()
    passphrase = os.environ.get(PASSPHRASE_ENV)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(passphrase.encode())
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), 0o600)
        f.write(pem)
    pub.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return pub, key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    try:
        key = serialization.load_pem_private_key(
            path.read_bytes(), passphrase.encode() if passphrase else None
        )
    except (OSError, ValueError, TypeError) as exc:
        raise KansaError(
            tr(f"Cannot read the private key {path}: {exc}", f"秘密鍵 {path} を読めません: {exc}")
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KansaError(
            tr(
                f"{path} is not an Ed25519 private key.",
                f"{path} は Ed25519 秘密鍵ではありません。",
            )
        )
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise KansaError(
            tr(f"Cannot read the public key {path}: {exc}", f"公開鍵 {path} を読めません: {exc}")
        ) from None
    if not isinstance(key, Ed25519PublicKey):
        raise KansaError(
            tr(f"{path} is not an Ed25519 public key.", f"{path} は Ed25519 公開鍵ではありません。")
        )
    return key


def sign_head(
    vault: Vault, key_path: Path, *, workspace_root: Path | None = None
) -> dict[str, Any]:
    """Sign the current head after verifying the whole vault; append the record; return it.

    ``workspace_root`` (default: the folder holding the vault) must not contain the key."""
    from kansa.vault.verify import verify_vault

    _outside_vault(key_path, vault.root)
    check_private_key_file(key_path, workspace_root or vault.root.parent)
    key = load_private_key(key_path)
    with vault.writer():
        report = verify_vault(vault)
        if not report.ok:
            first = report.issues[0]
            raise KansaError(
                tr(
                    f"The vault does not verify ({first.where}: {first.message}); not signing.",
                    f"証跡保管庫の検証に失敗しました（{first.where}: {first.message}）。署名しません。",
                )
            )
        if report.head_seq is None or report.head_hash is None:
            raise KansaError(
                tr("The ledger is empty; nothing to sign.", "台帳が空です。署名対象がありません。")
            )
        now = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        path = vault.root / SIGNATURES
        existing = read_regular(path) or b""
        lines = existing.split(b"\n")[:-1]
        prev = line_hash(lines[-1]) if lines else GENESIS
        signed = message(report.head_seq, report.head_hash, now, prev)
        record = {
            "algorithm": "ed25519",
            "hash": report.head_hash,
            "key_id": key_id(key.public_key()),
            "prev": prev,
            "public_key": base64.b64encode(raw_public(key.public_key())).decode(),
            "seq": report.head_seq,
            "signature": base64.b64encode(key.sign(signed)).decode(),
            "time": now,
        }
        _append_record(vault, (canonical_json(record) + "\n").encode("utf-8"))
    return record


def _append_record(vault: Vault, line: bytes) -> None:
    """Append under a journal, every byte or none: a full disk cuts the file back (exit 2), a
    kill leaves a journal from which the next writer's recovery cuts the torn line."""
    path = vault.root / SIGNATURES
    fd = open_regular(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    try:
        if not ends_with_newline(fd):  # verify ran above, so this is a race: refuse
            raise KansaError(
                tr(
                    f"{SIGNATURES} does not end in a newline; not signing.",
                    f"{SIGNATURES} が改行で終わっていません。署名しません。",
                )
            )
        size = os.fstat(fd).st_size
        vault.write_journal({"signatures_size": size})
        try:
            write_all(fd, line)
            os.fsync(fd)
        except OSError as exc:
            truncate_quietly(fd, size)
            if os.fstat(fd).st_size == size:  # back as it was: the journal is not needed
                with suppress(OSError):
                    vault.clear_journal()
            raise VaultWriteError(SIGNATURES, exc) from None
        vault.clear_journal()
    finally:
        os.close(fd)


def _read_records(path: Path) -> list[tuple[int, bytes, dict[str, Any] | None, str]]:
    """(line, raw bytes, record or None, reason) for each line of the signatures file."""
    out: list[tuple[int, bytes, dict[str, Any] | None, str]] = []
    data = read_regular(path)
    if not data:
        return out
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    else:
        out.append((len(lines), lines[-1], None, "no final newline"))
        lines.pop()
    for no, raw in enumerate(lines, start=1):
        try:
            rec = json.loads(raw.decode("utf-8"))
            ok = isinstance(rec, dict) and set(rec) in (_FIELDS_V1, _FIELDS_V2)
            ok = ok and canonical_json(rec).encode("utf-8") == raw
        except (UnicodeDecodeError, json.JSONDecodeError):
            ok, rec = False, None
        out.append((no, raw, rec if ok else None, "" if ok else "not a canonical signature record"))
    out.sort(key=lambda t: t[0])
    return out


def _record_issue(
    rec: dict[str, Any], by_seq: dict[int, LedgerEntry], head_seq: int | None
) -> str | None:
    """Why a record does not hold, or None."""
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(rec["public_key"], validate=True))
        prev = rec.get("prev")
        pub.verify(
            base64.b64decode(rec["signature"], validate=True),
            message(int(rec["seq"]), str(rec["hash"]), str(rec["time"]), prev),
        )
        if rec["algorithm"] != "ed25519" or rec["key_id"] != key_id(pub):
            raise ValueError("key id or algorithm does not match the key")
    except (InvalidSignature, ValueError, TypeError):
        return tr("the signature does not verify", "署名が検証できません")
    seq = int(rec["seq"])
    if seq not in by_seq:
        return tr(
            f"it signs entry {seq}, but the ledger ends at {head_seq} (entries were cut off)",
            f"エントリ {seq} に署名していますが、台帳は {head_seq} で終わっています（末尾が削除されています）",
        )
    if by_seq[seq].hash != rec["hash"]:
        return tr(
            f"it signs a different entry {seq} than the ledger now holds (the ledger was rewritten)",
            f"署名されたエントリ {seq} と現在の台帳のエントリが異なります（台帳が書き換えられています）",
        )
    return None


def _order_issue(rec: dict[str, Any], prev_line: str, before: dict[str, Any] | None) -> str | None:
    """A chained record must link to the line before it; seq and time never go backwards."""
    if "prev" in rec and rec["prev"] != prev_line:
        return tr(
            "it does not link to the line before it: a signature record was removed, "
            "inserted or reordered",
            "直前の行につながっていません。署名記録が削除・挿入・並べ替えされています",
        )
    if before is not None and int(rec["seq"]) < int(before["seq"]):
        return tr(
            f"it signs entry {rec['seq']}, older than the record before it ({before['seq']})",
            f"直前の記録（{before['seq']}）より古いエントリ {rec['seq']} に署名しています",
        )
    if before is not None and str(rec["time"]) < str(before["time"]):
        return tr(
            f"it was made at {rec['time']}, before the record above it ({before['time']})",
            f"作成時刻 {rec['time']} が直前の記録（{before['time']}）より前です",
        )
    return None


def check_signatures(
    vault: Vault, entries: list[LedgerEntry], public_key: Ed25519PublicKey | None
) -> tuple[list[Any], dict[str, Any] | None]:
    """Issues with the signatures file, and what the newest (trusted) signature covers."""
    from kansa.vault.verify import Issue

    issues: list[Issue] = []
    by_seq = {e.seq: e for e in entries}
    head_seq = entries[-1].seq if entries else None
    valid: list[dict[str, Any]] = []
    prev_line, before = GENESIS, None
    for no, raw, rec, reason in _read_records(vault.root / SIGNATURES):
        why = reason if rec is None else _record_issue(rec, by_seq, head_seq)
        if rec is not None and not why:
            why = _order_issue(rec, prev_line, before)
        if why:
            issues.append(Issue("signature", f"{SIGNATURES} line {no}", why))
        elif rec is not None:
            valid.append(rec)
            before = rec
        prev_line = line_hash(raw)
    trusted = valid
    if public_key is not None:
        raw_key = base64.b64encode(raw_public(public_key)).decode()
        trusted = [r for r in valid if r["public_key"] == raw_key]
        if not trusted:
            issues.append(
                Issue(
                    "signature",
                    SIGNATURES,
                    tr(
                        f"no valid signature by the trusted key {key_id(public_key)}",
                        f"信頼する鍵 {key_id(public_key)} による有効な署名がありません",
                    ),
                )
            )
    if not trusted:
        return issues, None
    newest = trusted[-1]
    status = {
        "key_id": newest["key_id"],
        "signed_seq": newest["seq"],
        "signed_hash": newest["hash"],
        "time": newest["time"],
        "trusted_key": public_key is not None,
        "unsigned_entries": 0 if head_seq is None else head_seq - int(newest["seq"]),
        "chained": "prev" in newest,
    }
    return issues, status

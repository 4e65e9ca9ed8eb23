"""Ed25519 signatures over the ledger head, with the private key kept outside the vault.

Anyone who can write the vault can rewrite the whole chain consistently or cut off its newest
entries; a signature made with a key the vault never holds cannot be forged that way. Each
signature is one canonical JSON line in ``vault/signatures.jsonl``::

    {"algorithm":"ed25519","hash":HEAD_HASH,"key_id":KEY_ID,"public_key":B64,
     "seq":HEAD_SEQ,"signature":B64,"time":ISO8601}

The signed message is ``kansa-ledger-head-v1\\n{seq}\\n{hash}\\n{time}\\n`` (a fixed prefix so
that the key's signature cannot be replayed as anything else); ``key_id`` and ``algorithm`` are
checked against the public key, so no byte of a record can change unnoticed. Ed25519 as in RFC 8032, via the
``cryptography`` package. ``key_id`` is the first 16 hex digits of SHA-256 of the raw public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.hashing import canonical_json
from kansa.vault.ledger import LedgerEntry
from kansa.vault.store import SIGNATURES, Vault

PASSPHRASE_ENV = "KANSA_KEY_PASSPHRASE"
_FIELDS = ("algorithm", "hash", "key_id", "public_key", "seq", "signature", "time")


def message(seq: int, head_hash: str, time: str) -> bytes:
    return f"kansa-ledger-head-v1\n{seq}\n{head_hash}\n{time}\n".encode()


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(key)).hexdigest()[:16]


def _outside_vault(path: Path, vault_root: Path | None) -> None:
    if vault_root is not None and path.resolve().is_relative_to(vault_root.resolve()):
        raise KansaError(
            tr(
                f"{path} is inside the vault; keep signing keys outside it.",
                f"{path} は証跡保管庫の中です。署名鍵は保管庫の外に置いてください。",
            ),
            hint=tr(
                "A key stored with the evidence protects nothing.",
                "証跡と同じ場所にある鍵では何も守れません。",
            ),
        )


def generate_keypair(out: Path, *, vault_root: Path | None = None) -> tuple[Path, str]:
    """Write a new private key (PEM, PKCS#8, mode 0600) at ``out`` and its public key beside it
    at ``out.pub``; refuse to overwrite either. Encrypted if ``$KANSA_KEY_PASSPHRASE`` is set."""
    pub = out.with_name(out.name + ".pub")
    _outside_vault(out, vault_root)
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
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
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


def sign_head(vault: Vault, key_path: Path) -> dict[str, Any]:
    """Sign the current head after verifying the whole vault; append the record; return it."""
    from kansa.vault.verify import verify_vault

    _outside_vault(key_path, vault.root)
    key = load_private_key(key_path)
    with vault.lock():
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
        signed = message(report.head_seq, report.head_hash, now)
        record = {
            "algorithm": "ed25519",
            "hash": report.head_hash,
            "key_id": key_id(key.public_key()),
            "public_key": base64.b64encode(raw_public(key.public_key())).decode(),
            "seq": report.head_seq,
            "signature": base64.b64encode(key.sign(signed)).decode(),
            "time": now,
        }
        line = (canonical_json(record) + "\n").encode("utf-8")
        fd = os.open(vault.root / SIGNATURES, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    return record


def _read_records(path: Path) -> list[tuple[int, dict[str, Any] | None, str]]:
    """(line, record or None, reason) for each line of the signatures file."""
    out: list[tuple[int, dict[str, Any] | None, str]] = []
    if not path.exists():
        return out
    data = path.read_bytes()
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    elif data:
        out.append((len(lines), None, "no final newline"))
    for no, raw in enumerate(lines, start=1):
        try:
            rec = json.loads(raw.decode("utf-8"))
            ok = isinstance(rec, dict) and set(rec) == set(_FIELDS)
            ok = ok and canonical_json(rec).encode("utf-8") == raw
        except (UnicodeDecodeError, json.JSONDecodeError):
            ok, rec = False, None
        out.append((no, rec if ok else None, "" if ok else "not a canonical signature record"))
    return out


def _record_issue(
    rec: dict[str, Any], by_seq: dict[int, LedgerEntry], head_seq: int | None
) -> str | None:
    """Why a record does not hold, or None."""
    try:
        pub = Ed25519PublicKey.from_public_bytes(base64.b64decode(rec["public_key"], validate=True))
        pub.verify(
            base64.b64decode(rec["signature"], validate=True),
            message(int(rec["seq"]), str(rec["hash"]), str(rec["time"])),
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


def check_signatures(
    vault: Vault, entries: list[LedgerEntry], public_key: Ed25519PublicKey | None
) -> tuple[list[Any], dict[str, Any] | None]:
    """Issues with the signatures file, and what the newest (trusted) signature covers."""
    from kansa.vault.verify import Issue

    issues: list[Issue] = []
    by_seq = {e.seq: e for e in entries}
    head_seq = entries[-1].seq if entries else None
    valid: list[dict[str, Any]] = []
    for no, rec, reason in _read_records(vault.root / SIGNATURES):
        why = reason if rec is None else _record_issue(rec, by_seq, head_seq)
        if why:
            issues.append(Issue("signature", f"{SIGNATURES} line {no}", why))
        elif rec is not None:
            valid.append(rec)
    trusted = valid
    if public_key is not None:
        raw = base64.b64encode(raw_public(public_key)).decode()
        trusted = [r for r in valid if r["public_key"] == raw]
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
    }
    return issues, status

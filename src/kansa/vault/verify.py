"""Re-hash the whole vault and walk the ledger: is every byte what the ledger vouches for?

Checks, in ledger order so that the first problem reported is the earliest one:

* every ledger line is a complete, canonical entry (byte-for-byte the form ``append`` writes,
  so even a change that would parse to the same JSON is caught), ``seq`` counts 0, 1, 2...
  (catches removed, inserted and reordered entries), ``prev`` is the previous entry's hash
  (the chain) and ``hash`` is the SHA-256 of the entry's other fields;
* every file an entry produced exists and has the SHA-256 it recorded;
* no other file is in the vault (bookkeeping files excepted: lock, staging, journal);
* the signatures file (:mod:`kansa.vault.signing`) is intact and, when a trusted public key is
  given, the newest signature by it covers a prefix of this ledger.

* entry times never go backwards; signature records link to the line before them;
* no vault file or folder is a symbolic link (links are reported, never followed);
* every head the caller anchored outside the workspace (``expected_heads``, from
  ``kansa verify --expect-head SEQ:HASH`` / ``--known-heads FILE``) is still in the ledger,
  unchanged: this is what catches a ledger cut short or a whole workspace restored from an
  older copy, which a chain alone cannot show;
* an empty ledger is reported: verifying nothing is not a pass.

Verification only reads: it takes the shared lock when a lock file exists, never recovers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kansa.i18n import tr
from kansa.vault.ledger import GENESIS, LedgerEntry
from kansa.vault.nofollow import (
    UnsafeVaultPath,
    lstat_in,
    lstat_or_none,
    read_regular,
    refuse_link,
    sha256_in,
)
from kansa.vault.store import BOOKKEEPING_FILES, LEDGER, PENDING, RESERVED, STAGING, Vault


@dataclass(frozen=True)
class Issue:
    """One thing wrong, with where it is (a ledger line or a vault-relative path)."""

    kind: str
    where: str
    message: str
    seq: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "where": self.where, "message": self.message, "seq": self.seq}


@dataclass
class VerifyReport:
    entries: int = 0
    files: int = 0
    bytes_hashed: int = 0
    head_seq: int | None = None
    head_hash: str | None = None
    issues: list[Issue] = field(default_factory=list)
    signature: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return not self.issues

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "files": self.files,
            "bytes_hashed": self.bytes_hashed,
            "head": None
            if self.head_seq is None
            else {"seq": self.head_seq, "hash": self.head_hash},
            "first_issue": self.issues[0].to_json() if self.issues else None,
            "issues": [i.to_json() for i in self.issues],
            "signature": self.signature,
        }


def layout_issues(vault: Vault) -> list[Issue]:
    """The vault folder or a bookkeeping file/folder that is a link (or the wrong kind)."""
    checks = [(vault.root, "vault/", True), (vault.root / STAGING, STAGING, True)]
    checks += [(vault.root / name, name, False) for name in BOOKKEEPING_FILES]
    issues = []
    for path, where, want_dir in checks:
        try:
            refuse_link(path, where, want_dir=want_dir)
        except UnsafeVaultPath:
            issues.append(
                Issue(
                    "unsafe-path",
                    where,
                    tr(
                        "is a symbolic link or not a plain file/folder; not followed",
                        "はシンボリックリンク、または通常のファイル・フォルダではありません（辿りません）",
                    ),
                )
            )
    return issues


def _ledger_lines(path: Path) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes without the newline, whether it ended with a newline)."""
    data = read_regular(path)
    if data is None:
        return
    start = 0
    no = 0
    while start < len(data):
        no += 1
        end = data.find(b"\n", start)
        if end < 0:
            yield no, data[start:], False
            return
        yield no, data[start:end], True
        start = end + 1


def _parse(raw: bytes) -> LedgerEntry:
    obj = json.loads(raw.decode("utf-8"))
    if not isinstance(obj, dict):
        raise ValueError("not an object")
    return LedgerEntry.from_dict(obj)


def check_ledger(path: Path, report: VerifyReport) -> list[LedgerEntry]:
    """Walk the chain; append an issue for each bad line. Returns the entries that parsed."""
    entries: list[LedgerEntry] = []
    prev: str | None = GENESIS
    where = LEDGER
    for no, raw, terminated in _ledger_lines(path):
        loc = f"{where} line {no}"
        try:
            e = _parse(raw)
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            report.issues.append(
                Issue(
                    "ledger-unreadable",
                    loc,
                    tr(f"not a ledger entry ({exc})", f"台帳エントリとして読めません（{exc}）"),
                )
            )
            prev = None
            continue
        report.entries += 1
        issue = _entry_issue(e, raw, terminated, no - 1, prev, loc) or _time_issue(
            e, entries[-1] if entries else None, loc
        )
        if issue is not None:
            report.issues.append(issue)
        prev = e.hash
        entries.append(e)
    if entries:
        report.head_seq, report.head_hash = entries[-1].seq, entries[-1].hash
    return entries


def _time_issue(e: LedgerEntry, before: LedgerEntry | None, loc: str) -> Issue | None:
    """Entry times never go backwards (the writer keeps them so even if the clock steps back)."""
    try:
        t = datetime.fromisoformat(e.time)
        earlier = before is not None and t < datetime.fromisoformat(before.time)
    except (ValueError, TypeError):
        return Issue(
            "ledger-time",
            loc,
            tr(f"entry {e.seq} has no valid time", f"エントリ {e.seq} の時刻が不正です"),
            e.seq,
        )
    if not earlier or before is None:
        return None
    return Issue(
        "ledger-time",
        loc,
        tr(
            f"entry {e.seq} is dated {e.time}, before entry {before.seq} ({before.time}): "
            "times go backwards",
            f"エントリ {e.seq} の時刻 {e.time} がエントリ {before.seq}（{before.time}）より前です",
        ),
        e.seq,
    )


def check_expected_heads(
    entries: list[LedgerEntry], expected: Sequence[tuple[int, str]], report: VerifyReport
) -> None:
    """Each head anchored outside the workspace must still be in the ledger, unchanged."""
    by_seq = {e.seq: e for e in entries}
    for seq, digest in expected:
        where = f"{seq}:{digest}"
        if seq not in by_seq:
            report.issues.append(
                Issue(
                    "rollback",
                    where,
                    tr(
                        f"the anchored entry {seq} is missing: the ledger ends at "
                        f"{report.head_seq} (entries were cut off or an older copy restored)",
                        f"記録済みのエントリ {seq} がありません。台帳は {report.head_seq} で"
                        "終わっています（末尾の削除または古い複製への差し替え）",
                    ),
                    seq,
                )
            )
        elif by_seq[seq].hash != digest:
            report.issues.append(
                Issue(
                    "rollback",
                    where,
                    tr(
                        f"entry {seq} now has hash {by_seq[seq].hash}, not the anchored one "
                        "(the ledger was rewritten)",
                        f"エントリ {seq} のハッシュ {by_seq[seq].hash} が記録済みの値と異なります"
                        "（台帳が書き換えられています）",
                    ),
                    seq,
                )
            )


def _entry_issue(
    e: LedgerEntry, raw: bytes, terminated: bool, index: int, prev: str | None, loc: str
) -> Issue | None:
    if not terminated:
        return Issue(
            "ledger-torn",
            loc,
            tr(
                "the last entry has no final newline (cut short or altered)",
                "最後のエントリに改行がありません（途中切れまたは改変）",
            ),
            e.seq,
        )
    if e.seq != index:
        return Issue(
            "ledger-order",
            loc,
            tr(
                f"entry has seq {e.seq} but is number {index} in the file (an entry was removed, inserted or moved)",
                f"seq {e.seq} のエントリがファイル上 {index} 番目にあります（削除・挿入・並べ替え）",
            ),
            e.seq,
        )
    if e.computed_hash() != e.hash:
        return Issue(
            "ledger-changed",
            loc,
            tr(
                f"entry {e.seq} was changed: its content no longer matches its hash",
                f"エントリ {e.seq} が改変されています（内容とハッシュが一致しません）",
            ),
            e.seq,
        )
    if prev is not None and e.prev != prev:
        return Issue(
            "ledger-chain",
            loc,
            tr(
                f"entry {e.seq} does not link to the entry before it (broken chain)",
                f"エントリ {e.seq} が直前のエントリにつながっていません（チェーン断絶）",
            ),
            e.seq,
        )
    if e.to_line().encode("utf-8") != raw + b"\n":
        return Issue(
            "ledger-changed",
            loc,
            tr(
                f"entry {e.seq} is not in its written form (bytes were changed)",
                f"エントリ {e.seq} が書き込み時の形式と異なります（バイトが改変されています）",
            ),
            e.seq,
        )
    return None


def _vault_files(root: Path) -> Iterator[str]:
    """Every file (or link) under the vault, vault-relative, bookkeeping names excepted."""
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if rel_dir == Path("."):
            dirnames[:] = [d for d in dirnames if d not in RESERVED]
            filenames = [f for f in filenames if f not in RESERVED]
        for d in dirnames:
            if (Path(dirpath) / d).is_symlink():
                yield (rel_dir / d).as_posix()
        for f in filenames:
            yield (rel_dir / f).as_posix()


def _hash_or_none(root: Path, rel: str) -> tuple[str, int] | None:
    """Hash and size, or None for a missing file, a link, or a path outside the vault."""
    try:
        return sha256_in(root, rel)
    except UnsafeVaultPath:
        return None


def _missing(root: Path, rel: str) -> bool:
    try:
        return lstat_in(root, rel) is None
    except UnsafeVaultPath:
        return False


def check_files(
    vault: Vault,
    entries: list[LedgerEntry],
    report: VerifyReport,
    on_file: Callable[[int], None] | None = None,
) -> None:
    """Every output of every entry exists with its hash; nothing else is in the vault."""
    claims: dict[str, tuple[str, int]] = {}
    for e in entries:
        for rel, digest in e.outputs.items():
            if rel in claims and claims[rel][0] != digest:
                report.issues.append(
                    Issue(
                        "file-conflict",
                        rel,
                        tr(
                            f"entries {claims[rel][1]} and {e.seq} record different hashes for it",
                            f"エントリ {claims[rel][1]} と {e.seq} で異なるハッシュが記録されています",
                        ),
                        e.seq,
                    )
                )
            claims.setdefault(rel, (digest, e.seq))
    paths = list(claims)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        actual = dict(
            zip(paths, pool.map(lambda r: _hash_or_none(vault.root, r), paths), strict=True)
        )
    for rel in paths:
        digest, seq = claims[rel]
        report.files += 1
        found = actual[rel]
        if found is None:
            what = (
                tr("is missing", "がありません")
                if _missing(vault.root, rel)
                else tr("is not a regular file", "は通常のファイルではありません")
            )
            report.issues.append(
                Issue(
                    "file-missing",
                    rel,
                    tr(f"produced by entry {seq}, {what}", f"エントリ {seq} の出力ファイル{what}"),
                    seq,
                )
            )
        elif found[0] != digest:
            report.issues.append(
                Issue(
                    "file-changed",
                    rel,
                    tr(
                        f"content changed since entry {seq} (sha256 {found[0]}, recorded {digest})",
                        f"エントリ {seq} 以降に内容が変わっています（sha256 {found[0]}、記録 {digest}）",
                    ),
                    seq,
                )
            )
        else:
            report.bytes_hashed += found[1]
        if on_file:
            on_file(report.files)
    for rel in sorted(_vault_files(vault.root)):
        if rel not in claims:
            report.issues.append(
                Issue(
                    "file-unreferenced",
                    rel,
                    tr(
                        "is in the vault but no ledger entry produced it",
                        "台帳のどのエントリも生成していないファイルです",
                    ),
                )
            )
    if lstat_or_none(vault.root / PENDING) is not None:
        report.issues.append(
            Issue(
                "pending",
                PENDING,
                tr(
                    "a commit was interrupted and not yet rolled back (run `kansa verify --recover`)",
                    "中断されたコミットが未処理です（`kansa verify --recover` を実行）",
                ),
            )
        )


def _sort_issues(report: VerifyReport) -> None:
    """Earliest first: ledger problems by line, file problems by the entry that made the file
    (at that entry's position), then files no entry explains."""

    def key(i: Issue) -> tuple[int, int]:
        if i.kind.startswith("ledger"):
            return (_line_of(i.where) - 1, 0)
        return (i.seq if i.seq is not None else 1 << 62, 1)

    report.issues.sort(key=key)


def _line_of(where: str) -> int:
    try:
        return int(where.rsplit(" ", 1)[-1])
    except ValueError:
        return 1 << 62


def verify_vault(
    vault: Vault,
    *,
    public_key: Any | None = None,
    expected_heads: Sequence[tuple[int, str]] = (),
    on_file: Callable[[int], None] | None = None,
) -> VerifyReport:
    """Check everything; read only. ``public_key`` (Ed25519, trusted, from outside the vault)
    and ``expected_heads`` ((seq, hash) pairs anchored outside the workspace) are optional."""
    from kansa.vault.signing import check_signatures

    report = VerifyReport()
    report.issues += layout_issues(vault)
    if report.issues:
        return report  # links in the vault's own files: read nothing through them
    entries = check_ledger(vault.ledger.path, report)
    if not entries and not report.issues:
        report.issues.append(
            Issue(
                "ledger-empty",
                LEDGER,
                tr(
                    "the ledger is empty or missing: there is nothing to verify",
                    "台帳が空（または存在しません）。検証対象がありません",
                ),
            )
        )
    check_files(vault, entries, report, on_file)
    check_expected_heads(entries, expected_heads, report)
    _sort_issues(report)
    sig_issues, report.signature = check_signatures(vault, entries, public_key)
    report.issues += sig_issues
    return report

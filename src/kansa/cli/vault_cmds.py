"""``kansa verify``, ``kansa ledger show|head|sign`` and ``kansa keys generate``."""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from rich.text import Text

from kansa.cli.context import console, err_console, state, workspace
from kansa.cli.terminal import print_json, verbatim
from kansa.errors import KansaError, WorkspaceNotFound
from kansa.i18n import tr
from kansa.ingest.progress import Reporter
from kansa.vault import (
    LedgerCorrupt,
    LedgerEntry,
    Vault,
    VerifyReport,
    generate_keypair,
    load_public_key,
    sign_head,
    verify_vault,
)
from kansa.vault.nofollow import UnsafeVaultPath
from kansa.vault.shared import verify_shared, verify_shared_exceptions
from kansa.workspace import Workspace, find_workspace

ledger_app = typer.Typer(
    help="The hash-chained ledger of the evidence vault. / 証跡台帳。", no_args_is_help=True
)
keys_app = typer.Typer(
    help="Ed25519 keys for signing the ledger head. / 台帳署名用の鍵。", no_args_is_help=True
)


class NotIntact(KansaError):
    """The vault failed verification (exit code 1); details were printed already."""

    exit_code = 1


def _print_json(obj: Any) -> None:
    print_json(obj)


def _signature_line(sig: dict[str, Any] | None, trusted: bool) -> str:
    if sig is None:
        return tr("Ledger head not signed.", "台帳の先頭は未署名です。")
    text = tr(
        f"Signed up to entry {sig['signed_seq']} by key {sig['key_id']} ({sig['time']})",
        f"エントリ {sig['signed_seq']} まで鍵 {sig['key_id']} で署名済み（{sig['time']}）",
    )
    if sig["unsigned_entries"]:
        text += tr(
            f"; unsigned newer entries: {sig['unsigned_entries']}",
            f"。それ以降の {sig['unsigned_entries']} 件は未署名",
        )
    if not trusted:
        text += tr(
            " (not checked against a trusted key: pass --public-key)",
            "（信頼する公開鍵で未確認: --public-key を指定）",
        )
    return text + "."


def _show_report(report: VerifyReport, recovered: list[str], trusted: bool) -> None:
    for rel in recovered:
        err_console.print(
            Text(
                tr(
                    f"recovered: removed {rel} (left by an interrupted run)",
                    f"復旧: 中断された処理の残骸 {rel} を削除",
                )
            ),
            soft_wrap=True,
        )
    if report.ok:
        console.print(
            Text(
                tr(
                    f"Vault intact: {report.entries} ledger entries, {report.files} files "
                    f"({report.bytes_hashed / 1e6:,.1f} MB) re-hashed.",
                    f"証跡保管庫は完全です: 台帳 {report.entries} 件、ファイル {report.files} 件"
                    f"（{report.bytes_hashed / 1e6:,.1f} MB）を再計算しました。",
                ),
                style="green",
            ),
            soft_wrap=True,
        )
        if report.head_seq is not None:
            console.print(
                Text(
                    tr(
                        f"Head: entry {report.head_seq} {report.head_hash}",
                        f"先頭: エントリ {report.head_seq} {report.head_hash}",
                    )
                ),
                soft_wrap=True,
            )
        console.print(Text(_signature_line(report.signature, trusted)), soft_wrap=True)
        return
    first = report.issues[0]
    err_console.print(
        Text(
            tr("Vault NOT intact. First problem:", "証跡保管庫に異常があります。最初の問題:"),
            style="bold red",
        ),
        soft_wrap=True,
    )
    err_console.print(Text(f"  {first.where}: {first.message}"), soft_wrap=True)
    for other in report.issues[1:10]:
        err_console.print(Text(f"  {other.where}: {other.message}", style="dim"), soft_wrap=True)
    if len(report.issues) > 10:
        err_console.print(
            Text(
                tr(
                    f"  ... and {len(report.issues) - 10} more",
                    f"  ... ほか {len(report.issues) - 10} 件",
                ),
                style="dim",
            ),
            soft_wrap=True,
        )


_ANCHOR = re.compile(r"(\d+):([0-9a-f]{64})")


def parse_anchor(text: str, where: str) -> tuple[int, str]:
    """``SEQ:HASH`` (as `kansa ledger head` prints it) -> (seq, hash); exit 2 otherwise."""
    match = _ANCHOR.fullmatch(text.strip())
    if match is None:
        raise KansaError(
            tr(
                f"{where}: expected SEQ:HASH (a number, a colon, 64 lowercase hex digits), "
                f"got {text.strip()[:80]!r}",
                f"{where}: SEQ:HASH 形式（数字、コロン、16 進 64 桁の小文字）が必要です。"
                f"入力: {text.strip()[:80]!r}",
            )
        )
    return int(match.group(1)), match.group(2)


def read_known_heads(path: Path) -> list[tuple[int, str]]:
    """One SEQ:HASH per line; blank lines and lines starting with # are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KansaError(tr(f"Cannot read {path}: {exc}", f"{path} を読めません: {exc}")) from None
    heads = []
    for no, line in enumerate(text.splitlines(), start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            heads.append(parse_anchor(line, f"{path} line {no}"))
    return heads


def verify(
    ctx: typer.Context,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key", help="Trusted Ed25519 public key (PEM) the head must be signed with."
        ),
    ] = None,
    expect_head: Annotated[
        list[str] | None,
        typer.Option(
            "--expect-head",
            help="SEQ:HASH the ledger must still contain (from `kansa ledger head`, kept "
            "outside the workspace); repeatable.",
        ),
    ] = None,
    known_heads: Annotated[
        Path | None,
        typer.Option("--known-heads", help="File of SEQ:HASH lines the ledger must contain."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    recover: Annotated[
        bool,
        typer.Option(
            "--recover",
            help="First roll back a commit an interrupted writer left (takes the writer lock "
            "and writes). Without it verify only reads.",
        ),
    ] = False,
    no_recover: Annotated[
        bool, typer.Option("--no-recover", hidden=True, help="The default now; kept for scripts.")
    ] = False,
) -> None:
    """Re-hash every file in the vault and the whole ledger; exit 1 naming the first problem.

    Read only unless --recover: safe on a workspace someone else handed over."""
    ws = workspace(ctx)
    vault = Vault(ws.vault_dir)
    if not vault.root.is_dir() and not vault.root.is_symlink():
        raise KansaError(
            tr(f"No vault at {vault.root}.", f"{vault.root} に証跡保管庫がありません。")
        )
    trusted = load_public_key(public_key) if public_key else None
    expected = [parse_anchor(h, "--expect-head") for h in expect_head or []]
    if known_heads is not None:
        expected += read_known_heads(known_heads)
    recovered: list[str] = []
    if recover and not no_recover:
        with vault.writer() as removed:
            recovered = removed
    report = _verify_read_only(vault, trusted, expected, as_json)
    shared = _verify_shared_copy(ws, vault, report, quiet=as_json)
    shared_runs = _verify_shared_exceptions(vault, report, quiet=as_json)
    if as_json:
        _print_json(
            {
                **report.to_json(),
                "recovered": recovered,
                "shared_copy": shared,
                "shared_exceptions": shared_runs,
            }
        )
    else:
        _show_report(report, recovered, trusted is not None)
    if not report.ok:
        n = len(report.issues)
        raise NotIntact(
            tr(
                f"the vault is not intact ({n} problem(s)).",
                f"証跡保管庫に異常があります（{n} 件）。",
            )
        )


def _verify_shared_copy(
    ws: Workspace, vault: Vault, report: VerifyReport, *, quiet: bool
) -> dict[str, Any] | None:
    """With ``[spark] snapshot_root`` set: the copies executors read, checked against the
    ledger's hashes (a local folder here; an object store is checked by Spark as it reads)."""
    root = ws.config.spark.snapshot_root
    if root is None:
        return None
    checked = verify_shared(report, root, _entries_or_empty(vault))
    if quiet:
        pass
    elif checked is None:
        console.print(
            Text(
                tr(
                    f"Snapshot copies at {root}: not readable from here; Spark re-hashes each "
                    "file there before an analysis reads it.",
                    f"{root} のスナップショットのコピー: ここからは読めません。分析の前に Spark が"
                    "各ファイルを再計算します。",
                ),
                style="yellow",
            ),
            soft_wrap=True,
        )
    elif not any(i.kind == "shared-copy" for i in report.issues):
        console.print(
            Text(
                tr(
                    f"Snapshot copies at {root}: {checked} file(s) match the ledger.",
                    f"{root} のスナップショットのコピー: {checked} 件が台帳と一致しました。",
                ),
                style="green",
            ),
            soft_wrap=True,
        )
    return {"root": root, "checked": checked}


def _verify_shared_exceptions(
    vault: Vault, report: VerifyReport, *, quiet: bool
) -> dict[str, int | None]:
    """The exception sets Spark runs left on a shared root (the root their ledger entry names),
    checked against the ledger's hashes when that root is a folder this machine reads."""
    if any(i.kind != "shared-copy" for i in report.issues):
        return {}  # the vault itself is damaged (reported already): trust none of its ledger
    before = len(report.issues)
    checked = verify_shared_exceptions(report, _entries_or_empty(vault))
    altered = {i.where for i in report.issues[before:]}
    for root, n in [] if quiet else sorted(checked.items()):
        if n is None:
            en = f"Exception sets at {root}: not readable from here (an object store)."
            ja = f"{root} の例外セット: ここからは読めません（オブジェクトストア）。"
            style = "yellow"
        elif altered:
            continue  # the issues are listed with the report
        else:
            en = f"Exception sets at {root}: {n} file(s) match the ledger."
            ja = f"{root} の例外セット: {n} 件が台帳と一致しました。"
            style = "green"
        console.print(Text(tr(en, ja), style=style), soft_wrap=True)
    return checked


def _verify_read_only(
    vault: Vault, trusted: Any, expected: list[tuple[int, str]], quiet: bool
) -> VerifyReport:
    """Under the shared lock when the vault's own files are plain (else report the links)."""
    with ExitStack() as stack:
        try:
            stack.enter_context(vault.read_lock())
        except UnsafeVaultPath:
            return verify_vault(vault, public_key=trusted, expected_heads=expected)
        total = sum(len(e.outputs) for e in _entries_or_empty(vault))
        reporter = stack.enter_context(Reporter(not quiet))
        reporter.stage(tr("Re-hashing the vault", "証跡保管庫を再計算中"), total=max(total, 1))
        return verify_vault(
            vault, public_key=trusted, expected_heads=expected, on_file=reporter.update
        )


def _entries_or_empty(vault: Vault) -> list[LedgerEntry]:
    try:
        return vault.ledger.entries()
    except LedgerCorrupt:
        return []


def _entries(vault: Vault) -> list[LedgerEntry]:
    try:
        return vault.ledger.entries()
    except LedgerCorrupt as exc:
        raise KansaError(
            tr(f"The ledger is damaged ({exc}).", f"台帳が破損しています（{exc}）。"),
            hint=tr("Run `kansa verify` for details.", "`kansa verify` で詳細を確認してください。"),
        ) from None


def _summary(e: LedgerEntry) -> str:
    p = e.payload
    if e.kind == "ingest":
        src = p.get("source", {}).get("name", "")
        return f"{p.get('dataset')} {p.get('rows', '?')} rows <- {src}"
    keys = ("control_id", "control", "dataset", "as_of", "title", "report")
    return " ".join(f"{k}={p[k]}" for k in keys if k in p)[:80]


@ledger_app.command("show")
def ledger_show(
    ctx: typer.Context,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only entries of this kind (ingest, run, report...)."),
    ] = None,
    last: Annotated[int | None, typer.Option("--last", help="Only the newest N entries.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """List ledger entries, oldest first."""
    entries = [
        e for e in _entries(Vault(workspace(ctx).vault_dir)) if kind is None or e.kind == kind
    ]
    if last is not None:
        entries = entries[-last:] if last > 0 else []
    if as_json:
        _print_json([{**e.body(), "hash": e.hash} for e in entries])
        return
    table = Table(title=tr("Ledger", "台帳"), title_justify="left")
    for head in (
        "seq",
        tr("time (UTC)", "時刻 (UTC)"),
        tr("kind", "種別"),
        tr("actor", "実行者"),
        tr("what", "内容"),
        tr("files", "ファイル"),
        "hash",
    ):
        table.add_column(head, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.seq),
            e.time,
            verbatim(e.kind),
            verbatim(e.actor if e.os_user in (None, e.actor) else f"{e.actor} (os: {e.os_user})"),
            verbatim(_summary(e)),
            str(len(e.outputs)),
            e.hash[:16],
        )
    console.print(table)


@ledger_app.command("head")
def ledger_head(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The newest entry as SEQ:HASH: keep it outside the workspace (e-mail, ticket, RFC 3161
    timestamp) and pass it to `kansa verify --expect-head` to catch a rollback."""
    head = Vault(workspace(ctx).vault_dir).ledger.head()
    if as_json:
        _print_json(
            None
            if head is None
            else {
                "seq": head.seq,
                "hash": head.hash,
                "time": head.time,
                "kind": head.kind,
                "anchor": f"{head.seq}:{head.hash}",
            }
        )
        return
    if head is None:
        console.print(tr("The ledger is empty.", "台帳は空です。"), soft_wrap=True)
        return
    console.print(f"{head.seq}:{head.hash}", highlight=False, soft_wrap=True)


@ledger_app.command("sign")
def ledger_sign(
    ctx: typer.Context,
    key: Annotated[
        Path, typer.Option("--key", help="Ed25519 private key (PEM), kept outside the vault.")
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the signature record as JSON.")
    ] = False,
) -> None:
    """Verify the vault, then sign its ledger head into vault/signatures.jsonl."""
    ws = workspace(ctx)
    record = sign_head(Vault(ws.vault_dir), key, workspace_root=ws.root)
    if as_json:
        _print_json(record)
        return
    console.print(
        Text(
            tr(
                f"Signed ledger head: entry {record['seq']} {record['hash']} with key {record['key_id']}.",
                f"台帳の先頭に署名しました: エントリ {record['seq']} {record['hash']}（鍵 {record['key_id']}）。",
            )
        ),
        soft_wrap=True,
    )


@keys_app.command("generate")
def keys_generate(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Where to write the private key; the public key goes to OUT.pub."
        ),
    ],
) -> None:
    """Create an Ed25519 key pair for signing the ledger (private key mode 0600)."""
    try:
        ws_root: Path | None = find_workspace(state(ctx).workspace_path).root
    except WorkspaceNotFound:
        ws_root = None
    pub, kid = generate_keypair(out, workspace_root=ws_root)
    console.print(
        Text(
            tr(
                f"Private key: {out} (keep it offline, outside the vault)\nPublic key:  {pub} (give it to whoever verifies)\nKey id: {kid}",
                f"秘密鍵: {out}（保管庫の外でオフライン保管）\n公開鍵: {pub}（検証者に渡す）\n鍵 ID: {kid}",
            )
        ),
        soft_wrap=True,
    )


def register(app: typer.Typer) -> None:
    """Add ``verify``, ``ledger`` and ``keys`` to the root app."""
    app.command("verify")(verify)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(keys_app, name="keys")

"""``kansa reserves``: build the Merkle-sum tree, hand out proofs, verify one, check reserves."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kansa.cli.context import console, err_console, workspace
from kansa.cli.terminal import print_json, verbatim
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.reserves import (
    TreeArtifact,
    build_reserves,
    export_proofs,
    find_tree,
    open_views,
    reserve_positions,
    verify_proof,
)
from kansa.reserves.check import AssetPosition, positions_with_tree
from kansa.reserves.source import latest_as_of
from kansa.vault import Vault
from kansa.workspace.outputs import refuse_protected_output

reserves_app = typer.Typer(
    help="Proof of reserves: Merkle-sum tree, customer proofs, verification. / 準備金の証明。",
    no_args_is_help=True,
)

AsOf = Annotated[
    dt.datetime | None,
    typer.Option("--as-of", formats=["%Y-%m-%d"], help="Business day (default: the latest)."),
]
Workers = Annotated[
    int | None, typer.Option("--workers", min=1, help="Processes (default: every core).")
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON.")]


class ReservesFailed(KansaError):
    """A proof that does not verify, or an asset that is short: exit code 1."""

    exit_code = 1


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


@contextmanager
def _bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A Rich progress bar on stderr; yields ``update(stage, done, total)``."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not enabled,
    )
    tasks: dict[str, Any] = {}
    labels = {
        "read": tr("reading balances", "残高の読み込み"),
        "leaves": tr("hashing leaves", "葉のハッシュ計算"),
        "tree": tr("building levels", "木の構築"),
        "write": tr("writing to the vault", "保管庫への書き込み"),
    }

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
        bar.update(tasks[stage], completed=done, total=total)

    with bar:
        yield update


def _print_root(payload: dict[str, Any]) -> None:
    console.print(
        tr("Reserves tree for", "準備金ツリー")
        + f" {payload['as_of']}: {payload['customers']:,} "
        + tr("customers", "顧客")
    )
    console.print(f"root {payload['root']['hash']}", highlight=False, soft_wrap=True)
    table = Table(box=None, pad_edge=False, header_style="bold")
    table.add_column(tr("asset", "資産"))
    table.add_column(tr("liabilities (smallest unit)", "負債（最小単位）"), justify="right")
    for asset, total in zip(payload["assets"], payload["root"]["sums"], strict=True):
        table.add_row(verbatim(asset), total)
    console.print(table)


@reserves_app.command("build")
def build(
    ctx: typer.Context,
    as_of: AsOf = None,
    workers: Workers = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", hidden=True, help="Reproducible nonces, for tests only."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Build the tree over one day of customer_balances and commit it to the vault."""
    ws = workspace(ctx)
    with _bar(not as_json) as update:
        payload = build_reserves(
            Vault(ws.vault_dir),
            as_of=_day(as_of),
            seed=seed,
            workers=workers,
            memory_limit=ws.config.memory_limit,
            progress=update,
        )
    if as_json:
        print_json(payload)
    else:
        _print_root(payload)


@reserves_app.command("proof")
def proof(
    ctx: typer.Context,
    customer_id: Annotated[str, typer.Argument(help="The customer's id in customer_balances.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write proof.json.")],
    as_of: AsOf = None,
) -> None:
    """Write one customer's proof (give it to that customer only: it holds their nonce)."""
    ws = workspace(ctx)
    refuse_protected_output(ws, out)
    ref = find_tree(Vault(ws.vault_dir), _day(as_of))
    doc = TreeArtifact(ref.manifest, ref.check).proof(customer_id)
    out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(
        tr(f"Proof written to {out} (root ", f"証明を {out} に書き出しました（ルート ")
        + ref.payload["root"]["hash"]
        + tr(").", "）。"),
        highlight=False,
        soft_wrap=True,
    )


@reserves_app.command("proofs")
def proofs(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", "-o", help="Empty folder for the proofs.")],
    as_of: AsOf = None,
    workers: Workers = None,
) -> None:
    """Export every customer's proof as JSON Lines shards plus manifest.json."""
    ws = workspace(ctx)
    refuse_protected_output(ws, out)
    ref = find_tree(Vault(ws.vault_dir), _day(as_of))
    with _bar() as update:
        index = export_proofs(
            ref.manifest,
            out,
            workers=workers,
            check=ref.check,
            progress=lambda done, total: update(tr("proofs", "証明"), done, total),
        )
    console.print(
        tr(
            f"{index['proofs']:,} proofs in {len(index['shards'])} file(s) under {out}.",
            f"{index['proofs']:,} 件の証明を {out} に {len(index['shards'])} ファイルで書き出しました。",
        ),
        highlight=False,
    )


@reserves_app.command("verify")
def verify(
    proof_file: Annotated[Path, typer.Argument(help="proof.json as the exchange gave it.")],
    root: Annotated[str, typer.Option("--root", help="The root hash the exchange published.")],
    assets: Annotated[
        str | None,
        typer.Option("--assets", help="The published asset list, comma-separated (optional)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Check a proof against a published root. Needs no workspace. Exit 0 only if it holds."""
    reason = ""
    try:
        doc = json.loads(proof_file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        doc = None
        reason = tr(f"cannot read {proof_file}: {exc}", f"{proof_file} を読めません: {exc}")
    published = assets.split(",") if assets else None
    result = verify_proof(doc, root, assets=published) if doc is not None else None
    if result is not None:
        reason = result.reason
    if as_json:
        print_json({"ok": bool(result and result.ok), "reason": reason}, indent=None)
    if result is None or not result.ok:
        raise ReservesFailed(tr("INVALID proof: ", "無効な証明: ") + reason)
    if not as_json:
        console.print(
            tr(
                "[green]VALID[/]: these balances are included in root ",
                "[green]有効[/]: 次の残高はルート ",
            )
            + result.root_hash
            + tr("", " に含まれています"),
            highlight=False,
            soft_wrap=True,
        )
        for asset, bal, total in zip(result.assets, result.balances, result.root_sums, strict=True):
            console.print(f"  {escape(asset)}: {bal} / {total}", highlight=False)


def _require_ledger_day(con: Any, when: dt.date) -> None:
    """A day without customer balances checks nothing: never report it as covered."""
    sql = "SELECT count(*) FROM customer_balances WHERE as_of = $1::DATE"
    if not con.sql(sql, params=[when.isoformat()]).fetchall()[0][0]:
        raise KansaError(
            tr(
                f"customer_balances has no rows for {when}.",
                f"customer_balances に {when} の行がありません。",
            ),
            hint=tr(
                "Choose a day of the ledger with --as-of.",
                "--as-of で元帳の日付を指定してください。",
            ),
        )


def _positions(vault: Vault, day: dt.date | None) -> tuple[dt.date, Any, list[Any]]:
    con = open_views(vault)
    try:
        snap = vault.latest("customer_balances")
        assert snap is not None  # open_views checked it
        when = day or latest_as_of(con, [p for p, _ in snap.files])
        _require_ledger_day(con, when)
        table = reserve_positions(con, when)
    finally:
        con.close()
    try:
        ref = find_tree(vault, when)
    except KansaError:
        return when, None, positions_with_tree(table, None, None)
    tree = ref.payload
    return when, tree, positions_with_tree(table, tree["assets"], tree["root"]["sums"])


@reserves_app.command("check")
def check(ctx: typer.Context, as_of: AsOf = None, as_json: AsJson = False) -> None:
    """Liabilities per asset vs customer-wallet balances and the ledger. Exit 1 if any is short."""
    vault = Vault(workspace(ctx).vault_dir)
    when, tree, rows = _positions(vault, _day(as_of))
    failed = any(r.short or r.tree_agrees is False for r in rows)
    if as_json:
        doc = {
            "as_of": when.isoformat(),
            "tree_root": tree["root"]["hash"] if tree else None,
            "ok": not failed,
            "assets": [r.to_json() for r in rows],
        }
        print_json(doc)
        _fail_if_short(rows)
        return
    table = Table(title=tr(f"Reserves on {when}", f"{when} の準備金"), title_justify="left")
    for head in (
        tr("asset", "資産"),
        tr("liabilities", "負債"),
        tr("ledger", "元帳"),
        tr("reserves", "準備金"),
        tr("ratio", "比率"),
        tr("status", "判定"),
    ):
        table.add_column(head, justify="right", overflow="fold")
    for r in rows:
        status = (
            tr("[red]SHORT[/]", "[red]不足[/]") if r.short else tr("[green]ok[/]", "[green]充足[/]")
        )
        if r.tree_agrees is False:
            status += tr(" [red]tree != ledger[/]", " [red]ツリーと元帳が不一致[/]")
        ratio = "-" if r.ratio is None else f"{r.ratio:.2%}"
        table.add_row(
            verbatim(r.asset), str(r.owed), str(r.ledger_total), str(r.reserves), ratio, status
        )
    console.print(table)
    if tree is None:
        console.print(
            tr(
                "No tree built for this day: liabilities from the ledger.",
                "この日のツリーは未作成のため、負債は元帳から算出しました。",
            )
        )
    _fail_if_short(rows)


def _fail_if_short(rows: list[AssetPosition]) -> None:
    short = [r.asset for r in rows if r.short]
    split = [r.asset for r in rows if r.tree_agrees is False]
    if short or split:
        raise ReservesFailed(
            tr(
                f"reserves short for {short or '-'}; tree differs from ledger for {split or '-'}",
                f"準備金不足: {short or '-'}、ツリーと元帳の不一致: {split or '-'}",
            )
        )


def register(app: typer.Typer) -> None:
    """Add ``kansa reserves`` (build, proof, proofs, verify, check) to the root app."""
    app.add_typer(reserves_app, name="reserves")

"""``kansa wallets``: derive from output descriptors, attest every wallet's multi-signature."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from kansa.cli.context import console, err_console, workspace
from kansa.cli.terminal import print_json
from kansa.contracts.assets import chain_registry
from kansa.custody import DescriptorError, parse_descriptor
from kansa.custody.attestation import WalletAttestation, attest_iter
from kansa.custody.checks import AttestParams
from kansa.custody.records import load_book
from kansa.custody.render import (
    attestation_dict,
    attestation_table,
    derivation_dict,
    derivation_table,
)
from kansa.custody.snapshots import open_custody_views
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.workspace import Workspace

wallets_app = typer.Typer(
    help="Wallet descriptors and multi-signature attestation. / ウォレットのディスクリプタとマルチシグ検証。",
    no_args_is_help=True,
)


@wallets_app.command("derive")
def derive(
    descriptor: Annotated[str, typer.Argument(help="Output script descriptor (BIP 380-389).")],
    index: Annotated[int, typer.Option("--index", "-i", min=0, help="Child index for /*.")] = 0,
    count: Annotated[
        int, typer.Option("--count", "-n", min=1, max=10000, help="Outputs from --index on.")
    ] = 1,
    branch: Annotated[
        int, typer.Option("--branch", min=0, help="Multipath branch (/<0;1>: 0 receive, 1 change).")
    ] = 0,
    network: Annotated[
        str | None, typer.Option("--network", help="mainnet or testnet (default: from the keys).")
    ] = None,
    chain: Annotated[
        str, typer.Option("--chain", help="bitcoin or litecoin (address encoding).")
    ] = "bitcoin",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Derive the output script, address and keys of a descriptor at an index."""
    if network not in (None, "mainnet", "testnet"):
        raise KansaError(
            tr("--network must be mainnet or testnet.", "--network は mainnet か testnet です。")
        )
    try:
        parsed = parse_descriptor(descriptor)
        net = parsed.resolve_network(network, chain)
        outputs = [parsed.expand(i, branch, net) for i in range(index, index + count)]
    except DescriptorError as exc:
        _print_descriptor_error(exc)
        raise DescriptorRejected(
            tr("the descriptor was not accepted.", "ディスクリプタは受理されませんでした。")
        ) from None
    data = derivation_dict(parsed, outputs, net.name, net.chain)
    if as_json:
        print_json(data)
    else:
        console.print(derivation_table(data))


class DescriptorRejected(KansaError):
    """Already printed in detail; this carries the verdict and exit code 2."""


class AttestationFailed(KansaError):
    """At least one wallet failed a check: exit code 1."""

    exit_code = 1


def _print_descriptor_error(exc: DescriptorError) -> None:
    """Print the error ourselves: descriptor text holds '[...]', which Rich reads as markup."""
    err_console.print(
        f"[bold red]{tr('error', 'エラー')}:[/] {escape(exc.message)}", highlight=False
    )
    if exc.hint:
        err_console.print(escape(exc.hint), style="dim", highlight=False)


def _params(ws: Workspace, gap_limit: int | None) -> AttestParams:
    """Catalog defaults, overridden by the workspace's [controls.parameters.KEY-00x]."""
    cfg = ws.config.control_parameters
    base = AttestParams()
    minimum = dict(base.min_threshold)
    for tier in minimum:
        minimum[tier] = int(cfg.get("KEY-002", {}).get(f"min_threshold_{tier}", minimum[tier]))
    gap = (
        gap_limit
        if gap_limit is not None
        else int(cfg.get("KEY-003", {}).get("gap_limit", base.gap_limit))
    )
    locations = int(cfg.get("KEY-007", {}).get("min_locations", base.min_locations))
    safe = cfg.get("KEY-012", {})
    return AttestParams(
        gap_limit=gap,
        min_threshold=minimum,
        min_locations=locations,
        chains=chain_registry(ws.config.chains),
        extra_singletons=str(safe.get("extra_singletons", "")),
        max_staleness_days=int(safe.get("max_staleness_days", 0)),
    )


@contextmanager
def _progress(total: int, enabled: bool) -> Iterator[Any]:
    bar = Progress(
        TextColumn(tr("attesting wallets", "ウォレット検証中")),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not enabled,
    )
    with bar:
        task = bar.add_task("attest", total=total)
        yield lambda: bar.advance(task)


@wallets_app.command("attest")
def attest_cmd(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Date YYYY-MM-DD (default: latest day in the data)."),
    ] = None,
    gap_limit: Annotated[
        int | None, typer.Option("--gap-limit", min=1, help="Address search limit.")
    ] = None,
    wallet: Annotated[
        list[str] | None, typer.Option("--wallet", help="Only these wallet ids.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Prove each wallet's policy, addresses and keyholders from the latest snapshots.

    Exits 1 if any check fails.
    """
    ws = workspace(ctx)
    views = open_custody_views(Vault(ws.vault_dir))
    day = _parse_date(as_of) if as_of else views.default_as_of()
    book = load_book(views.con, day)
    if wallet:
        unknown = sorted(set(wallet) - {w.wallet_id for w in book.wallets})
        if unknown:
            raise KansaError(
                tr(
                    f"No such wallet as of {day}: {', '.join(unknown)}",
                    f"{day} 時点で存在しないウォレット: {', '.join(unknown)}",
                )
            )
    only = set(wallet) if wallet else None
    results: list[WalletAttestation] = []
    with _progress(len(only or book.wallets), not as_json) as step:
        for result in attest_iter(book, _params(ws, gap_limit), only):
            results.append(result)
            step()
    passed = all(r.passed for r in results)
    if as_json:
        print_json(_json_report(day, views.snapshots, book.missing, results, passed), default=str)
    else:
        _print_report(day, book.missing, results)
    if not passed:
        failed = [r.wallet.wallet_id for r in results if not r.passed]
        raise AttestationFailed(
            tr(
                f"{len(failed)} of {len(results)} wallets fail as of {day}: {', '.join(failed)}",
                f"{len(results)} 件中 {len(failed)} 件が不合格（{day} 時点）: {', '.join(failed)}",
            )
        )


def _json_report(
    day: dt.date,
    snapshots: dict[str, Any],
    missing: list[str],
    results: list[WalletAttestation],
    passed: bool,
) -> dict[str, Any]:
    return {
        "as_of": day.isoformat(),
        "snapshots": {name: snap.sha256 for name, snap in sorted(snapshots.items())},
        "missing_datasets": missing,
        "passed": passed,
        "wallets": [attestation_dict(r) for r in results],
    }


def _print_report(day: dt.date, missing: list[str], results: list[WalletAttestation]) -> None:
    for r in results:
        console.print(attestation_table(r))
    failed = [r.wallet.wallet_id for r in results if not r.passed]
    if missing:
        console.print(
            tr(
                f"[yellow]Not ingested:[/] {', '.join(missing)} (those checks are n/a)",
                f"[yellow]未取込:[/] {', '.join(missing)}（該当検査は対象外）",
            )
        )
    if not results:
        console.print(tr(f"No wallets as of {day}.", f"{day} 時点のウォレットはありません。"))
    elif not failed:  # a failure is reported by AttestationFailed, with exit code 1
        console.print(
            tr(
                f"[green]All {len(results)} wallets attest clean[/] as of {day}.",
                f"[green]{len(results)} 件すべて合格[/]（{day} 時点）。",
            )
        )


def _parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise KansaError(
            tr(
                f"--as-of must be a date YYYY-MM-DD, not {text!r}",
                f"--as-of は YYYY-MM-DD 形式の日付です（{text!r}）",
            )
        ) from None


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(wallets_app, name="wallets")

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
from kansa.cli.dates import parse_day
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
    day = parse_day(as_of) or views.default_as_of()
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


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(wallets_app, name="wallets")


@wallets_app.command("chains")
def chains_cmd(
    ctx: typer.Context,
    address: Annotated[
        list[str] | None,
        typer.Option("--check", help="CHAIN:ADDRESS to check against the chain's address rule."),
    ] = None,
    network: Annotated[str, typer.Option("--network", help="mainnet or testnet.")] = "mainnet",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the chain registry (built in and kansa.toml [chains]); check addresses against it.

    Exits 1 if a checked address breaks its chain's rule.
    """
    try:
        extra = workspace(ctx).config.chains
    except KansaError:
        extra = {}  # outside a workspace: the built-in registry
    registry = chain_registry(extra)
    checked = [_check_address(registry, item, network) for item in address or []]
    if as_json:
        rows = [
            {"chain": c.name, "native": c.native, "address_format": c.address_format,
             "descriptors": c.descriptors, "safe": c.safe, "builtin": c.name not in extra}
            for c in registry.values()
        ]  # fmt: skip
        print_json({"chains": rows, "checked": checked})
    else:
        for c in registry.values():
            where = tr("built in", "組込み") if c.name not in extra else "kansa.toml"
            line = f"{c.name:<12} {c.native:<6} {c.address_format:<8} {where}"
            console.print(escape(line), highlight=False)
        for r in checked:
            mark = tr("ok", "適合") if r["valid"] else tr("INVALID", "不正")
            line = f"{r['chain']}:{r['address']}  {mark}  {r['problem'] or ''}"
            console.print(escape(line), highlight=False)
    if any(not r["valid"] for r in checked):
        raise typer.Exit(1)


def _check_address(registry: dict[str, Any], item: str, network: str) -> dict[str, Any]:
    from kansa.custody.address_formats import ADDRESS_FORMATS, AddressFormatError

    name, sep, text = item.partition(":")
    if not sep or name not in registry:
        raise KansaError(
            tr(
                f"--check {item!r}: expected CHAIN:ADDRESS with a chain of: {', '.join(registry)}",
                f"--check {item!r}: CHAIN:ADDRESS の形式で、チェーンは次のいずれか: {', '.join(registry)}",
            )
        )
    chain = registry[name]
    problem = None
    try:
        ADDRESS_FORMATS[chain.address_format](text, chain.name, network)
    except AddressFormatError as exc:
        problem = str(exc)
    return {"chain": name, "address": text, "valid": problem is None, "problem": problem}

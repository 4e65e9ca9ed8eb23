"""``kansa db reconcile``: bring the app database in step with the vault's ledger.

:func:`catch_up` is the same step run quietly at the start of ``kansa run``, ``runs`` and
``findings``: a run the database missed (it was locked when the run was committed) is added
before anything reads or moves findings, so findings always follow the ledger's order.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from kansa.appdb import Database
from kansa.cli.context import console, err_console, workspace
from kansa.cli.terminal import print_json
from kansa.controls import load_catalog
from kansa.findings import configured_scopes
from kansa.findings.reconcile import LedgerUntrusted, Rebuilt, Scopes, reconcile
from kansa.i18n import tr
from kansa.vault import LedgerCorrupt, Vault
from kansa.workspace import Workspace

db_app = typer.Typer(
    help="The app database (runs, results, findings). / アプリDB。", no_args_is_help=True
)


def _scopes(ws: Workspace) -> Scopes:
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    return configured_scopes(ws.config.raw, catalog)


def _line(r: Rebuilt) -> str:
    kinds: dict[str, int] = {}
    for c in r.changes:
        kinds[c.kind] = kinds.get(c.kind, 0) + 1
    moved = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or tr("none", "なし")
    return tr(
        f"  run {r.run_id} (ledger entry #{r.ledger_seq}): findings {moved}",
        f"  実行 {r.run_id}（台帳エントリ #{r.ledger_seq}）: 指摘 {moved}",
    )


def catch_up(ws: Workspace, db: Database) -> list[Rebuilt]:
    """Add the runs the database missed; say so on stderr (stdout may be JSON).

    A damaged ledger is reported and skipped, not fatal: listing runs or findings stays
    possible, and `kansa verify` / `kansa db reconcile` say what is wrong.
    """
    try:
        rebuilt = reconcile(db, Vault(ws.vault_dir), lambda: _scopes(ws))
    except (LedgerCorrupt, LedgerUntrusted) as exc:
        err_console.print(
            tr(
                f"[yellow]warning:[/] runs the app database may have missed were not checked: "
                f"{escape(exc.message)}",
                f"[yellow]警告:[/] アプリDBの未登録の実行を確認できませんでした: {escape(exc.message)}",
            )
        )
        return []
    if rebuilt:
        err_console.print(
            tr(
                f"Recorded {len(rebuilt)} run(s) the app database had missed, from the ledger:",
                f"アプリDBに未登録だった {len(rebuilt)} 件の実行を台帳から登録しました:",
            ),
            highlight=False,
        )
        for r in rebuilt:
            err_console.print(_line(r), highlight=False)
    return rebuilt


def catch_up_database(ws: Workspace) -> list[Rebuilt]:
    """:func:`catch_up` for a command that does not hold the database open itself."""
    with Database(ws.database_url) as db:
        return catch_up(ws, db)


@db_app.command("reconcile")
def reconcile_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print the runs added as JSON.")] = False,
) -> None:
    """Add every run of the ledger that the app database lacks, with its findings, in order;
    rebuild the audit plan's tables (universe, engagements, their items, maturity) from it.

    Safe to repeat: a run already recorded, a plan row in step with the ledger, is left as it is.
    """
    from kansa.engagements.rebuild import rebuild_engagements

    ws = workspace(ctx)
    with Database(ws.database_url) as db:
        rebuilt = reconcile(db, Vault(ws.vault_dir), lambda: _scopes(ws))
        plan = rebuild_engagements(db, Vault(ws.vault_dir), ws.config.name)
    if plan.total:  # on stderr: stdout may be JSON
        err_console.print(
            tr(f"Audit plan rebuilt from the ledger: {plan.entities} universe entr(ies), "
               f"{plan.engagements} engagement(s), {plan.items} linked item(s), "
               f"{plan.claims} maturity claim(s).",
               f"台帳から監査計画を再構築しました: 監査対象 {plan.entities} 件、監査 "
               f"{plan.engagements} 件、紐付け {plan.items} 件、成熟度評価 {plan.claims} 件。"),
            highlight=False,
        )  # fmt: skip
    if json_out:
        print_json(
            [
                {"run_id": r.run_id, "ledger_seq": r.ledger_seq,
                 "findings": [c.__dict__ for c in r.changes]}
                for r in rebuilt
            ]
        )  # fmt: skip
        return
    if not rebuilt:
        console.print(
            tr(
                "The app database holds every run of the ledger.",
                "台帳のすべての実行がアプリDBに登録済みです。",
            )
        )
        return
    console.print(
        tr(
            f"Recorded {len(rebuilt)} run(s) from the ledger:",
            f"台帳から {len(rebuilt)} 件の実行を登録しました:",
        )
    )
    for r in rebuilt:
        console.print(_line(r), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``kansa db`` to the root app."""
    app.add_typer(db_app, name="db")

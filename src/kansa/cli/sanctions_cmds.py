"""``kansa sanctions import-ofac``: bring the current OFAC lists in, with their date."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from kansa.cli.context import console, workspace
from kansa.cli.terminal import print_json
from kansa.errors import KansaError
from kansa.i18n import tr

sanctions_app = typer.Typer(
    name="sanctions",
    help="Sanctions lists as input data. / 制裁リストの取り込み。",
    no_args_is_help=True,
)


@sanctions_app.command("import-ofac")
def import_ofac_cmd(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Folder of sanctioned_addresses_<ASSET>.txt files.")
    ],
    list_date: Annotated[
        str,
        typer.Option("--list-date", help="Date the lists were published/downloaded (YYYY-MM-DD)."),
    ],
    json_out: Annotated[bool, typer.Option("--json", help="Print the snapshot as JSON.")] = False,
) -> None:
    """Ingest OFAC's digital-currency address lists as the sanctioned_addresses dataset."""
    from kansa.ingest.ofac import import_ofac

    try:
        dt.date.fromisoformat(list_date)
    except ValueError as exc:
        raise KansaError(
            tr(
                f"--list-date {list_date!r} is not a date YYYY-MM-DD.",
                f"--list-date {list_date!r} は YYYY-MM-DD 形式の日付ではありません。",
            )
        ) from exc
    snap = import_ofac(workspace(ctx), folder, list_date, progress=not json_out)
    if json_out:
        print_json(
            {
                "dataset": snap.dataset,
                "rows": snap.rows,
                "sha256": snap.sha256,
                "ledger_seq": snap.seq,
                "list_date": list_date,
            },
            indent=None,
        )
        return
    console.print(
        tr(
            f"sanctioned_addresses: {snap.rows:,} addresses of {list_date}, snapshot {snap.sha256[:16]} (ledger #{snap.seq})",
            f"sanctioned_addresses: {list_date} 付け {snap.rows:,} 件、スナップショット {snap.sha256[:16]}（台帳 #{snap.seq}）",
        )
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sanctions_app)

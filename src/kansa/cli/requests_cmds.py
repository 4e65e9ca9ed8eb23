"""``kansa requests``: ask a control owner for evidence, see what is outstanding, deliver it.

Every step is in :mod:`kansa.evidence_requests` (the web app's ``/requests`` calls the same).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from kansa.appdb import EvidenceRequest
from kansa.cli.context import console, err_console, workspace
from kansa.cli.dates import parse_day
from kansa.cli.desk import ledger_mark, open_desk
from kansa.cli.terminal import print_json, verbatim
from kansa.errors import KansaError
from kansa.evidence_requests import cancel_request, create_request, fulfil_request, list_requests
from kansa.i18n import tr

requests_app = typer.Typer(help="Evidence requests: ask a control owner for a file by a date.")
IdArg = Annotated[
    int, typer.Argument(help="Request number (the # column of `kansa requests list`).")
]


class Rejected(KansaError):
    """The file broke its contract: the problems are printed; exit code 1 as `kansa ingest`."""

    exit_code = 1


def as_json(r: EvidenceRequest) -> dict[str, Any]:
    keys = ("id", "contract", "description", "assignee", "unit", "due_date", "requested_by",
            "requested_at", "state", "fulfilled_by", "fulfilled_at", "delivered", "ledger_seq")  # fmt: skip
    return {k: getattr(r, k) for k in keys}


def _what(r: EvidenceRequest) -> str:
    return (
        tr(f"dataset {r.contract}", f"データセット {r.contract}") if r.contract else r.description
    )


@requests_app.command("create")
def create_cmd(
    ctx: typer.Context,
    to: Annotated[str, typer.Option("--to", help="The person asked (a control owner).")],
    due: Annotated[str, typer.Option(help="Due date YYYY-MM-DD.")],
    dataset: Annotated[str, typer.Option(help="A dataset: the contract the file must meet.")] = "",
    document: Annotated[str, typer.Option(help="A document: what it must hold.")] = "",
    unit: Annotated[str, typer.Option(help="Their unit (default: their account's).")] = "",
) -> None:
    """Ask for a dataset (checked against its contract) or a document, by a date."""
    day = parse_day(due, "--due")
    assert day is not None
    from kansa.notify.at_once import announce_request

    ws = workspace(ctx)
    with open_desk(ws) as desk:
        r = create_request(desk, to, day, contract=dataset, description=document, unit=unit)
        console.print(tr(f"Evidence request {r.id} to {r.assignee}, due {r.due_date}",
                         f"証跡依頼 {r.id}: {r.assignee} へ、期限 {r.due_date}")
                      + f" ({ledger_mark(desk)})", highlight=False)  # fmt: skip
        announce_request(desk, ws, r.id)  # the person asked is told at once


@requests_app.command("list")
def list_cmd(
    ctx: typer.Context,
    every: Annotated[bool, typer.Option("--all", help="Fulfilled and cancelled too.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Evidence requests, soonest due first (outstanding only unless --all)."""
    ws = workspace(ctx)
    with open_desk(ws) as desk:
        rows = list_requests(desk.db, desk.workspace, outstanding=not every)
        today = desk.today
    if json_out:
        print_json([as_json(r) for r in rows], indent=1, default=str)
        return
    table = Table(title=tr("Evidence requests", "証跡依頼"), title_justify="left")
    for head in ("#", tr("asked for", "依頼内容"), tr("to", "依頼先"), tr("unit", "部署"),
                 tr("due", "期限"), tr("state", "状態"), tr("by", "依頼者")):  # fmt: skip
        table.add_column(head, overflow="fold")
    for r in rows:
        late = r.state == "outstanding" and r.due_date < today
        due = f"[red]{r.due_date} ({tr('overdue', '期限超過')})[/red]" if late else str(r.due_date)
        table.add_row(str(r.id), verbatim(_what(r)), verbatim(r.assignee), verbatim(r.unit), due,
                      r.state, verbatim(r.requested_by))  # fmt: skip
    console.print(table)


@requests_app.command("fulfil")
def fulfil_cmd(
    ctx: typer.Context,
    request_id: IdArg,
    file: Annotated[Path, typer.Argument(help="The file asked for.")],
) -> None:
    """Deliver the file: a dataset goes through ingest (all or nothing), a document into the
    vault, hashed."""
    from kansa.cli.ingest_cmds import _problems_table
    from kansa.ingest import InvalidData

    ws = workspace(ctx)
    with open_desk(ws) as desk:
        try:
            r = fulfil_request(desk, ws, request_id, file)
        except InvalidData as exc:
            err_console.print(_problems_table(exc))
            raise Rejected(exc.message.splitlines()[0], hint=exc.hint) from None
        d = r.delivered
        console.print(tr(f"Evidence request {r.id} fulfilled: {d['name']} (SHA-256 {d['sha256'][:16]})",
                         f"証跡依頼 {r.id} 提出済: {d['name']}（SHA-256 {d['sha256'][:16]}）")
                      + f" ({ledger_mark(desk)})", highlight=False)  # fmt: skip


@requests_app.command("cancel")
def cancel_cmd(
    ctx: typer.Context,
    request_id: IdArg,
    reason: Annotated[str, typer.Option(help="Why it is withdrawn.")],
) -> None:
    """Withdraw a request (the person who asked)."""
    with open_desk(workspace(ctx)) as desk:
        r = cancel_request(desk, request_id, reason)
        console.print(tr(f"Evidence request {r.id} cancelled", f"証跡依頼 {r.id} を取消")
                      + f" ({ledger_mark(desk)})")  # fmt: skip


def register(app: typer.Typer) -> None:
    """Add ``kansa requests`` to the root app."""
    app.add_typer(requests_app, name="requests")

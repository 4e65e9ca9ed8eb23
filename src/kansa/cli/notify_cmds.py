"""``kansa notify``: send what is due (the daily escalation) and show what was sent or failed.

Everything is in :mod:`kansa.notify`; run ``kansa notify send-due`` from cron (each notice goes
once; a failure is retried by the next call). Exit code 1 when any message failed.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.cli.desk import open_desk
from kansa.cli.terminal import print_json, verbatim
from kansa.controls import load_catalog
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.notify import delivery_log, notify_config, send_due

notify_app = typer.Typer(help="Notifications by e-mail and webhook: send what is due, see the log.")


class SomeFailed(KansaError):
    """Messages that did not go out: recorded, retried next time; exit code 1."""

    exit_code = 1


@notify_app.command("send-due")
def send_due_cmd(
    ctx: typer.Context,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Send new material weaknesses, findings due or overdue, review and evidence requests."""
    ws = workspace(ctx)
    cfg = notify_config(ws.config.raw, ws.config.language)
    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    with open_desk(ws) as desk:
        out = send_due(desk, cfg, catalog)
    if json_out:
        print_json({"sent": out.sent, "failed": out.failed, "already_sent": out.already,
                    "failures": out.failures})  # fmt: skip
    else:
        console.print(tr(f"Sent {out.sent}, failed {out.failed}, already sent {out.already}.",
                         f"送信 {out.sent} 件、失敗 {out.failed} 件、送信済 {out.already} 件。"))  # fmt: skip
        for f in out.failures:
            console.print(f"  {verbatim(f['recipient'])} ({f['channel']}): {verbatim(f['error'])}")
    if out.failed:
        raise SomeFailed(
            tr(f"{out.failed} message(s) failed: recorded, retried by the next send-due.",
               f"{out.failed} 件の送信に失敗しました（記録済み。次回の send-due で再送）。")
        )  # fmt: skip


@notify_app.command("log")
def log_cmd(
    ctx: typer.Context,
    failed: Annotated[bool, typer.Option("--failed", help="Only those still failing.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Every notice sent or tried: to whom, how, and why it failed."""
    with open_desk(workspace(ctx)) as desk:
        rows = delivery_log(desk, failed)
    if json_out:
        print_json([{"key": r.key, "event": r.event, "recipient": r.recipient,
                     "channel": r.channel, "status": r.status, "attempts": r.attempts,
                     "error": r.error, "last_at": r.last_at} for r in rows],
                   indent=1, default=str)  # fmt: skip
        return
    table = Table(title=tr("Notifications", "通知"), title_justify="left")
    for head in (tr("notice", "通知"), tr("to", "宛先"), tr("channel", "経路"),
                 tr("status", "状態"), tr("attempts", "試行"), tr("error", "エラー")):  # fmt: skip
        table.add_column(head, overflow="fold")
    for r in rows:
        table.add_row(r.key, verbatim(r.recipient), r.channel, r.status, str(r.attempts),
                      verbatim(r.error))  # fmt: skip
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``kansa notify`` to the root app."""
    app.add_typer(notify_app, name="notify")

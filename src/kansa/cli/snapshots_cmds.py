"""``kansa snapshots``: every snapshot the vault holds, oldest first; each stays readable."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.i18n import tr
from kansa.vault import Snapshot, Vault
from kansa.workspace.clock import local_time


def _change(s: Snapshot) -> str:
    p = s.payload
    if not s.dated:
        diff = p.get("diff")
        if not diff:
            return tr("whole table", "表全体")
        return tr(
            f"whole table: +{diff['added']} -{diff['removed']} ~{diff['changed']}",
            f"表全体: 追加 {diff['added']} 削除 {diff['removed']} 変更 {diff['changed']}",
        )
    added, replaced = p.get("days_added", []), p.get("days_replaced", [])
    out = []
    if added:
        out.append(tr(f"+{len(added)} day(s) {added[0]}", f"追加 {len(added)} 日 {added[0]}"))
    if replaced:
        days = ", ".join(r["day"] for r in replaced[:3])
        out.append(tr(f"replaced {days}", f"置換 {days}"))
    return "; ".join(out)


def snapshots(
    ctx: typer.Context,
    dataset: Annotated[str | None, typer.Argument(help="Only this dataset.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List every snapshot (ingest) in the vault: its hash, rows and what it changed."""
    ws = workspace(ctx)
    found = Vault(ws.vault_dir).snapshots(dataset)
    if as_json:
        rows = [
            {
                "seq": s.seq,
                "time": s.time,
                "dataset": s.dataset,
                "sha256": s.sha256,
                "layout": "daily" if s.dated else "table",
                "rows": s.rows,
                "days": [d.isoformat() for d in s.days],
                "days_added": s.payload.get("days_added", []),
                "days_replaced": s.payload.get("days_replaced", []),
                "diff": s.payload.get("diff"),
                "source": s.payload.get("source"),
            }
            for s in found
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    table = Table(title=tr("Snapshots", "スナップショット"), title_justify="left")
    for head in (
        tr("entry", "台帳"),
        tr(f"time ({ws.config.day_zone})", f"日時（{ws.config.day_zone}）"),
        tr("dataset", "データセット"),
        "sha256",
        tr("rows", "行数"),
        tr("change", "変更"),
    ):
        table.add_column(head, overflow="fold")
    for s in found:
        table.add_row(
            str(s.seq),
            local_time(s.time, ws.config.day_zone),
            s.dataset,
            s.sha256[:12],
            f"{s.rows:,}",
            _change(s),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    app.command("snapshots")(snapshots)

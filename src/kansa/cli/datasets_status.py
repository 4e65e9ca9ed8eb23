"""``kansa datasets status``: coverage of every dataset before any verdict stands on it."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.contracts import load_contracts
from kansa.i18n import tr
from kansa.vault import Vault
from kansa.vault.status import DatasetStatus, vault_status
from kansa.workspace.clock import local_time


def _rows_per_day(s: DatasetStatus) -> str:
    if not s.rows_per_day:
        return ""
    counts = sorted(s.rows_per_day.values())
    return f"{counts[0]:,} / {counts[len(counts) // 2]:,} / {counts[-1]:,}"


def _gaps(s: DatasetStatus) -> str:
    gaps = s.gaps
    if not gaps:
        return "-" if s.dated else ""
    shown = ", ".join(d.isoformat() for d in gaps[:5])
    return f"[red]{len(gaps)}: {shown}{' ...' if len(gaps) > 5 else ''}[/]"


def print_status(ctx: typer.Context, as_json: bool) -> None:
    ws = workspace(ctx)
    found = vault_status(Vault(ws.vault_dir))
    never = [n for n in load_contracts() if n not in {s.dataset for s in found}]
    if as_json:
        body = {
            "timezone": ws.config.day_zone,
            "datasets": [s.to_dict() for s in found],
            "never_loaded": never,
        }
        print(json.dumps(body, ensure_ascii=False, indent=1))
        return
    table = Table(title=tr("Datasets in the vault", "保管庫のデータセット"), title_justify="left")
    for head in (
        tr("dataset", "データセット"),
        tr("days", "日"),
        tr("gaps", "欠落日"),
        tr("rows/day min/median/max", "日別行数 最小/中央/最大"),
        tr("rows", "行数"),
        tr("loads", "取込回数"),
        tr(f"last load ({ws.config.day_zone})", f"最終取込（{ws.config.day_zone}）"),
    ):
        table.add_column(head, overflow="fold")
    for s in found:
        days = (
            f"{s.first_day} .. {s.last_day} ({len(s.rows_per_day)})"
            if s.dated
            else tr("whole table", "表全体")
        )
        table.add_row(
            s.dataset,
            days,
            _gaps(s),
            _rows_per_day(s),
            f"{s.rows:,}",
            str(s.loads),
            local_time(s.last_load, ws.config.day_zone),
        )
    console.print(table)
    if never:
        console.print(
            tr(
                f"Never loaded (controls reading them are NOT TESTED): {', '.join(never)}",
                f"未取込（これを読むコントロールは未実施）: {', '.join(never)}",
            ),
            soft_wrap=True,
        )

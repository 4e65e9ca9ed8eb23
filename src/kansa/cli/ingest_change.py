"""What ``kansa ingest`` prints about a load: the files a glob named, the days it added or
replaced and the rows before and after, the diff of a reference table by key."""

from __future__ import annotations

import datetime as dt
import glob
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr


def expand_files(typed: list[str]) -> list[Path]:
    """Each argument as typed, or the files its glob matches (a shell leaves a quoted glob
    alone); a glob matching nothing stays the path typed, which the ingest then refuses as a
    missing file: never an empty load."""
    out: list[Path] = []
    for arg in typed:
        matched = sorted(glob.glob(arg)) if glob.has_magic(arg) and not Path(arg).exists() else []
        out += [Path(m) for m in matched] or [Path(arg)]
    return out


def parse_days(typed: list[str] | None) -> list[dt.date] | None:
    if not typed:
        return None
    try:
        return sorted({dt.date.fromisoformat(d) for d in typed})
    except ValueError:
        raise KansaError(
            tr(
                f"--day {typed!r}: each day must be YYYY-MM-DD.",
                f"--day {typed!r}: 日付は YYYY-MM-DD 形式です。",
            )
        ) from None


def _span(days: list[str]) -> str:
    if len(days) <= 3:
        return ", ".join(days)
    return f"{days[0]} .. {days[-1]} ({len(days)})"


def change_lines(payload: dict[str, Any]) -> list[str]:
    """Plain lines (no markup: they carry data) saying what the load changed."""
    lines: list[str] = []
    if "days_added" in payload:
        added = payload["days_added"]
        replaced = payload["days_replaced"]
        if added:
            lines.append(tr(f"  days added: {_span(added)}", f"  追加した日: {_span(added)}"))
        for r in replaced:
            lines.append(
                tr(
                    f"  day replaced: {r['day']} ({r['rows_before']:,} rows -> {r['rows_after']:,})",
                    f"  置き換えた日: {r['day']}（{r['rows_before']:,} 行 -> {r['rows_after']:,} 行）",
                )
            )
        lines.append(
            tr(
                f"  rows in the dataset: {payload['rows_before']:,} before, {payload['rows_after']:,} after",
                f"  データセットの行数: 取り込み前 {payload['rows_before']:,}、後 {payload['rows_after']:,}",
            )
        )
    diff = payload.get("diff")
    if diff:
        lines.append(
            tr(
                f"  replaced the whole table: {diff['added']:,} added, {diff['removed']:,} "
                f"removed, {diff['changed']:,} changed by key ({', '.join(diff['key'])}); "
                f"{diff['rows_before']:,} rows before",
                f"  表全体を置き換え: キー（{', '.join(diff['key'])}）で追加 {diff['added']:,}、"
                f"削除 {diff['removed']:,}、変更 {diff['changed']:,}。取り込み前 {diff['rows_before']:,} 行",
            )
        )
        for kind, ja in (("added", "追加"), ("removed", "削除"), ("changed", "変更")):
            keys = diff.get(f"{kind}_keys") or []
            if keys:
                more = " ..." if diff[kind] > len(keys) else ""
                lines.append(tr(f"    {kind}: ", f"    {ja}: ") + ", ".join(keys) + more)
    for w in payload.get("warnings", []):
        lines.append(tr(f"  warning: {w['en']}", f"  警告: {w['ja']}"))
    return lines

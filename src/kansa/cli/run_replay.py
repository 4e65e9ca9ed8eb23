"""``kansa run --replay RUN_ID`` and the words for statuses that are no verdict."""

from __future__ import annotations

import json

from rich.markup import escape

from kansa.cli.context import console
from kansa.controls import Control
from kansa.engine import ControlOutcome, run_controls
from kansa.engine.replay import differences, recorded_controls, recorded_run
from kansa.i18n import lang, tr
from kansa.vault import Vault
from kansa.workspace import Workspace

_LABELS = {
    "pass": ("PASS", "合格"),
    "fail": ("FAIL", "不合格"),
    "error": ("ERROR", "エラー"),
    "not_tested": ("NOT TESTED", "未実施"),
    "incomplete": ("INCOMPLETE", "データ不足"),
}


def status_label(status: str) -> str:
    en, ja = _LABELS.get(status, (status.upper(), status))
    return ja if lang() == "ja" else en


def coverage_reason(o: ControlOutcome) -> str:
    """Why a control has no verdict: the datasets never loaded, or the days missing."""
    cov = o.coverage or {}
    if o.status == "not_tested":
        names = ", ".join(cov.get("missing_datasets", []))
        return tr(
            f"not tested: no data loaded for {names}", f"未実施: {names} のデータがありません"
        )
    gaps = {n: d["missing"] for n, d in cov.get("datasets", {}).items() if d["missing"]}
    parts = [
        tr(
            f"{n} misses {len(m)} day(s): {', '.join(m[:7])}",
            f"{n} に {len(m)} 日分の欠落: {', '.join(m[:7])}",
        )
        + (" ..." if len(m) > 7 else "")
        for n, m in gaps.items()
    ]
    return tr("incomplete: ", "データ不足: ") + "; ".join(parts)


def replay_run(ws: Workspace, catalog: dict[str, Control], run_id: str, as_json: bool) -> int:
    """Run ``run_id`` again on its recorded snapshots; 0 when every verdict is the same."""
    recorded = recorded_run(Vault(ws.vault_dir), run_id)
    again = run_controls(
        ws,
        recorded_controls(recorded, catalog),
        as_of=recorded.as_of,
        parameters=recorded.overrides,
        progress=not as_json,
        record=False,
        period_start=recorded.period_start,
        snapshots=recorded.snapshots,
        replay_of=run_id,
    )
    diff = differences(recorded, again.to_dict())
    if as_json:
        print(
            json.dumps(
                {
                    "replay_of": run_id,
                    "run_id": again.run_id,
                    "same": not diff,
                    "differences": diff,
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    elif diff:
        console.print(
            tr(
                f"[red]Run {run_id} re-performed as {again.run_id}: {len(diff)} difference(s)[/]",
                f"[red]実行 {run_id} を {again.run_id} として再実施: 相違 {len(diff)} 件[/]",
            )
        )
        for line in diff:
            console.print("  " + escape(line), highlight=False)
    else:
        console.print(
            tr(
                f"[green]Run {run_id} re-performed as {again.run_id} on its {len(recorded.snapshots)} "
                f"recorded snapshots: the same verdicts for all {len(recorded.results)} controls.[/]",
                f"[green]実行 {run_id} を記録済みスナップショット {len(recorded.snapshots)} 件で "
                f"{again.run_id} として再実施: {len(recorded.results)} 件すべて同じ結果です。[/]",
            )
        )
    return 1 if diff else 0

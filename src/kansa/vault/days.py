"""Committing the days of a dated dataset: add new days, replace loaded days only when asked.

The rule (issue 9): an ingest adds the days its file carries. A file that carries a day
already loaded is refused unless the caller asks to replace, and then exactly those days are
replaced; every other day of the view stays as it was. The ledger entry says what changed:
days added, days replaced, rows before and after (per replaced day and for the whole view).

The new view is built from the latest view *under the writer lock* (``commit_checked``): two
ingests of the same dataset at once cannot both extend the same old view and lose a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault.hashing import sha256_file
from kansa.vault.parts import LAYOUT, Part, manifest_bytes, manifest_path, part_path
from kansa.vault.signals import null_rate_warnings, row_count_warnings
from kansa.vault.store import Snapshot, Vault


@dataclass(frozen=True)
class StagedDay:
    """One day of an accepted file, written in the staging folder."""

    day: dt.date
    path: Path
    rows: int


class DaysAlreadyLoaded(KansaError):
    """The file carries days the vault already holds, and no replacement was asked for."""


class ViewMoved(KansaError):
    """Another ingest of the same dataset committed first; nothing was committed."""


def _days_text(days: list[dt.date]) -> str:
    shown = ", ".join(d.isoformat() for d in days[:10])
    return shown + (f" (+{len(days) - 10})" if len(days) > 10 else "")


def refuse_overlap(dataset: str, overlap: list[dt.date]) -> None:
    raise DaysAlreadyLoaded(
        tr(
            f"{dataset}: the file carries {len(overlap)} day(s) already loaded: "
            f"{_days_text(overlap)}; nothing was ingested.",
            f"{dataset}: 取り込み済みの日 {len(overlap)} 日分を含みます: "
            f"{_days_text(overlap)}。取り込みは行っていません。",
        ),
        hint=tr(
            "To correct those days, ingest again with --replace (exactly those days are "
            "replaced; the others stay).",
            "それらの日を訂正するには --replace を付けて取り込んでください"
            "（その日だけが置き換わり、他の日はそのままです）。",
        ),
    )


def _current(vault: Vault, dataset: str) -> Snapshot | None:
    snap = vault.latest(dataset)
    if snap is not None and not snap.dated:
        raise KansaError(
            tr(
                f"{dataset} is stored as one whole table from an older version of Kansa; "
                "it cannot take days on top.",
                f"{dataset} は旧版の形式（表全体）で保存されています。日単位の取り込みはできません。",
            ),
            hint=tr(
                "Ingest the whole history again into a new workspace.",
                "新しいワークスペースに全期間を取り込み直してください。",
            ),
        )
    return snap


def _change(before: Mapping[dt.date, Part], new: Mapping[dt.date, StagedDay]) -> dict[str, Any]:
    added = sorted(d for d in new if d not in before)
    replaced = sorted(d for d in new if d in before)
    rows_before = sum(p.rows for p in before.values())
    rows_after = (
        rows_before - sum(before[d].rows for d in replaced) + sum(s.rows for s in new.values())
    )
    return {
        "days_added": [d.isoformat() for d in added],
        "days_replaced": [
            {"day": d.isoformat(), "rows_before": before[d].rows, "rows_after": new[d].rows}
            for d in replaced
        ],
        "rows_before": rows_before,
        "rows_after": rows_after,
    }


def day_warnings(
    vault: Vault, dataset: str, view: Mapping[dt.date, Part], staged: Mapping[dt.date, StagedDay]
) -> list[dict[str, Any]]:
    """Row-count and NULL-share signals of the days this ingest loads (kansa.vault.signals)."""
    paths = [(p, staged[d].path if d in staged else vault.root / p.file) for d, p in view.items()]
    recent = sorted(paths, key=lambda pp: pp[0].day)
    return row_count_warnings(dataset, list(view.values()), set(staged)) + null_rate_warnings(
        dataset, recent, set(staged)
    )


def commit_days(
    vault: Vault,
    dataset: str,
    staged: Mapping[dt.date, StagedDay],
    *,
    zone: str,
    column: str,
    meta: dict[str, Any],
    replace: bool,
    staging: Path,
) -> Snapshot:
    """Commit ``staged`` days as parts plus the new manifest, in one ledger entry."""
    base = _current(vault, dataset)
    before = {p.day: p for p in base.parts} if base else {}
    if base is not None and base.payload.get("zone", zone) != zone:
        raise KansaError(
            tr(
                f"{dataset} was loaded by {base.payload.get('zone')} days; the workspace now "
                f"uses {zone}. Days of two zones cannot be mixed.",
                f"{dataset} は {base.payload.get('zone')} の日付で取り込まれています。"
                f"現在のワークスペースは {zone} です。異なるタイムゾーンの日付は混在できません。",
            )
        )
    overlap = sorted(d for d in staged if d in before)
    if overlap and not replace:
        refuse_overlap(dataset, overlap)
    hashes = {d: sha256_file(s.path) for d, s in staged.items()}
    new_parts = {d: Part(d, part_path(dataset, d, h), h, staged[d].rows) for d, h in hashes.items()}
    view = {**before, **new_parts}
    manifest = manifest_bytes(dataset, zone, column, view)
    staged_manifest = staging / "manifest.json"
    staged_manifest.write_bytes(manifest)
    digest = sha256_file(staged_manifest)
    rel = manifest_path(dataset, digest)
    files = {p.file: staged[d].path for d, p in new_parts.items()}
    files[rel] = staged_manifest
    change = _change(before, staged)
    change["warnings"] = day_warnings(vault, dataset, view, staged)
    payload = {
        "dataset": dataset,
        "layout": LAYOUT,
        "sha256": digest,
        "file": rel,
        **meta,
        "rows": change["rows_after"],
        "rows_loaded": sum(s.rows for s in staged.values()),
        "business_date": column,
        "zone": zone,
        "base": base.sha256 if base else None,
        **change,
    }
    known = {rel: digest, **{p.file: p.sha256 for p in new_parts.values()}}

    def still_latest() -> None:
        if vault.latest_sha256(dataset) != payload["base"]:
            raise ViewMoved(
                tr(
                    f"Another ingest of {dataset} was committed meanwhile; nothing was ingested.",
                    f"その間に {dataset} の別の取り込みが登録されました。取り込みは行っていません。",
                ),
                hint=tr("Run the ingest again.", "もう一度取り込んでください。"),
            )

    entry = vault.commit_checked("ingest", payload, files, still_latest, known)
    return vault.snapshot_of(entry)

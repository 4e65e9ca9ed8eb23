"""A sample drawn, evaluated item by item and filed, without leaving the vault: the web app's
way to ``kansa sample draw`` and ``kansa sample evaluate``.

The functions underneath are the CLI's: :func:`kansa.analytics.sampling.draw.run_draw` draws,
:func:`kansa.analytics.sampling.reports.attribute_analysis` evaluates (AICPA Audit Sampling
guide, attribute sampling for tests of controls) and :func:`kansa.analytics.workpaper.
file_workpaper` files each as a workpaper naming the person who did it. Where the CLI hands the
auditor a workbook to fill in offline, here each item's result (deviation or not, and a note)
is given directly; they are written as the draw's JSON document with the results filled in,
read back by :func:`kansa.analytics.sampling.sample_file.read_sample_file` like a workbook
would be, and that file's SHA-256 is the evaluation's input. The draw is read from the vault
only after its file's SHA-256 matches its ledger entry.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.analytics import open_population
from kansa.analytics.sampling.draw import DrawSpec, run_draw
from kansa.analytics.sampling.reports import attribute_analysis, deviations
from kansa.analytics.sampling.sample_file import read_sample_file
from kansa.analytics.workpaper import Filed, file_workpaper
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import LedgerEntry, Vault, sha256_file
from kansa.workspace import Workspace

DRAW, EVALUATE = "sample-draw", "sample-evaluate"
WEB_METHODS = ("random", "systematic")  # attribute samples: each item a deviation or not
DEVIATION, NOTES = "deviation", "notes"


@dataclass(frozen=True)
class Drawn:
    """A filed draw: its ledger entry, its document, and its evaluations so far (newest last)."""

    entry: LedgerEntry
    document: dict[str, Any]
    evaluations: tuple[LedgerEntry, ...]

    @property
    def columns(self) -> list[str]:
        return list((self.document.get("records") or {}).get("columns", []))

    @property
    def rows(self) -> list[dict[str, Any]]:
        rec = self.document.get("records") or {}
        return [dict(zip(self.columns, r, strict=False)) for r in rec.get("rows", [])]


def _refused(en: str, ja: str) -> KansaError:
    return KansaError(tr(en, ja))


def draw_sample(
    ws: Workspace,
    dataset: str,
    method: str,
    size: int,
    seed: int,
    actor: str,
    tolerable_rate: float | None = None,
) -> Filed:
    """Draw ``size`` records of ``dataset``'s latest snapshot by ``method`` with ``seed``, and
    file the selection as a workpaper by ``actor`` (the same as ``kansa sample draw``)."""
    if method not in WEB_METHODS:
        raise _refused(f"method {method!r}: random or systematic.",
                       f"方式 {method!r}: random か systematic です。")  # fmt: skip
    spec = DrawSpec(method, size, seed)
    plan = {"confidence": 0.95, "tolerable_rate": tolerable_rate, "tolerable_misstatement": None}
    with open_population(ws, dataset, {}) as pop:
        a = run_draw(pop, spec, plan)
    return file_workpaper(ws, a, actor)


def _checked_document(vault: Vault, entry: LedgerEntry) -> dict[str, Any]:
    rel = next((p for p in entry.outputs if p.endswith(".json")), None)
    path = vault.root / rel if rel else None
    if rel is None or path is None or not path.is_file():
        raise _refused(f"Workpaper #{entry.seq} has no JSON file in the vault.",
                       f"調書 #{entry.seq} の JSON ファイルが保管庫にありません。")  # fmt: skip
    if sha256_file(path) != entry.outputs[rel]:
        raise _refused(f"{rel} does not match its ledger entry #{entry.seq}: run `kansa verify`.",
                       f"{rel} は台帳エントリ #{entry.seq} と一致しません。`kansa verify` を"
                       "実行してください。")  # fmt: skip
    doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return doc


def drawn_samples(ws: Workspace) -> list[Drawn]:
    """Every attribute sample drawn in the vault, newest first, with its evaluations."""
    entries = [e for e in Vault(ws.vault_dir).ledger.read() if e.kind == "workpaper"]
    evaluations: dict[str, list[LedgerEntry]] = {}
    for e in entries:
        if e.payload.get("analysis") == EVALUATE:
            drawn_id = str((e.payload.get("parameters") or {}).get("draw_workpaper", ""))
            evaluations.setdefault(drawn_id, []).append(e)
    draws = [e for e in entries if e.payload.get("analysis") == DRAW]
    return [
        Drawn(e, {}, tuple(evaluations.get(str(e.payload.get("workpaper_id")), ())))
        for e in reversed(draws)
        if (e.payload.get("parameters") or {}).get("evaluation") == "attribute"
    ]


def drawn_sample(ws: Workspace, seq: int) -> Drawn:
    """The draw filed as ledger entry ``seq``, its document checked against the ledger."""
    vault = Vault(ws.vault_dir)
    for d in drawn_samples(ws):
        if d.entry.seq == seq:
            return Drawn(d.entry, _checked_document(vault, d.entry), d.evaluations)
    raise _refused(f"No attribute sample was drawn as ledger entry #{seq}.",
                   f"台帳エントリ #{seq} の属性サンプルはありません。")  # fmt: skip


def _filled(d: Drawn, results: dict[int, tuple[bool, str]], into: Path) -> Path:
    """The draw's document with each item's result, as the file the evaluation reads."""
    columns = d.columns
    rows = []
    for row in d.rows:
        item = int(row.get("sample_item") or 0)
        if item not in results:
            raise _refused(f"Item {item} of sample #{d.entry.seq} has no result: "
                           "deviation yes or no for every item.",
                           f"サンプル #{d.entry.seq} の項目 {item} に結果がありません。"
                           "すべての項目に逸脱の有無を記入してください。")  # fmt: skip
        deviated, note = results[item]
        row = {**row, DEVIATION: "yes" if deviated else "no", NOTES: note.strip() or None}
        rows.append([row.get(c) for c in columns])
    doc = {**d.document, "records": {**(d.document.get("records") or {}), "rows": rows}}
    path = into / f"sample-{d.document.get('id', d.entry.seq)}-results.json"
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def evaluate_sample(
    ws: Workspace,
    seq: int,
    results: dict[int, tuple[bool, str]],
    actor: str,
    tolerable_rate: float | None = None,
) -> Filed:
    """Evaluate the sample drawn as ledger entry ``seq`` with ``results`` (item number ->
    (deviation, note)) and file the evaluation as a workpaper by ``actor``."""
    d = drawn_sample(ws, seq)
    p = d.document.get("parameters") or {}
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir()
    try:
        sample = read_sample_file(_filled(d, results, staged))
        tol = tolerable_rate if tolerable_rate is not None else p.get("tolerable_rate")
        params: dict[str, Any] = {
            "file": sample.path.name,
            "evaluation": "attribute",
            "confidence": float(p.get("confidence") or 0.95),
            "draw": {k: p.get(k) for k in ("dataset", "method", "seed", "size") if k in p},
            "draw_workpaper": d.document.get("id"),
            "draw_ledger_seq": d.entry.seq,
            "tolerable_rate": float(tol) if tol not in (None, "") else None,
            "distribution": "binomial",
        }
        a = attribute_analysis(sample, params, deviations(sample))
        return file_workpaper(ws, a, actor)
    finally:
        shutil.rmtree(staged, ignore_errors=True)

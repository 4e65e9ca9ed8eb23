"""One daily pass: ingest what is new in the drop folder, run, report, verify.

Steps stop at the first error (an export the contract rejects, a misconfigured control): a
run on part of the day's data would be a verdict on data the pipeline did not see. The vault
is verified whatever happened, since verifying changes nothing and tells the operator whether
the evidence is whole.

Exit codes (for cron / systemd): 0 every control passed and the vault is intact; 1 a control
did not pass (failed, or any status other than pass and error); 2 an error (a step failed, a
control errored, the vault is not intact).
"""

from __future__ import annotations

import datetime as dt
import fcntl
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kansa.errors import KansaError
from kansa.i18n import lang, tr
from kansa.pipeline.config import PipelineConfig, pipeline_config
from kansa.pipeline.drop import file_away, pending_files
from kansa.reports.labels import LABELS
from kansa.vault import Vault, verify_vault
from kansa.workspace import Workspace

EXIT_PASS, EXIT_FAILED, EXIT_ERROR = 0, 1, 2


@dataclass
class IngestedFile:
    dataset: str
    name: str
    rows: int | None  # None: the same content was loaded before; filed away, not reloaded
    filed_as: Path


@dataclass
class DailyResult:
    ingested: list[IngestedFile] = field(default_factory=list)
    run_id: str | None = None
    as_of: dt.date | None = None
    statuses: Counter[str] = field(default_factory=Counter)
    report: Path | None = None
    vault_intact: bool | None = None
    vault_entries: int = 0
    error: str | None = None  # the step that stopped the pipeline, and why

    @property
    def exit_code(self) -> int:
        if self.error or self.vault_intact is False or self.statuses.get("error"):
            return EXIT_ERROR
        if self.run_id is None:
            return EXIT_ERROR  # no verdict at all is never a pass
        not_passed = sum(n for status, n in self.statuses.items() if status != "pass")
        return EXIT_FAILED if not_passed else EXIT_PASS

    def summary(self) -> str:
        """The one line a scheduler's log keeps."""
        new = sum(1 for f in self.ingested if f.rows is not None)
        again = len(self.ingested) - new
        words = LABELS[lang()]["statuses"]
        verdicts = ", ".join(f"{words.get(s, s)} {n}" for s, n in sorted(self.statuses.items()))
        verdicts = verdicts or "-"
        vault = {True: tr("intact", "完全"), False: tr("NOT INTACT", "異常あり"), None: "-"}[
            self.vault_intact
        ]
        head = tr(
            f"kansa daily: {new} file(s) ingested, {again} already loaded; ",
            f"kansa daily: 取り込み {new} 件、取り込み済み {again} 件; ",
        )
        run = (
            tr(f"run {self.run_id} as of {self.as_of}: {verdicts}; ",
               f"実行 {self.run_id} 基準日 {self.as_of}: {verdicts}; ")
            if self.run_id
            else tr("no run; ", "実行なし; ")
        )  # fmt: skip
        report = tr(f"report {self.report}; ", f"報告書 {self.report}; ") if self.report else ""
        tail = tr(
            f"vault {vault}; exit {self.exit_code}", f"保管庫 {vault}; 終了コード {self.exit_code}"
        )
        error = tr(f" ERROR: {self.error}", f" エラー: {self.error}") if self.error else ""
        return head + run + report + tail + error


@contextmanager
def _only_one(cfg: PipelineConfig) -> Iterator[None]:
    """Two overlapping schedules must not ingest the same file twice: one pass at a time."""
    cfg.drop.mkdir(parents=True, exist_ok=True)
    with (cfg.drop / ".kansa-daily.lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KansaError(
                tr(
                    f"Another kansa daily is running on {cfg.drop}.",
                    f"{cfg.drop} で別の kansa daily が実行中です。",
                )
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _ingest(
    ws: Workspace, cfg: PipelineConfig, out: DailyResult, say: Callable[[str], None]
) -> None:
    from kansa.ingest import InvalidData, ingest_file

    today = dt.date.today()
    for f in pending_files(cfg, Vault(ws.vault_dir)):
        rows = None
        if not f.loaded_before:
            try:
                rows = ingest_file(ws, f.dataset, f.path, progress=False).rows
            except InvalidData as exc:
                problems = "; ".join(
                    f"line {p.line} {p.column}: {p.expected}" for p in exc.problems[:3]
                )
                first = exc.message.splitlines()[0]
                named = first if f.path.name in first else f"{f.path.name}: {first}"
                raise KansaError(f"{named} {problems}".strip()) from None
        filed = file_away(f.path, cfg.processed, today)
        out.ingested.append(IngestedFile(f.dataset, f.path.name, rows, filed))
        say(
            tr(
                f"ingested {f.path.name} -> {f.dataset}: {rows:,} rows",
                f"取り込み {f.path.name} -> {f.dataset}: {rows:,} 行",
            )
            if rows is not None
            else tr(
                f"{f.path.name}: loaded before, filed away",
                f"{f.path.name}: 取り込み済みのため移動のみ",
            )
        )


def _run(ws: Workspace, cfg: PipelineConfig, workers: int) -> tuple[str, dt.date, Counter[str]]:
    """What ``kansa run`` does, through the same public functions."""
    from kansa.appdb import Database
    from kansa.controls import load_catalog
    from kansa.engine import run_controls, select_controls
    from kansa.engine.parameters import check_control_ids
    from kansa.findings import apply_run, configured_scopes

    catalog = load_catalog([ws.resolve(p) for p in ws.config.control_paths])
    check_control_ids(ws.config.control_parameters, catalog, "kansa.toml")
    scopes = configured_scopes(ws.config.raw, catalog)
    chosen = select_controls(catalog, cfg.controls)
    result = run_controls(ws, chosen, progress=False, workers=workers)
    with Database(ws.database_url) as db:
        apply_run(db, result.run_id, {c.id: c.owner for c in chosen}, scopes=scopes,
                  vault_dir=ws.vault_dir)  # fmt: skip
    return result.run_id, result.as_of, Counter(o.status for o in result.outcomes)


def _report(ws: Workspace, cfg: PipelineConfig, out: DailyResult, language: str | None) -> Path:
    from kansa.reports import write_report

    target = cfg.report_dir / f"report-{out.as_of}.{cfg.report_format}"
    return write_report(ws, target, language, cfg.report_format, run_id=out.run_id)


def run_daily(
    ws: Workspace,
    *,
    language: str | None = None,
    workers: int = 2,
    say: Callable[[str], None] = lambda _line: None,
) -> DailyResult:
    """Ingest, run, report, verify; every outcome (errors too) is in the returned result."""
    cfg = pipeline_config(ws)  # a bad [pipeline] is a usage error, raised before anything
    out = DailyResult()
    with _only_one(cfg):
        try:
            _ingest(ws, cfg, out, say)
            out.run_id, out.as_of, out.statuses = _run(ws, cfg, workers)
            out.report = _report(ws, cfg, out, language)
        except KansaError as exc:
            out.error = exc.message
        except OSError as exc:  # a file that cannot be read or moved: said, never a traceback
            out.error = str(exc)
        report = verify_vault(Vault(ws.vault_dir))
        out.vault_intact, out.vault_entries = report.ok, report.entries
        if not report.ok:
            first = report.issues[0]
            say(tr(f"vault NOT intact: {first.where}: {first.message}",
                   f"保管庫に異常: {first.where}: {first.message}"))  # fmt: skip
    return out

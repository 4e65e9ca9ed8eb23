"""``ingest_file``: one input file -> one immutable, validated snapshot in the vault, or nothing.

Stages (each in the private staging folder, invisible to readers): hash the source; transcode
CP932 to UTF-8 if needed; read the rows as text; map columns; check every row; cast and write
the snapshot Parquet (zstd); commit it with one ledger entry. Any failure, or a kill at any
point, leaves the vault as it was (:meth:`kansa.vault.Vault.recover` removes the leftovers of a
killed run; a failed run removes its own).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from kansa.contracts import Contract, get_contract
from kansa.contracts.assets import asset_decimals
from kansa.errors import ConfigError, KansaError
from kansa.i18n import tr
from kansa.ingest import engine
from kansa.ingest.checks import typed_sql
from kansa.ingest.containers import Container, detect, unpack
from kansa.ingest.conversion import conversion_problems, materialize
from kansa.ingest.daily import write_days
from kansa.ingest.encoding import SourceDigest, transcode_to_utf8
from kansa.ingest.engine import quote_ident, quote_literal
from kansa.ingest.formats import (
    default_delimiter,
    has_utf8_bom,
    normalize_encoding,
)
from kansa.ingest.limits import Limits, limits_from
from kansa.ingest.long_lines import LineTooLong, first_long_line
from kansa.ingest.mapping import Plan, plan_columns
from kansa.ingest.prechecks import line_too_long
from kansa.ingest.problems import InvalidData
from kansa.ingest.progress import Reporter
from kansa.ingest.source_hash import Hashed, Hashing, HashingInBackground
from kansa.ingest.sources import Source, csv_source, jsonl_source, parquet_source
from kansa.ingest.table_diff import diff_by_key
from kansa.ingest.validate import validate
from kansa.ingest.xlsx import as_sheet_source
from kansa.vault import Snapshot, Vault
from kansa.vault.days import StagedDay, commit_days
from kansa.workspace import DatasetMapping, Workspace


@dataclass(frozen=True)
class Request:
    """One ingest, resolved: what to read, how, and against which contract."""

    contract: Contract
    mapping: DatasetMapping
    src: Path
    fmt: str
    encoding: str | None
    delimiter: str | None
    container: Container | None = None
    timezone: str | None = None  # the mapping's, else the workspace's
    decimals: dict[str, int] | None = None
    limits: Limits = field(default_factory=Limits)

    @property
    def display_name(self) -> str:
        return self.container.display_name if self.container else self.src.name


def ingest_file(
    workspace: Workspace,
    dataset: str | Contract,
    path: str | Path | Sequence[str | Path],
    *,
    encoding: str | None = None,
    fmt: str | None = None,
    delimiter: str | None = None,
    progress: bool = True,
    sheet: str | None = None,
    member: str | None = None,
    replace: bool = False,
    days: Collection[dt.date] | None = None,
) -> Snapshot:
    """Validate ``path`` against the contract of ``dataset`` and commit it as a snapshot.

    ``dataset`` is a contract name, or a :class:`~kansa.contracts.Contract` itself (a contract
    of one's own; the snapshot is filed under its name).

    A dated dataset (its contract names a ``business_date``) is stored by day: the file's days
    are added; a day already loaded is refused unless ``replace``, which replaces exactly the
    file's days (:mod:`kansa.vault.days`). ``days`` declares the days the file covers (a day
    with no rows is then loaded as an empty day). A reference dataset is replaced whole.
    ``path`` may be several files of a dated dataset: one ledger entry for all, or nothing.

    Raises :class:`kansa.ingest.InvalidData` (exit code 1) when the data breaks the contract,
    :class:`kansa.errors.KansaError` for usage problems; in both cases nothing is changed.
    """
    paths = [Path(path)] if isinstance(path, str | Path) else [Path(p) for p in path]
    reqs = [_resolve(workspace, dataset, p, encoding, fmt, delimiter, sheet, member) for p in paths]
    contract = reqs[0].contract
    _check_batch(contract, len(reqs), days)
    vault = Vault(workspace.vault_dir)
    zone = workspace.config.day_zone
    with vault.staging() as staging, Reporter(progress) as reporter:
        staged: list[tuple[Path | dict[dt.date, StagedDay], dict[str, Any]]] = []
        for i, req in enumerate(reqs):
            folder = staging / f"file-{i}"
            folder.mkdir()
            con = engine.connect(workspace, folder)
            try:
                one = _stage(con, req, folder, reporter, zone, days)
                if isinstance(one[0], Path):
                    one[1]["diff"] = diff_by_key(con, contract, one[0], vault.latest(contract.name))
                staged.append(one)
            finally:
                con.close()
        reporter.stage(tr("Committing to the vault", "証跡保管庫に登録中"))
        first, meta = staged[0]
        if isinstance(first, Path):
            return vault.commit_snapshot(contract.name, first, meta)
        assert contract.business_date is not None
        return commit_days(
            vault,
            contract.name,
            _merge_days(contract.name, [s for s, _ in staged], paths),
            zone=zone,
            column=contract.business_date,
            meta=meta if len(staged) == 1 else _batch_meta([m for _, m in staged]),
            replace=replace,
            staging=staging,
        )


def _check_batch(contract: Contract, files: int, days: Collection[dt.date] | None) -> None:
    if days is not None and not contract.dated:
        raise KansaError(
            tr(
                f"{contract.name} is not stored by day; --day applies to dated datasets.",
                f"{contract.name} は日単位のデータセットではありません（--day は使えません）。",
            )
        )
    if files > 1 and not contract.dated:
        raise KansaError(
            tr(
                f"{contract.name} is a reference table, replaced whole by one file; "
                f"{files} files were given.",
                f"{contract.name} は参照テーブルで、1 ファイルで全体を置き換えます"
                f"（{files} ファイルが指定されました）。",
            )
        )


def _merge_days(
    dataset: str, staged: list[Path | dict[dt.date, StagedDay]], paths: list[Path]
) -> dict[dt.date, StagedDay]:
    """The days of every file of a batch; two files carrying the same day is an error."""
    merged: dict[dt.date, StagedDay] = {}
    owner: dict[dt.date, Path] = {}
    for one, path in zip(staged, paths, strict=True):
        assert isinstance(one, dict)
        for day, part in one.items():
            if day in merged:
                raise KansaError(
                    tr(
                        f"{dataset}: {owner[day].name} and {path.name} both carry "
                        f"{day.isoformat()}; nothing was ingested.",
                        f"{dataset}: {owner[day].name} と {path.name} の両方に "
                        f"{day.isoformat()} の行があります。取り込みは行っていません。",
                    )
                )
            merged[day], owner[day] = part, path
    return dict(sorted(merged.items()))


def _batch_meta(metas: list[dict[str, Any]]) -> dict[str, Any]:
    """One ledger payload for a batch: the contract once, every file's own record."""
    return {
        "rows": sum(int(m["rows"]) for m in metas),
        "contract": metas[0]["contract"],
        "contract_version": metas[0]["contract_version"],
        "source": metas[0]["source"],
        "files": metas,
    }


def _resolve(
    workspace: Workspace,
    dataset: str | Contract,
    path: Path,
    encoding: str | None,
    fmt: str | None,
    delimiter: str | None,
    sheet: str | None = None,
    member: str | None = None,
) -> Request:
    """Arguments, then the workspace mapping, then defaults; usage errors before any work."""
    contract = get_contract(dataset) if isinstance(dataset, str) else dataset
    mapping = workspace.config.mappings.get(contract.name, DatasetMapping())
    if not path.is_file():
        raise KansaError(tr(f"No such file: {path}", f"ファイルがありません: {path}"))
    src = path.resolve()
    container, fmt = detect(src, fmt, member or mapping.member, sheet or mapping.sheet)
    if fmt == "csv":
        delimiter = delimiter or mapping.delimiter or default_delimiter(src)
        if len(delimiter) != 1:
            raise KansaError(
                tr("The delimiter must be one character.", "区切り文字は 1 文字です。")
            )
    enc = normalize_encoding(encoding or mapping.encoding)
    if container is not None and container.kind == "xlsx":
        enc = None  # the sheet is written out as UTF-8
    return Request(
        contract,
        mapping,
        src,
        fmt,
        enc,
        delimiter if fmt == "csv" else None,
        container,
        mapping.timezone or workspace.config.timezone,
        asset_decimals(workspace.config.asset_decimals),
        limits_from(workspace.config.raw),
    )


def _stage(
    con: duckdb.DuckDBPyConnection,
    req: Request,
    staging: Path,
    reporter: Reporter,
    zone: str = "UTC",
    days: Collection[dt.date] | None = None,
) -> tuple[Path | dict[dt.date, StagedDay], dict[str, Any]]:
    """Everything up to a finished snapshot file in staging, plus its ledger metadata."""
    seen = _fingerprint(req.src)
    with ThreadPoolExecutor(max_workers=1) as pool:
        text, encoding, hashing, sheet_rows = _readable_text(req, staging, pool, reporter, con)
        try:
            source = _open_source(con, req, text, reporter, sheet_rows)
            tz = _checked_timezone(con, req.contract.name, req.timezone)
            plan = plan_columns(req.contract, req.mapping, source, req.decimals)
            source = plan.source or source
            _probe(con, plan.mapped_sql, req.contract.name)
            staged: Path | dict[dt.date, StagedDay] = staging / "snapshot.parquet"
            try:
                plan = _converted(con, plan, source, req.contract, reporter)
                rows = validate(con, req.contract, plan.mapped_sql, source, tz, reporter)
                hashing.check()
                select = _typed_select(req.contract, plan.mapped_sql, tz)
                if req.contract.dated:
                    staged = write_days(con, req.contract, select, zone, staging, days, reporter)
                else:
                    assert isinstance(staged, Path)
                    _write_snapshot(con, req.contract, select, staged, reporter)
            except duckdb.Error as exc:  # the file itself is unreadable somewhere past the header
                raise source.failure(exc) from None
            final = hashing.result()
        except BaseException:
            hashing.abandon()
            hashing.check()  # a line too long explains whatever went wrong after it was found
            raise
    _unchanged(req.src, seen, final)
    meta: dict[str, Any] = {
        "rows": rows,
        "contract": req.contract.name,
        "contract_version": req.contract.version_id,
        "source": {"name": req.src.name, "sha256": final.sha256, "size": final.size},
        "format": req.fmt,
        **({"container": req.container.record()} if req.container else {}),
        "encoding": encoding,
        "mapping": plan.mapping,
    }
    if req.delimiter is not None:
        meta["delimiter"] = req.delimiter
    return staged, meta


def _readable_text(
    req: Request,
    staging: Path,
    pool: ThreadPoolExecutor,
    reporter: Reporter,
    con: duckdb.DuckDBPyConnection | None = None,
) -> tuple[Path, str | None, Hashing, tuple[int, ...] | None]:
    """The path DuckDB reads, the encoding recorded, the source's SHA-256 (CP932 is
    transcoded to UTF-8 and hashed in the same pass; otherwise hashing runs in a thread while
    DuckDB reads). A container (``.gz``, ``.zip``, ``.xlsx``) is unpacked into staging first
    and the file given is hashed in a thread; an Excel sheet also gives its row numbers.

    Text longer than ``max_line_bytes`` per line is refused in whichever pass reads it: the
    transcoding, the hashing (which then interrupts ``con``'s query), or for an unpacked
    container a scan of what was unpacked."""
    plain, hashing, rows = req.src, None, None
    max_line = req.limits.max_line_bytes
    if req.container is not None:
        hashing = HashingInBackground(pool, req.src, req.display_name, con, None)
        reporter.stage(tr(f"Unpacking {req.display_name}", f"{req.display_name} を展開中"))
        unpacked = unpack(req.container, req.src, staging, req.fmt, req.limits.max_unpacked_bytes)
        plain, rows = unpacked.path, unpacked.sheet_rows
        too_long = first_long_line(plain, max_line) if req.fmt != "parquet" else None
        if too_long is not None:
            hashing.abandon()
            raise line_too_long(req.display_name, plain, too_long)
    if req.fmt != "parquet" and req.encoding in ("cp932", "shift_jis"):
        reporter.stage(
            tr(f"Transcoding {req.encoding} to UTF-8", f"{req.encoding} を UTF-8 に変換中"),
            total=plain.stat().st_size,
        )
        text = staging / "source-utf8.txt"
        try:
            digest = transcode_to_utf8(
                plain, text, req.encoding, req.display_name, max_line, reporter.update
            )
        except LineTooLong as exc:
            if hashing is not None:
                hashing.abandon()
            raise line_too_long(req.display_name, plain, exc) from None
        return text, req.encoding, hashing or Hashed(digest), rows
    link = staging / f"source.{req.fmt}"  # the format asked for; never a compression suffix
    link.symlink_to(plain)  # DuckDB treats * [ ? in a path as a glob; the link's name has none
    if req.fmt == "parquet":
        return (
            link,
            None,
            hashing or HashingInBackground(pool, req.src, req.display_name, con, None),
            rows,
        )
    encoding = "utf-8-sig" if has_utf8_bom(plain) else "utf-8"
    if hashing is None:  # the file given is the text read: one pass hashes it and checks lines
        hashing = HashingInBackground(pool, req.src, req.display_name, con, max_line)
    return link, encoding, hashing, rows


def _unchanged(src: Path, seen: tuple[int, int, int], digest: SourceDigest) -> None:
    if _fingerprint(src) != seen or digest.size != seen[0]:
        raise KansaError(
            tr(
                f"{src.name} changed while it was being ingested; nothing was ingested.",
                f"取り込み中に {src.name} が変更されました。取り込みは行っていません。",
            ),
            hint=tr(
                "Ingest a finished export.", "書き込みが完了したファイルを取り込んでください。"
            ),
        )


def _fingerprint(path: Path) -> tuple[int, int, int]:
    """Size, modification time and inode: if any moves during the ingest, the hash recorded
    and the rows checked might not be of the same bytes."""
    st = path.stat()
    return st.st_size, st.st_mtime_ns, st.st_ino


def _open_source(
    con: duckdb.DuckDBPyConnection,
    req: Request,
    text: Path,
    reporter: Reporter,
    sheet_rows: tuple[int, ...] | None = None,
) -> Source:
    name = req.display_name
    if sheet_rows is not None:
        assert req.delimiter is not None
        return as_sheet_source(csv_source(text, name, req.delimiter, req.limits), sheet_rows)
    if req.fmt == "csv":
        assert req.delimiter is not None
        return csv_source(text, name, req.delimiter, req.limits)
    if req.fmt == "jsonl":
        return jsonl_source(con, text, name, reporter, req.limits)
    return parquet_source(con, text, name, req.limits)


def _converted(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    source: Source,
    contract: Contract,
    reporter: Reporter,
) -> Plan:
    """With declarative conversions: convert once into staging, then refuse the file if any
    value did not convert (every such value, as one error); the plan then reads the result."""
    if not plan.conversions:
        return plan
    reporter.stage(tr("Converting values", "値を変換中"))
    checked, mapped = materialize(con, plan.checked_sql, contract, plan.conversions, reporter)
    total, problems = conversion_problems(
        con, checked, plan.conversions, source, contract.name, reporter
    )
    if total:
        raise InvalidData(source.display_name, problems, total)
    return dataclasses.replace(plan, checked_sql=checked, mapped_sql=mapped)


def _checked_timezone(con: duckdb.DuckDBPyConnection, dataset: str, tz: str | None) -> str | None:
    if tz is None:
        return None
    try:
        con.execute(f"SELECT timezone({quote_literal(tz)}, TIMESTAMP '2000-01-01')").fetchall()
    except duckdb.Error:
        raise ConfigError(
            tr(
                f"kansa.toml mappings.{dataset} timezone {tz!r} is not an IANA time zone (e.g. Asia/Tokyo).",
                f"kansa.toml mappings.{dataset} の timezone {tz!r} は IANA タイムゾーンではありません（例: Asia/Tokyo）。",
            )
        ) from None
    return tz


def _probe(con: duckdb.DuckDBPyConnection, mapped_sql: str, dataset: str) -> None:
    """Bind the mapped query once, so a broken cast expression is a clear config error."""
    try:
        con.execute(f"SELECT * FROM ({mapped_sql}) LIMIT 0").fetchall()
    except duckdb.Error as exc:
        raise ConfigError(
            tr(
                f"kansa.toml mappings.{dataset} casts: the expressions do not run on this file: {str(exc).splitlines()[0]}",
                f"kansa.toml mappings.{dataset} の casts の式がこのファイルで実行できません: {str(exc).splitlines()[0]}",
            )
        ) from None


def _typed_select(contract: Contract, mapped_sql: str, tz: str | None) -> str:
    """The mapped rows cast to the contract's storage types, in the contract's column order."""
    cols = ", ".join(
        f"{typed_sql(c, quote_ident(c.name), tz)} AS {quote_ident(c.name)}"
        for c in contract.columns
    )
    return f"SELECT {cols} FROM ({mapped_sql})"


def _write_snapshot(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    select: str,
    dest: Path,
    reporter: Reporter,
) -> None:
    meta = (
        f"KV_METADATA {{'kansa.contract': {quote_literal(contract.name)}, "
        f"'kansa.contract_version': {quote_literal(contract.version_id)}}}"
    )
    reporter.stage(tr("Writing snapshot", "スナップショットを書き込み中"))
    engine.run(
        con,
        f"COPY ({select}) TO {quote_literal(str(dest))} (FORMAT parquet, COMPRESSION zstd, {meta})",
        reporter,
    )

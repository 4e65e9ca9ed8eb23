"""Fixtures shared by every test area."""

from __future__ import annotations

import datetime as dt
import functools
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import settings

from kansa.contracts import get_contract
from kansa.controls import Control, parse_control
from kansa.vault import Snapshot, Vault
from kansa.workspace import Workspace, create_workspace, find_workspace

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

# In CI (CI=true) every property test draws the same examples each run: a red CI must mean a
# change broke something, not that today's random draw found an old corner. Locally the draws
# stay random, so new corners keep being found (and then pinned with @example).
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def workspace(tmp_path: Path) -> Workspace:
    """A fresh, empty workspace in a temporary folder."""
    return create_workspace(tmp_path / "ws", name="test")


@pytest.fixture(scope="session")
def ofac_dir() -> Path:
    """The real OFAC digital-currency lists from ../shared/data, when present."""
    d = SHARED_DATA / "ofac-sdn-digital-currency-2024-09"
    if not d.is_dir():
        pytest.skip("../shared/data is not present")
    return d


# --- vault snapshots built from plain rows (engine, findings, appdb tests) -------------------

_ARROW_TYPES = {
    "string": pa.string(),
    "integer": pa.int64(),
    "amount": pa.decimal128(38, 0),
    "signed_amount": pa.decimal128(38, 0),
    "number": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us", tz="UTC"),
}


def _arrow_value(ctype: str, value: Any) -> Any:
    """Text as an export would carry it -> the Python value pyarrow stores for the type."""
    if not isinstance(value, str) or ctype == "string":
        return Decimal(value) if ctype.endswith("amount") and isinstance(value, int) else value
    if ctype == "date":
        return dt.date.fromisoformat(value)
    if ctype == "timestamp":
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if ctype.endswith("amount"):
        return Decimal(value)
    return {"integer": int, "number": float, "boolean": lambda v: v == "true"}[ctype](value)


def write_snapshot(ws: Workspace, dataset: str, rows: list[dict[str, Any]]) -> Snapshot:
    """Commit ``rows`` as the newest snapshot of ``dataset``, typed by its contract.

    Columns a row leaves out are NULL, so a test names only what matters to it.
    """
    contract = get_contract(dataset)
    unknown = {k for r in rows for k in r} - {c.name for c in contract.columns}
    if unknown:
        raise KeyError(f"{dataset}: unknown columns {sorted(unknown)}")
    schema = pa.schema([pa.field(c.name, _ARROW_TYPES[c.type]) for c in contract.columns])
    data = {
        c.name: pa.array([_arrow_value(c.type, r.get(c.name)) for r in rows], _ARROW_TYPES[c.type])
        for c in contract.columns
    }
    vault = Vault(ws.vault_dir)
    staged = vault.staging_dir() / f"{dataset}.parquet"
    pq.write_table(pa.table(data, schema=schema), staged)
    meta = {"rows": len(rows), "contract_version": contract.version_id}
    return vault.commit_snapshot(dataset, staged, meta)


@pytest.fixture
def put_snapshot() -> Callable[[Workspace, str, list[dict[str, Any]]], Snapshot]:
    """``put_snapshot(ws, dataset, rows)``: commit rows as the dataset's newest snapshot."""
    return write_snapshot


# --- a real PostgreSQL server on loopback, one per test process -----------------------------


def _pg_bindir() -> Path | None:
    found = sorted(Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return max(found, key=lambda p: int(p.parent.name)) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run it as the ``postgres`` OS user then."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _start_postgres(bindir: Path, root: Path) -> int:
    data = root / "data"
    subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "kansa",
                      "--auth=trust", "--encoding=UTF8", "--locale=C", "-N"]),
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    for _attempt in range(3):
        port = _free_port()
        opts = (
            f"-p {port} -h 127.0.0.1 -k {root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=50"
        )
        started = subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                          "-o", opts, "-w", "-t", "60", "start"]),
            capture_output=True, text=True,
        )  # fmt: skip
        if started.returncode == 0:
            return port
    log = (root / "log").read_text(errors="replace") if (root / "log").exists() else ""
    raise RuntimeError(f"PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """Base URL (no database) of a throw-away PostgreSQL server for this test process.

    Set KANSA_SKIP_PG=1 to skip the PostgreSQL half of the suite; otherwise a server that
    cannot start FAILS the tests (CI must not go green on SQLite alone).
    """
    if os.environ.get("KANSA_SKIP_PG") == "1":
        pytest.skip("KANSA_SKIP_PG=1")
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail("PostgreSQL is not installed: run scripts/system-deps.sh", pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="kansa-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    try:
        port = _start_postgres(bindir, root)
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.fail(f"PostgreSQL server did not start: {exc} {detail}", pytrace=False)
    try:
        yield f"postgresql+psycopg://kansa@127.0.0.1:{port}"
    finally:
        subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(root / "data"), "-m", "immediate",
                          "stop"]),
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


def _pg_admin(base_url: str, sql: str) -> None:
    import psycopg

    dsn = base_url.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty app database: a SQLite file, then a fresh database on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'kansa.db'}"
        return
    base = request.getfixturevalue("postgres_server")
    name = "t_" + uuid.uuid4().hex[:16]
    _pg_admin(base, f"CREATE DATABASE {name}")
    try:
        yield f"{base}/{name}"
    finally:
        _pg_admin(base, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def db_workspace(tmp_path: Path, database_url: str) -> Workspace:
    """A fresh workspace whose kansa.toml points at ``database_url`` (SQLite or PostgreSQL)."""
    ws = create_workspace(tmp_path / "ws", name="test")
    cfg = ws.root / "kansa.toml"
    text = cfg.read_text(encoding="utf-8")
    cfg.write_text(
        text.replace('database_url = "sqlite:///kansa.db"', f'database_url = "{database_url}"'),
        encoding="utf-8",
    )
    return find_workspace(ws.root)


# --- controls written on the fly (engine and findings tests) ---------------------------------

_CONTROL_YAML = """\
id: {id}
version: 1
title: {{en: Test control {id}, ja: テスト {id}}}
objective: {{en: Test objective, ja: テスト目的}}
rule: {{en: Test rule, ja: テスト規則}}
area: custody
severity: {severity}
frequency: daily
owner: treasury
datasets: [{datasets}]
key: [{key}]
"""


def write_control(
    folder: Path,
    cid: str,
    test_sql: str | None = None,
    *,
    population_sql: str | None = None,
    key: tuple[str, ...] = ("customer_id",),
    datasets: tuple[str, ...] = ("customer_balances",),
    severity: str = "high",
    parameters: dict[str, tuple[str, Any]] | None = None,
    logic: str | None = None,
) -> Control:
    """Write ``CID.yaml`` (+ ``CID.sql``) into ``folder`` and parse it like a workspace control.

    ``parameters``: name -> (type, default).
    """
    folder.mkdir(parents=True, exist_ok=True)
    text = _CONTROL_YAML.format(
        id=cid, severity=severity, datasets=", ".join(datasets), key=", ".join(key)
    )
    if parameters:
        text += "parameters:\n" + "".join(
            f"  {n}: {{type: {t}, default: {d!r}, description: {{en: p, ja: p}}}}\n"
            for n, (t, d) in parameters.items()
        )
    if logic:
        text += f"logic: {logic!r}\n"
    (folder / f"{cid}.yaml").write_text(text, encoding="utf-8")
    if test_sql is not None:
        sql = f"-- name: test\n{test_sql}\n"
        if population_sql:
            sql = f"-- name: population\n{population_sql}\n\n" + sql
        (folder / f"{cid}.sql").write_text(sql, encoding="utf-8")
    return parse_control(folder / f"{cid}.yaml", builtin=False)


@pytest.fixture
def make_control(tmp_path: Path) -> Callable[..., Control]:
    """``make_control("TST-001", "select ...", population_sql=..., key=(...))``."""
    return functools.partial(write_control, tmp_path / "controls")

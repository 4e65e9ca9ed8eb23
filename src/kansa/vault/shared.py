"""Copies of the vault's files on storage that every Spark executor reads (issue 13).

On a cluster the snapshots are read from ``[spark] snapshot_root``: a shared file system path
or an object store URL holding the vault's files under the same relative paths
(``snapshots/DATASET/...``). The ledger, with the SHA-256 of every file, stays in the vault;
the copy is vouched for by those same hashes:

* ``kansa verify`` re-hashes the copy of every snapshot file when the root is a path (or a
  ``file:`` URL) this machine reads: :func:`check_shared_copies`;
* an analysis or a run on Spark re-hashes the files it is about to read *where the executors
  read them* (Spark's ``binaryFile`` source and ``sha2``, through Spark's own connectors, so an
  ``s3a://`` copy is checked too): :func:`spark_file_hashes`.

A Spark run with a shared root also leaves its exception sets there, at the vault's own
relative paths (``runs/RUN_ID/CONTROL.parquet``), after the vault committed them; its ledger
entry names that root (``exceptions_root``), so ``kansa verify`` checks those copies too,
wherever the workspace's root points today: :func:`verify_shared_exceptions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from kansa.i18n import tr
from kansa.vault.hashing import sha256_file
from kansa.vault.verify import Issue, VerifyReport


def shared_path(root: str, rel: str) -> str:
    """Where the copy of vault file ``rel`` is under ``root``."""
    return root.rstrip("/") + "/" + rel.lstrip("/")


def local_root(root: str) -> Path | None:
    """``root`` as a folder of this machine (a plain path or ``file:`` URL), else ``None``."""
    parsed = urlparse(root)
    if parsed.scheme in ("", "file"):
        return Path(unquote(parsed.path) if parsed.scheme else root)
    return None


def check_shared_copies(root: str, files: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(vault-relative path, problem) for each copy under a local ``root`` that is missing or
    whose SHA-256 is not the one the ledger recorded; ``[]`` when every copy matches."""
    folder = local_root(root)
    if folder is None:
        raise ValueError(f"{root} is not a local folder")
    problems = []
    for rel, digest in files:
        copy = folder / rel
        if not copy.is_file():
            problems.append((rel, tr(f"missing from {folder}", f"{folder} にありません")))
        elif sha256_file(copy) != digest:
            problems.append(
                (
                    rel,
                    tr(
                        f"the copy in {folder} does not have the SHA-256 in the ledger",
                        f"{folder} のコピーのSHA-256が台帳と一致しません",
                    ),
                )
            )
    return problems


def spark_file_hashes(spark: Any, paths: list[str]) -> dict[str, str]:
    """SHA-256 of each file at ``paths``, computed by the executors that will read them.

    Keys are the paths as Spark reports them (URLs): match them by their last two parts."""
    frame = spark.read.format("binaryFile").load(paths)
    rows = frame.selectExpr("path", "sha2(content, 256) AS digest").collect()
    return {str(r["path"]): str(r["digest"]) for r in rows}


def verify_shared(report: VerifyReport, root: str, entries: Iterable[Any]) -> int | None:
    """Add an issue to ``report`` for each snapshot file whose copy under ``root`` is missing
    or altered; returns how many copies were checked, ``None`` when ``root`` is not a local
    folder (an object store: Spark checks each file as it reads it)."""
    if local_root(root) is None:
        return None
    files = {
        rel: digest
        for e in entries
        for rel, digest in e.outputs.items()
        if rel.startswith("snapshots/")
    }
    for rel, problem in check_shared_copies(root, sorted(files.items())):
        report.issues.append(Issue("shared-copy", rel, problem))
    return len(files)


def run_exception_copies(entries: Iterable[Any]) -> dict[str, list[tuple[str, str]]]:
    """Per shared root, the (vault-relative path, SHA-256) of every exception set a run wrote
    there (runs whose ledger entry names an ``exceptions_root``)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for e in entries:
        root = e.payload.get("exceptions_root") if e.kind == "run" else None
        if root:
            out.setdefault(str(root), []).extend(sorted(e.outputs.items()))
    return out


def verify_shared_exceptions(report: VerifyReport, entries: Iterable[Any]) -> dict[str, int | None]:
    """Add an issue to ``report`` for each exception set a Spark run wrote on a shared root
    whose copy there is missing or altered; returns, per root, how many copies were checked
    (``None``: an object store, not readable from here)."""
    checked: dict[str, int | None] = {}
    for root, files in sorted(run_exception_copies(entries).items()):
        if local_root(root) is None:
            checked[root] = None
            continue
        for rel, problem in check_shared_copies(root, files):
            report.issues.append(Issue("shared-copy", rel, problem))
        checked[root] = len(files)
    return checked

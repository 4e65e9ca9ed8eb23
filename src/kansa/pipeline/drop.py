"""The drop folder: which files are new, and filing them away once ingested.

A file is new when its name matches a dataset's pattern and its content (SHA-256) is not
already in the ledger for that dataset: a rerun after a crash between the ingest and the move
does not load the same export twice. Files are taken oldest name first, so that daily exports
named by date load in date order.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kansa.errors import ConfigError
from kansa.i18n import tr
from kansa.pipeline.config import PipelineConfig
from kansa.vault import Vault, sha256_file


@dataclass(frozen=True)
class DropFile:
    dataset: str
    path: Path
    sha256: str
    loaded_before: bool  # the same content is in the ledger already: filed away, not reloaded


def _sources(payload: dict[str, Any]) -> list[dict[str, Any]]:
    """The source files an ingest entry names (one ``source``, or a batch's ``sources``)."""
    one = payload.get("source")
    many = payload.get("sources")
    found = [one] if isinstance(one, dict) else []
    found += [s for s in many if isinstance(s, dict)] if isinstance(many, list) else []
    return found


def loaded_sources(vault: Vault) -> set[tuple[str, str]]:
    """(dataset, source SHA-256) of every file ever ingested, from the ledger."""
    if not vault.ledger.path.exists():
        return set()
    return {
        (str(e.payload.get("dataset")), str(s.get("sha256")))
        for e in vault.ledger.entries()
        if e.kind == "ingest"
        for s in _sources(e.payload)
    }


def _dataset_of(name: str, patterns: dict[str, str]) -> str | None:
    matching = [d for d, p in patterns.items() if fnmatch.fnmatchcase(name, p)]
    if len(matching) > 1:
        raise ConfigError(
            tr(
                f"{name} matches the patterns of {matching}: make [pipeline.patterns] distinct.",
                f"{name} が {matching} のパターンに一致します。[pipeline.patterns] を"
                "重ならないようにしてください。",
            )
        )
    return matching[0] if matching else None


def pending_files(cfg: PipelineConfig, vault: Vault) -> list[DropFile]:
    """Files in the drop folder matching a pattern, by name; hidden and partial files skipped."""
    if not cfg.drop.is_dir():
        raise ConfigError(
            tr(
                f"The drop folder {cfg.drop} does not exist.",
                f"受け入れフォルダ {cfg.drop} がありません。",
            ),
            hint=tr(
                "Create it, or set pipeline.drop.", "作成するか pipeline.drop を設定してください。"
            ),
        )
    loaded = loaded_sources(vault)
    found = []
    for path in sorted(cfg.drop.iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.name.startswith("."):
            continue  # an export still being written is expected under a hidden name
        dataset = _dataset_of(path.name, cfg.patterns)
        if dataset is not None:
            sha = sha256_file(path)
            found.append(DropFile(dataset, path, sha, (dataset, sha) in loaded))
    return found


def file_away(path: Path, processed: Path, today: dt.date) -> Path:
    """Move an ingested file to ``processed/YYYY-MM-DD/``; never overwrite one already there."""
    folder = processed / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    n = 1
    while target.exists():
        target = folder / f"{path.stem}.{n}{path.suffix}"
        n += 1
    return Path(shutil.move(str(path), target))

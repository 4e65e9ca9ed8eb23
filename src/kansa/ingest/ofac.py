"""The OFAC SDN digital-currency address lists as a ``sanctioned_addresses`` source.

OFAC publishes one text file per asset (``sanctioned_addresses_XBT.txt``, ``..._ETH.txt``...),
one address a line, with no listing dates. Users bring the current lists with the date they were
downloaded; this turns such a folder into the dataset's rows, exactly as published (case kept,
duplicates within a file dropped) and ingests them like any other file, so the same contract
checks, vault snapshot and ledger entry apply. The file layout is that of the per-asset lists
extracted from OFAC's SDN list by the open-source project "ofac-sanctioned-digital-currency-
addresses" (the lists of September 2024 that the demo reads from ../shared/data).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.vault import Snapshot
from kansa.workspace import Workspace

PREFIX = "sanctioned_addresses_"


def read_ofac_lists(folder: Path, label: str) -> list[dict[str, Any]]:
    """One row per list file and address; ``label`` (the list's date) goes into ``source``."""
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob(f"{PREFIX}*.txt")):
        asset = path.stem.removeprefix(PREFIX)
        seen: set[str] = set()
        for line in path.read_text(encoding="utf-8").splitlines():
            address = line.strip()
            if not address or address in seen:
                continue
            seen.add(address)
            rows.append(
                {
                    "list_name": f"OFAC-SDN-{asset}",
                    "address": address,
                    "asset": asset,
                    "listed_on": None,
                    "source": f"OFAC SDN list, digital currency addresses, {label} ({path.name})",
                }
            )
    return rows


def import_ofac(
    workspace: Workspace, folder: Path, list_date: str, *, progress: bool = True
) -> Snapshot:
    """Ingest a folder of OFAC list files as the ``sanctioned_addresses`` dataset."""
    from kansa.ingest.pipeline import ingest_file

    if not folder.is_dir():
        raise KansaError(tr(f"{folder} is not a folder.", f"{folder} はフォルダではありません。"))
    rows = read_ofac_lists(folder, list_date)
    if not rows:
        raise KansaError(
            tr(
                f"{folder} holds no {PREFIX}*.txt list files.",
                f"{folder} に {PREFIX}*.txt のリストがありません。",
            )
        )
    work = Path(tempfile.mkdtemp(prefix="kansa-ofac-"))
    try:
        source = work / f"ofac_{list_date}.jsonl"
        with source.open("w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        return ingest_file(workspace, "sanctioned_addresses", source, progress=progress)
    finally:
        shutil.rmtree(work, ignore_errors=True)

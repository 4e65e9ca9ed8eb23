"""The OFAC SDN digital-currency address lists (one text file per asset) as dataset rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

OFAC_FOLDER = "ofac-sdn-digital-currency-2024-09"
PREFIX = "sanctioned_addresses_"


def default_ofac_dir() -> Path:
    """``../shared/data/<lists>`` beside the repository, or ``$KANSA_OFAC_DIR``."""
    import os

    env = os.environ.get("KANSA_OFAC_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "data" / OFAC_FOLDER


def load_ofac(folder: Path) -> list[dict[str, Any]]:
    """One row per list file and address, exactly as published (case kept)."""
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
                    "source": f"OFAC SDN list, digital currency addresses, 2024-09 ({path.name})",
                }
            )
    return rows

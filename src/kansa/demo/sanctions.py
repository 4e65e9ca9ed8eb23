"""The OFAC SDN digital-currency address lists (one text file per asset) as dataset rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kansa.ingest.ofac import read_ofac_lists

OFAC_FOLDER = "ofac-sdn-digital-currency-2024-09"


def default_ofac_dir() -> Path:
    """``../shared/data/<lists>`` beside the repository, or ``$KANSA_OFAC_DIR``."""
    import os

    env = os.environ.get("KANSA_OFAC_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[4] / "shared" / "data" / OFAC_FOLDER


def load_ofac(folder: Path) -> list[dict[str, Any]]:
    """The demo's sanctions dataset: the lists in ``folder`` as published in 2024-09."""
    return read_ofac_lists(folder, "2024-09")

"""Bilingual (English / Japanese) user-facing text.

Strings are written inline at the call site as a pair, so that each package owns its own
wording and no central catalog becomes a merge hotspot. The language comes from
``KANSA_LANG`` (``en`` or ``ja``), else from ``LANG`` / ``LC_ALL``; English is the default.
"""

from __future__ import annotations

import os


def lang() -> str:
    """Return ``"ja"`` or ``"en"``."""
    explicit = os.environ.get("KANSA_LANG", "").strip().lower()
    if explicit in ("ja", "en"):
        return explicit
    for var in ("LC_ALL", "LANG"):
        if os.environ.get(var, "").lower().startswith("ja"):
            return "ja"
    return "en"


def tr(en: str, ja: str) -> str:
    """Pick the text for the current language."""
    return ja if lang() == "ja" else en

"""Choosing controls by id pattern (``--controls 'KEY-*,WDR-00?'``)."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

from kansa.controls import Control
from kansa.errors import KansaError
from kansa.i18n import tr
from kansa.spelling import did_you_mean


def select_controls(catalog: Mapping[str, Control], patterns: str | None) -> list[Control]:
    """Controls whose id matches any comma-separated glob (case-insensitive); all if none."""
    if not patterns:
        return list(catalog.values())
    globs = [p.strip().upper() for p in patterns.split(",") if p.strip()]
    chosen = [c for cid, c in catalog.items() if any(fnmatch.fnmatchcase(cid, g) for g in globs)]
    if not chosen:
        raise KansaError(
            tr(
                f"No control matches {patterns!r}.",
                f"{patterns!r} に一致するコントロールはありません。",
            ),
            hint=" ".join(did_you_mean(g, catalog) or "" for g in globs).strip()
            or tr("List them with `kansa controls`.", "`kansa controls` で一覧できます。"),
        )
    return chosen

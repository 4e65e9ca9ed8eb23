"""A day typed on the command line (``--as-of``, ``--from``, ``--due``...): one parser and one
message for every command."""

from __future__ import annotations

import datetime as dt

from kansa.errors import KansaError
from kansa.i18n import tr


def parse_day(text: str | None, option: str = "--as-of") -> dt.date | None:
    """``YYYY-MM-DD`` as a date; None when the option was not given; else one clear error."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise KansaError(
            tr(f"{option} {text!r} is not a date.", f"{option} {text!r} は日付ではありません。"),
            hint=f"{option} 2026-11-20",
        ) from exc

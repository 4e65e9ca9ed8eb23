"""Times as people read them: in the workspace's time zone (``[workspace] timezone``).

The ledger and the app database keep instants in UTC; what a command prints is the same
instant in the workspace's zone, with the zone's offset so it can never be misread.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo


def local_time(instant: dt.datetime | str, zone: str) -> str:
    """``2026-11-20 18:30:12 +09:00`` for ``2026-11-20T09:30:12Z`` in Asia/Tokyo."""
    when = dt.datetime.fromisoformat(instant) if isinstance(instant, str) else instant
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(zoneinfo.ZoneInfo(zone))
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S ") + f"{offset[:3]}:{offset[3:]}"

"""One business day for every control: the workspace's time zone (issue 9, item 5).

An event at 15:30 UTC on 1 November is on 2 November in Tokyo. Ingest files it under the
Tokyo day, and a control's ``{{ tz }}`` counts it on that same day; no catalog control keeps a
zone of its own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from kansa.controls import Control, load_catalog
from kansa.controls.lint import check_control, lint_connection
from kansa.controls.views import builtin_views
from kansa.engine import run_controls
from kansa.ingest import ingest_file
from kansa.workspace import create_workspace

ON_THE_SECOND = (
    "select event_id from auth_events "
    "where (event_time at time zone {{ tz }})::date = DATE '2026-11-02'"
)
HEADER = (
    "event_id,host,seq,account_id,event_time,event_type,mfa_method,device_id,session_id,result\n"
)


@pytest.mark.parametrize(("zone", "found"), [("UTC", 0), ("Asia/Tokyo", 1)])
def test_a_control_counts_days_in_the_workspace_zone(
    tmp_path: Path, make_control: Callable[..., Control], zone: str, found: int
) -> None:
    ws = create_workspace(tmp_path / "ws", timezone=zone)
    events = tmp_path / "events.csv"
    events.write_text(
        HEADER + "h:1,h,1,A1,2026-11-01T15:30:00Z,login,webauthn,D1,S1,success\n",
        encoding="utf-8",
    )
    snap = ingest_file(ws, "auth_events", events, progress=False)
    assert snap.days == (dt.date(2026, 11, 1 + found),)  # filed under the same day
    control = make_control("TST-950", ON_THE_SECOND, key=("event_id",), datasets=("auth_events",))
    run = run_controls(ws, [control], progress=False, record=False, as_of=snap.days[0])
    assert run.outcome("TST-950").exception_count == found
    assert run.timezone == zone


def test_no_catalog_control_or_view_keeps_a_zone_of_its_own() -> None:
    fixed = re.compile(r"at\s+time\s+zone\s+'", re.IGNORECASE)
    for c in load_catalog().values():
        assert not fixed.search((c.population_sql or "") + (c.test_sql or "")), c.id
    for v in builtin_views().values():
        assert not fixed.search(v.sql), v.name


def test_lint_refuses_a_hard_coded_zone(make_control: Callable[..., Control]) -> None:
    control = make_control(
        "TST-951",
        "select event_id from auth_events where (event_time at time zone 'UTC')::date = DATE '2026-11-02'",
        population_sql="select * from auth_events",
        key=("event_id",),
        datasets=("auth_events",),
    )
    problems = check_control(lint_connection(), control)
    assert any("hard-codes a time zone" in p for p in problems)

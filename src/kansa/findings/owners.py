"""Assigning a finding to a person with an account: a control owner of the finding's unit.

The CLI (``kansa findings assign --to``) and the web app assign only to accounts (``kansa
users``): the assignee must exist, be enabled and be a control owner whose unit owns the finding,
so the person answering is the person who sees it (and whom notifications reach).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from kansa.appdb import Finding, Unit, User
from kansa.findings.recording import find
from kansa.findings.workflow import assign
from kansa.i18n import tr
from kansa.workflow import Desk, WorkflowError

CONTROL_OWNER = "control_owner"


def owners_of(desk: Desk, unit: str) -> list[str]:
    """The enabled control owners of ``unit``, by name."""
    with desk.db.session() as s:
        return list(
            s.scalars(
                select(User.username)
                .join(Unit, Unit.id == User.unit_id)
                .where(Unit.name == unit, User.role == CONTROL_OWNER, User.disabled.is_(False))
                .order_by(User.username)
            )
        )


def unit_of_finding(f: Finding, control_owner: str) -> str:
    return f.owner or control_owner


def _refusal(desk: Desk, username: str, unit: str) -> WorkflowError | None:
    """Why ``username`` cannot answer for a finding of ``unit``, or None."""
    with desk.db.session() as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        their_unit = user.unit.name if user is not None and user.unit else "-"
    if user is None:
        en = f"There is no user {username!r}: a finding is assigned to a control owner's account."
        ja = f"ユーザー {username!r} はいません。指摘事項は統制オーナーのアカウントに割り当てます。"
    elif user.disabled:
        en, ja = f"User {username} is disabled.", f"ユーザー {username} は無効化されています。"
    elif user.role != CONTROL_OWNER or their_unit != unit:
        en = (f"{username} is not a control owner of unit {unit} "
              f"(role {user.role}, unit {their_unit}): assign the finding to one.")  # fmt: skip
        ja = (f"{username} は部署 {unit} の統制オーナーではありません"
              f"（ロール {user.role}、部署 {their_unit}）。")  # fmt: skip
    else:
        return None
    hint = tr(f"Control owners of {unit}: {', '.join(owners_of(desk, unit)) or '-'}.",
              f"{unit} の統制オーナー: {', '.join(owners_of(desk, unit)) or '-'}。")  # fmt: skip
    return WorkflowError(tr(en, ja), hint=hint)


def assign_to_owner(
    desk: Desk,
    finding_id: int,
    username: str,
    due: dt.date | None,
    control_owner: str,
    unit: str | None = None,
) -> Finding:
    """:func:`kansa.findings.assign` to ``username``, refused unless they are an enabled control
    owner of the finding's unit (``unit`` if given, else the finding's own, else
    ``control_owner``: the catalog's owner of the control, for a finding with no unit yet)."""
    with desk.db.session() as s:
        found = unit_of_finding(find(s, desk.workspace, finding_id), control_owner)
    target = (unit or "").strip() or found
    refused = _refusal(desk, username.strip(), target)
    if refused is not None:
        raise refused
    return assign(desk, finding_id, username.strip(), due, target)

"""Units (departments): create, rename, deactivate, and who belongs to which.

A unit's ``name`` is the key a control's ``owner`` names (``treasury``, ``wallet_ops``), so it
never changes; its ``title`` is what people read and can be renamed. A deactivated unit takes
no new members; it cannot be deactivated while people still belong to it (move them first),
so no control owner is ever left scoped to a unit that is gone. The CLI (``kansa units``) and
the admin page call these functions; each change commits with its ledger entry.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kansa.appdb import Database, Unit, User
from kansa.i18n import tr
from kansa.web.accounts import UNIT, AccountError
from kansa.web.roles import CONTROL_OWNER
from kansa.web.trail import Entry, change

TITLE_MAX = 200


def _title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned or len(cleaned) > TITLE_MAX:
        raise AccountError(
            tr(
                f"a unit's title must be 1-{TITLE_MAX} characters.",
                f"部署の表示名は 1〜{TITLE_MAX} 文字です。",
            )
        )
    return cleaned


def _get(s: Session, name: str) -> Unit:
    found = s.scalars(select(Unit).where(Unit.name == name)).one_or_none()
    if found is None:
        raise AccountError(
            tr(f"no unit {name!r}.", f"部署 {name!r} はありません。"),
            hint=tr("`kansa units list` shows them.", "`kansa units list` で一覧できます。"),
        )
    return found


def list_units(db: Database) -> list[tuple[Unit, int]]:
    """Every unit with how many people belong to it."""
    with db.session() as s:
        rows = s.execute(select(User.unit_id, func.count()).group_by(User.unit_id))
        counts = {unit_id: int(n) for unit_id, n in rows}
        return [(u, counts.get(u.id, 0)) for u in s.scalars(select(Unit).order_by(Unit.name))]


def add_unit(db: Database, name: str, title: str = "", entry: Entry | None = None) -> Unit:
    if not UNIT.fullmatch(name):
        raise AccountError(
            tr(
                f"unit {name!r} is not a unit name (lower-case letters, digits, _ and -).",
                f"部署名 {name!r} が不正です（英小文字・数字・_・- のみ）。",
            )
        )
    clean = _title(title or name)
    with change(db, entry) as s:
        if s.scalars(select(Unit).where(Unit.name == name)).one_or_none():
            raise AccountError(
                tr(f"unit {name!r} already exists.", f"部署 {name!r} は既にあります。")
            )
        unit = Unit(name=name, title=clean, active=True)
        s.add(unit)
    return unit


def rename_unit(db: Database, name: str, title: str, entry: Entry | None = None) -> None:
    clean = _title(title)
    if entry is not None:
        entry.details.update(unit=name, title=clean)
    with change(db, entry) as s:
        _get(s, name).title = clean


def set_active(db: Database, name: str, active: bool, entry: Entry | None = None) -> None:
    """Deactivate (refused while people belong to it) or reactivate a unit."""
    with change(db, entry) as s:
        unit = _get(s, name)
        members = s.scalar(select(func.count()).where(User.unit_id == unit.id)) or 0
        if not active and members:
            raise AccountError(
                tr(
                    f"unit {name!r} still has {members} member(s); move them to another unit first.",
                    f"部署 {name!r} にはまだ {members} 人が所属しています。先に別の部署へ移してください。",
                )
            )
        unit.active = active


def assign(db: Database, username: str, unit_name: str | None, entry: Entry | None = None) -> None:
    """Move ``username`` into an active unit (or out of any unit, except a control owner)."""
    with change(db, entry) as s:
        user = s.scalars(select(User).where(User.username == username)).one_or_none()
        if user is None:
            raise AccountError(tr(f"no user {username!r}.", f"ユーザー {username!r} はいません。"))
        if unit_name is None:
            if user.role == CONTROL_OWNER:
                raise AccountError(
                    tr("a control owner needs a unit.", "統制オーナーには部署が必要です。")
                )
            user.unit_id = None
            return
        unit = _get(s, unit_name)
        if not unit.active:
            raise AccountError(
                tr(
                    f"unit {unit_name!r} is deactivated.",
                    f"部署 {unit_name!r} は無効化されています。",
                )
            )
        user.unit_id = unit.id

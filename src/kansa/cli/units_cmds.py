"""``kansa units``: the units (departments) people belong to, like the admin page /admin/units.

Each change is a ``web`` ledger entry by the CLI's actor ($KANSA_ACTOR, else the OS user),
written in one step with the change (:func:`kansa.web.trail.change`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from kansa.cli.context import console, workspace
from kansa.i18n import tr

if TYPE_CHECKING:
    from kansa.appdb import Database
    from kansa.web.trail import Entry

units_app = typer.Typer(help="Units (departments): add, list, rename, deactivate, assign people.")


def _entry(ctx: typer.Context, action: str, **details: object) -> Entry:
    from kansa.vault import Vault
    from kansa.vault.actor import current_actor
    from kansa.web.trail import Entry

    ws = workspace(ctx)
    return Entry(Vault(ws.vault_dir), current_actor(), action, {**details, "via": "cli"})


def _db(ctx: typer.Context) -> Database:
    from kansa.appdb import Database

    return Database(workspace(ctx).database_url)


@units_app.command("add")
def units_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="As a control's owner names it (treasury, wallet_ops).")],
    title: Annotated[str, typer.Option(help="What people read (default: the name).")] = "",
) -> None:  # fmt: skip
    """Add a unit."""
    from kansa.web.units import add_unit

    with _db(ctx) as db:
        add_unit(db, name, title, _entry(ctx, "unit_added", unit=name, title=title or name))
    console.print(tr(f"Unit {name} added.", f"部署 {name} を追加しました。"))


@units_app.command("list")
def units_list(ctx: typer.Context) -> None:
    """Units, their titles, members and status."""
    from kansa.web.units import list_units

    with _db(ctx) as db:
        rows = list_units(db)
    table = Table(title=tr("Units", "部署"), title_justify="left")
    for col in (
        tr("unit", "部署"),
        tr("title", "表示名"),
        tr("members", "所属者"),
        tr("status", "状態"),
    ):
        table.add_column(col)
    for unit, members in rows:
        status = tr("active", "有効") if unit.active else tr("deactivated", "無効")
        table.add_row(unit.name, unit.title, str(members), status)
    console.print(table)


@units_app.command("rename")
def units_rename(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The unit.")],
    title: Annotated[str, typer.Argument(help="Its new title (the name itself never changes).")],
) -> None:
    """Rename a unit's title."""
    from kansa.web.units import rename_unit

    with _db(ctx) as db:
        rename_unit(db, name, title, _entry(ctx, "unit_renamed"))
    console.print(tr(f"Unit {name} renamed.", f"部署 {name} の表示名を変更しました。"))


@units_app.command("deactivate")
def units_deactivate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The unit (no members left).")]
) -> None:
    """Deactivate a unit (refused while people belong to it)."""
    from kansa.web.units import set_active

    with _db(ctx) as db:
        set_active(db, name, False, _entry(ctx, "unit_deactivated", unit=name))
    console.print(tr(f"Unit {name} deactivated.", f"部署 {name} を無効化しました。"))


@units_app.command("reactivate")
def units_reactivate(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="The unit.")]
) -> None:
    """Make a deactivated unit active again."""
    from kansa.web.units import set_active

    with _db(ctx) as db:
        set_active(db, name, True, _entry(ctx, "unit_reactivated", unit=name))
    console.print(tr(f"Unit {name} reactivated.", f"部署 {name} を再有効化しました。"))


@units_app.command("assign")
def units_assign(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    unit: Annotated[str, typer.Argument(help="An active unit, or '-' for none.")],
) -> None:
    """Move a user into a unit (or out of any with '-'; a control owner always needs one)."""
    from kansa.web.units import assign

    target = None if unit == "-" else unit
    with _db(ctx) as db:
        assign(db, username, target, _entry(ctx, "user_unit_set", user=username, unit=target))
    console.print(tr(f"{username} is now in {unit}.", f"{username} の所属を {unit} にしました。"))


def register(app: typer.Typer) -> None:
    app.add_typer(units_app, name="units")
